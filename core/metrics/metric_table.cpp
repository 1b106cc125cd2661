#include "core/metrics/metric_table.h"

#include "core/error.h"

#include <string>

namespace qs {

const std::vector<MetricInfo>& metricTable() {
  using S = MetricStyle;
  static const std::vector<MetricInfo> table = {
      {"mse", "mse", "MSE", "mse", "mse", "mean((x − q)²)", "", Better::Lower, S::Scientific, false,
       [](const Metrics& m) { return m.mse; }},
      {"rmse", "rmse", "RMSE", "rmse", "rmse", "√mse", "", Better::Lower, S::Scientific, false,
       [](const Metrics& m) { return m.rmse; }},
      {"max_abs_error", "maxAbsError", "Max |error|", "max |error|", "max |err|", "max |x − q|", "",
       Better::Lower, S::Scientific, false, [](const Metrics& m) { return m.maxAbsError; }},
      {"sqnr_db", "sqnrDb", "SQNR", "sqnr (dB)", "sqnr dB",
       "20·log10(‖x‖₂ / ‖x − q‖₂), in dB — the PyTorch Numeric Suite / ONNX Runtime definition (MCT "
       "reports a linear ratio instead; we use dB). +∞ (JSON null) when the error is zero. On a uniform "
       "grid each extra bit adds about 6 dB",
       "dB", Better::Higher, S::Decibel, false, [](const Metrics& m) { return m.sqnrDb; }},
      {"cosine", "cosine", "Cosine", "cosine", "cosine", "⟨x, q⟩ / (‖x‖ ‖q‖)", "", Better::Higher, S::Ratio,
       false, [](const Metrics& m) { return m.cosine; }},
      {"clipped_fraction", "clippedFraction", "Clipped", "clipped", "clipped",
       "share of values outside the clip range", "", Better::Lower, S::Fraction, false,
       [](const Metrics& m) { return m.clippedFraction; }},
      {"bits_per_element", "bitsPerElement", "Bits / element", "bits/element", "bits/elem",
       "code bits + (scale bits + zero-point bits) / group size, with the scale's real storage (FP32 "
       "scales for our granularities, E8M0 for MX, FP16 for GGUF)",
       "bit", Better::Lower, S::Bits, false, [](const Metrics& m) { return m.bitsPerElement; }},
      {"code_entropy_bits", "codeEntropyBits", "Code entropy", "code entropy (bits)", "entropy",
       "Shannon entropy of the code histogram (how many of the bits are actually used)", "bit",
       Better::Neither, S::Bits, false, [](const Metrics& m) { return m.codeEntropyBits; }},
      {"count", "count", "Values", "values", "values", "finite values measured (NaN/Inf inputs are excluded)",
       "", Better::Neither, S::Count, false, [](const Metrics& m) { return double(m.count); }},
      {"non_finite", "nonFinite", "Non-finite", "non-finite (skipped)", "non-finite",
       "NaN/Inf inputs, excluded from the metrics", "", Better::Neither, S::Count, true,
       [](const Metrics& m) { return double(m.nonFinite); }},
  };
  return table;
}

const MetricInfo& metricInfo(std::string_view keyOrField) {
  for (const MetricInfo& m : metricTable())
    if (keyOrField == m.key || keyOrField == m.field)
      return m;
  throw Error("unknown metric '" + std::string(keyOrField) + "'");
}

} // namespace qs
