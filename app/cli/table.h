#pragma once
// Plain-text tables for the terminal: columns sized to their content, numbers
// right-aligned, and a number formatter that keeps 4 significant digits.
#include "core/metrics/metric_table.h"

#include <ostream>
#include <string>
#include <vector>

namespace qs::cli {

class Table {
public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(std::ostream& out) const;
  void printCsv(std::ostream& out) const;

private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

std::string num(double v, int significant = 4); // "1.234e-05", "41.28", "inf"
std::string fixed(double v, int decimals);
std::string percent(double fraction); // "0.012%"
// A metric's value as the CLI tables show it (by the table's MetricStyle).
std::string metricText(const MetricInfo& info, double value);

} // namespace qs::cli
