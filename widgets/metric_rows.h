#pragma once
// The metrics the metrics panel and the compare table show: the rows of the
// core's metric table (core/metrics/metric_table.h) with Qt text, plus the
// scale count.
#include "core/metrics/metric_table.h"
#include "core/quant/quant_result.h"

#include <QString>

#include <functional>
#include <vector>

class QTableWidget;

namespace qs {

struct MetricRow {
  enum class Better { Lower, Higher, None };
  QString label;
  QString tooltip;
  std::function<double(const QuantResult&)> value;
  QString (*text)(double);
  Better better;
  // Why the metric means nothing for a result (empty: it does); its value is then NaN.
  std::function<QString(const QuantResult&)> notApplicable = nullptr;

  // The value as text, or "n/a" when the metric does not apply.
  QString display(const QuantResult& result) const;
};

const std::vector<MetricRow>& metricRows();
// The table's definition plus which direction is better, for tooltips.
QString metricTooltip(const MetricInfo& info);
QString formatCount(double count); // "16.7 M"
// Fixes a table's height to its rows, so a dock shows no empty grid below.
void fitTableHeight(QTableWidget* table);

} // namespace qs
