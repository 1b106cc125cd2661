#pragma once
// The error metrics of qs::Metrics, one entry each: the key the CSV/JSON
// writers use, the labels of the CLI and GUI tables, the definition (the
// README's "Metric definitions" wording, shown as GUI tooltips), the unit,
// which direction is better and how to read the value. Every list of metrics
// (writers, CLI tables, GUI rows, plot tooltips) walks this table.
#include "core/quant/quant_result.h"

#include <string_view>
#include <vector>

namespace qs {

enum class Better { Higher, Lower, Neither };

// How a value is shown; each front end maps it to its own formatting.
enum class MetricStyle {
  Scientific, // 4 significant digits (mse, |error|)
  Decibel,    // 2 decimals, dB
  Ratio,      // 6 decimals (cosine)
  Fraction,   // a share, shown as a percentage
  Bits,       // 3 decimals, bits
  Count,      // an integer; JSON writes it as one
};

struct MetricInfo {
  const char* key;        // CSV column / JSON key: "sqnr_db"
  const char* field;      // the Metrics member: "sqnrDb"
  const char* label;      // GUI row: "SQNR"
  const char* cliLabel;   // `quantize` table row: "sqnr (dB)"
  const char* shortLabel; // narrow column header (`sweep`): "sqnr dB"
  const char* definition; // README wording (UTF-8)
  const char* unit;       // "dB", "bit", "" for plain numbers and shares
  Better better;
  MetricStyle style;
  bool onlyWhenNonZero; // the `quantize` table leaves the row out when 0
  double (*value)(const Metrics&);
};

// In the order of the CSV columns and JSON keys.
const std::vector<MetricInfo>& metricTable();

// The entry with this key or field name; throws qs::Error for an unknown one.
const MetricInfo& metricInfo(std::string_view keyOrField);

} // namespace qs
