#include "app/cli/options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace qs::cli {

ParsedArgs parseArgs(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                     const std::string& usage) {
  ParsedArgs p;
  p.usage = usage;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 2 || a.compare(0, 2, "--") != 0 || a == "--") {
      if (a.size() > 1 && a[0] == '-' && a != "-h")
        throw UsageError("unknown option '" + a + "'", usage);
      if (a == "-h")
        p.flags.insert("help");
      else
        p.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool inlineValue = false;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inlineValue = true;
    }
    if (name == "help") {
      p.flags.insert("help");
      continue;
    }
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& s : specs)
      if (s.name == name)
        spec = &s;
    if (!spec)
      throw UsageError("unknown option '--" + name + "'", usage);
    if (spec->takesValue) {
      if (!inlineValue) {
        if (i + 1 >= args.size())
          throw UsageError("option '--" + name + "' needs a value", usage);
        value = args[++i];
      }
      p.values[name] = value;
      p.all[name].push_back(value);
    } else {
      if (inlineValue)
        throw UsageError("option '--" + name + "' takes no value", usage);
      p.flags.insert(name);
    }
  }
  return p;
}

std::vector<std::string> ParsedArgs::getAll(const std::string& name) const {
  auto it = all.find(name);
  return it == all.end() ? std::vector<std::string>{} : it->second;
}

std::string ParsedArgs::get(const std::string& name, const std::string& fallback) const {
  auto it = values.find(name);
  return it == values.end() ? fallback : it->second;
}

double ParsedArgs::getDouble(const std::string& name, double fallback) const {
  auto it = values.find(name);
  if (it == values.end())
    return fallback;
  const char* s = it->second.c_str();
  char* end = nullptr;
  errno = 0;
  const double d = std::strtod(s, &end);
  if (end == s || *end != '\0' || errno == ERANGE || !std::isfinite(d))
    throw UsageError("option '--" + name + "' needs a number (got '" + it->second + "')", usage);
  return d;
}

int64_t ParsedArgs::getInt(const std::string& name, int64_t fallback) const {
  auto it = values.find(name);
  if (it == values.end())
    return fallback;
  const char* s = it->second.c_str();
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(s, &end, 10);
  if (end == s || *end != '\0' || errno == ERANGE)
    throw UsageError("option '--" + name + "' needs an integer (got '" + it->second + "')", usage);
  return v;
}

uint64_t ParsedArgs::getUnsigned(const std::string& name, uint64_t fallback) const {
  auto it = values.find(name);
  if (it == values.end())
    return fallback;
  const char* s = it->second.c_str();
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (end == s || *end != '\0' || errno == ERANGE || it->second[0] == '-')
    throw UsageError("option '--" + name + "' needs a non-negative integer (got '" + it->second + "')",
                     usage);
  return v;
}

std::vector<std::string> ParsedArgs::getList(const std::string& name) const {
  std::vector<std::string> out;
  const std::string v = get(name);
  size_t start = 0;
  while (start <= v.size()) {
    const size_t comma = v.find(',', start);
    const std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty())
      out.push_back(item);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return out;
}

} // namespace qs::cli
