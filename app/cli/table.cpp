#include "app/cli/table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace qs::cli {

namespace {

bool looksNumeric(const std::string& s) {
  if (s.empty() || s.find(' ') != std::string::npos) // "4-bit float ..." is text
    return false;
  const char c = s[0];
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || s == "inf" || s == "-inf";
}

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos)
    return s;
  std::string q = "\"";
  for (char c : s)
    q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// Display width in code points (labels contain "·").
size_t width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s)
    w += (c & 0xC0) != 0x80;
  return w;
}

} // namespace

void Table::print(std::ostream& out) const {
  std::vector<size_t> w(header_.size(), 0);
  for (size_t i = 0; i < header_.size(); ++i)
    w[i] = width(header_[i]);
  for (const auto& r : rows_)
    for (size_t i = 0; i < r.size() && i < w.size(); ++i)
      w[i] = std::max(w[i], width(r[i]));
  auto line = [&](const std::vector<std::string>& r, bool header) {
    std::string s;
    for (size_t i = 0; i < w.size(); ++i) {
      const std::string cell = i < r.size() ? r[i] : "";
      const std::string pad(w[i] - width(cell), ' ');
      const bool right = !header && i > 0 && looksNumeric(cell);
      s += (i ? "  " : "") + (right ? pad + cell : cell + (i + 1 < w.size() ? pad : ""));
    }
    while (!s.empty() && s.back() == ' ')
      s.pop_back();
    out << s << '\n';
  };
  line(header_, true);
  std::string rule;
  for (size_t i = 0; i < w.size(); ++i)
    rule += (i ? "  " : "") + std::string(w[i], '-');
  out << rule << '\n';
  for (const auto& r : rows_)
    line(r, false);
}

void Table::printCsv(std::ostream& out) const {
  auto line = [&](const std::vector<std::string>& r) {
    for (size_t i = 0; i < r.size(); ++i)
      out << (i ? "," : "") << csvField(r[i]);
    out << '\n';
  };
  line(header_);
  for (const auto& r : rows_)
    line(r);
}

std::string num(double v, int significant) {
  if (std::isnan(v))
    return "nan";
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  char buf[64];
  const double a = std::fabs(v);
  if (a != 0 && (a < 1e-3 || a >= 1e6))
    std::snprintf(buf, sizeof buf, "%.*e", significant - 1, v);
  else
    std::snprintf(buf, sizeof buf, "%.*g", significant, v);
  return buf;
}

std::string fixed(double v, int decimals) {
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string percent(double fraction) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g%%", fraction * 100.0);
  return buf;
}

std::string metricText(const MetricInfo& info, double value) {
  switch (info.style) {
  case MetricStyle::Scientific:
    return num(value);
  case MetricStyle::Decibel:
    return fixed(value, 2);
  case MetricStyle::Ratio:
    return fixed(value, 6);
  case MetricStyle::Fraction:
    return percent(value);
  case MetricStyle::Bits:
    return fixed(value, 3);
  case MetricStyle::Count:
    return std::to_string(int64_t(value));
  }
  return num(value);
}

} // namespace qs::cli
