// libFuzzer target: readImatrixBytes on arbitrary bytes (the legacy .dat
// parser, and the GGUF form through the GGUF reader), then the statistics.
// A qs::Error is an accepted outcome; an entry whose sizes disagree or whose
// weights are not finite and >= 0 is a finding, as is any crash.
#include "core/error.h"
#include "core/io/imatrix.h"
#include "core/model/imatrix_stats.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  qs::Imatrix m;
  try {
    m = qs::readImatrixBytes(std::vector<uint8_t>(data, data + size), "<fuzz>");
  } catch (const qs::Error&) {
    return 0;
  }
  if (m.entries.empty())
    std::abort();
  for (const qs::ImatrixEntry& e : m.entries) {
    if (e.columns < 1 || e.experts < 1 || int64_t(e.weights.size()) != e.columns * e.experts)
      std::abort();
    if (e.counts.size() != (m.form == "gguf" ? size_t(e.experts) : 1u))
      std::abort();
    for (float w : e.weights)
      if (!std::isfinite(w) || w < 0)
        std::abort();
  }
  const auto stats = qs::imatrixStatistics(m);
  if (stats.size() != m.entries.size())
    std::abort();
  return 0;
}
