#pragma once
// Files written by `quantize --out` / `--metrics-out` and `sweep --metrics-out`:
// thin wrappers over core/io that return the one-line summary the CLI prints.
#include "core/io/metrics_writer.h"
#include "core/quant/quant_result.h"

#include <string>

namespace qs::cli {

// Writes `r` to a .safetensors / .h5 / .hdf5 file (r must hold its codes).
// Returns e.g. "wrote r.h5 (codes int8 [32, 64], scales float32 [32, 1], dequantized float32 [32, 64])".
std::string writeResultFile(const std::string& path, const QuantResult& r, bool includeDequantized);

// Writes the metrics of `results` as .csv or .json; returns "wrote m.csv (metrics of N results)".
std::string writeMetricsFile(const std::string& path, const ResultList& results);

} // namespace qs::cli
