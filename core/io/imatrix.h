#pragma once
// llama.cpp importance matrices (docs/ARCHITECTURE.md, "The whole model"):
// per weight tensor, the mean square of each input column's activation over
// the calibration tokens. Both file forms llama-imatrix writes: GGUF
// (`<name>.in_sum2`, `<name>.counts`) and the legacy binary `.dat`. Both are
// read as hostile files: every count and size is checked.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace qs {

struct ImatrixEntry {
  std::string name; // the weight tensor's name in the file ("blk.0.attn_q.weight")
  // The numbers llama-quantize hands its quantizers, computed as it does:
  // GGUF: w_j = in_sum2_j / counts_e per matrix e (1 for a matrix whose count
  // is 0: it never saw a token); legacy: w_j = value_j / ncall (the values as
  // stored when ncall is 0). Per input column, and for stacked experts
  // [n_expert][in] one row per expert.
  std::vector<float> weights;
  int64_t columns = 0; // the input dimension (weights.size() / experts)
  // Matrices (experts) in the GGUF form. The legacy form does not record
  // them: an expert entry there is one row of n_expert · in values (experts 1).
  int64_t experts = 1;
  double calls = 0;           // tokens (the largest GGUF count) or calls (legacy ncall) behind it
  std::vector<double> counts; // per matrix: GGUF counts; legacy: the one ncall
};

struct Imatrix {
  std::filesystem::path path;
  std::string form;                  // "gguf" or "dat"
  std::vector<ImatrixEntry> entries; // in file order
  // GGUF `imatrix.datasets` (as the GGUF reader summarises arrays: up to 8
  // names of up to 256 characters); legacy: the one dataset name at the end.
  std::vector<std::string> datasets;
  int64_t chunks = 0;    // GGUF `imatrix.chunk_count`; legacy: the last call count at the end
  int64_t chunkSize = 0; // GGUF `imatrix.chunk_size` (tokens per chunk); 0 in the legacy form

  const ImatrixEntry* find(const std::string& name) const;
};

// Reads either form (the GGUF magic decides). Throws qs::Error naming the file.
Imatrix readImatrix(const std::filesystem::path& path);

// The same from bytes in memory (fuzzers, tests); `label` names them in errors.
Imatrix readImatrixBytes(std::vector<uint8_t> bytes, const std::string& label);

} // namespace qs
