#pragma once
// The metrics the metrics panel and the compare table show, in one place:
// label, tooltip (the definition from ARCHITECTURE.md), value and which
// direction is better.
#include "core/quant/quant_result.h"

#include <QString>

class QTableWidget;

#include <vector>

namespace qs {

struct MetricRow {
  enum class Better { Lower, Higher, None };
  QString label;
  QString tooltip;
  double (*value)(const QuantResult&);
  QString (*text)(double);
  Better better;
};

const std::vector<MetricRow>& metricRows();
QString formatCount(double count); // "16.7 M"
// Fixes a table's height to its rows, so a dock shows no empty grid below.
void fitTableHeight(QTableWidget* table);

} // namespace qs
