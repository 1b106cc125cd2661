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
  // w_j = in_sum2_j / counts (GGUF) or value_j / ncall (legacy), as
  // llama-quantize loads them: per input column, and for stacked experts
  // [n_expert][in] one row per expert.
  std::vector<float> weights;
  int64_t columns = 0; // the input dimension (weights.size() / experts)
  int64_t experts = 1;
  double calls = 0; // tokens (GGUF counts) or calls (legacy ncall) behind it
};

struct Imatrix {
  std::filesystem::path path;
  std::string form; // "gguf" or "dat"
  std::vector<ImatrixEntry> entries;
  std::vector<std::string> datasets;
  int64_t chunks = 0;

  const ImatrixEntry* find(const std::string& name) const;
};

// Reads either form (the GGUF magic decides). Throws qs::Error naming the file.
Imatrix readImatrix(const std::filesystem::path& path);

} // namespace qs
