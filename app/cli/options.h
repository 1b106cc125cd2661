#pragma once
// A small strict option parser: "--name value", "--name=value" and flags.
// Unknown options and missing values are UsageErrors (usage + exit 2).
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace qs::cli {

class UsageError : public std::runtime_error {
public:
  UsageError(const std::string& what, std::string usage)
      : std::runtime_error(what), usage_(std::move(usage)) {}
  const std::string& usage() const { return usage_; }

private:
  std::string usage_;
};

struct OptionSpec {
  std::string name; // without the leading "--"
  bool takesValue = false;
};

class ParsedArgs {
public:
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;           // the last value of each option
  std::map<std::string, std::vector<std::string>> all; // every value of each option, in order
  std::set<std::string> flags;
  std::string usage;

  bool has(const std::string& name) const { return values.count(name) || flags.count(name); }
  std::string get(const std::string& name, const std::string& fallback = "") const;
  // Typed getters throw UsageError naming the option on a malformed value.
  double getDouble(const std::string& name, double fallback) const;
  int64_t getInt(const std::string& name, int64_t fallback) const;
  uint64_t getUnsigned(const std::string& name, uint64_t fallback) const;
  std::vector<std::string> getList(const std::string& name) const; // comma separated
  std::vector<std::string> getAll(const std::string& name) const;  // a repeatable option's values
};

ParsedArgs parseArgs(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                     const std::string& usage);

} // namespace qs::cli
