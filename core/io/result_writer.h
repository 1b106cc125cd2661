#pragma once
// Saves quantization results so other tools can use them: per tensor its
// integer codes, scales, zero points (and GGUF block minimums / k-means
// levels when present), the config as JSON, and by default the dequantized
// float32 values. Layout (documented for users in /work/notes/io-formats.md):
//
//   safetensors keys            HDF5 datasets          content
//   <name>.codes                <name>/codes           smallest int dtype holding the codes
//   <name>.scales               <name>/scales          float32, shape = scaleShape
//   <name>.zero_points          <name>/zero_points     smallest int dtype (asymmetric only)
//   <name>.offsets              <name>/offsets         float32 (GGUF Q4_1/Q5_1 block minimums)
//   <name>.segment_levels       <name>/segment_levels  float32 [segments, levels] (k-means)
//   <name>.dequantized          <name>/dequantized     float32, the tensor's shape
//
// Metadata: safetensors __metadata__ keys "quantscope.schema" and
// "<name>.config" / ".format_label" / ".granularity" / ".code_bits"; HDF5
// attributes of the same names (without the "<name>." prefix) on <name>/.
#include "core/quant/quant_result.h"

#include <filesystem>
#include <memory>
#include <vector>

namespace qs {

struct ResultWriteOptions {
  bool includeDequantized = true; // the only part that is exact for every format
  bool includeCodes = true;
};

// Format chosen by extension: .safetensors, or .h5 / .hdf5. Throws qs::Error
// for another extension, duplicate tensor names or a failed write.
void writeQuantResults(const std::filesystem::path& out,
                       const std::vector<std::shared_ptr<const QuantResult>>& results,
                       const ResultWriteOptions& options = {});
void writeQuantResult(const std::filesystem::path& out, const QuantResult& result,
                      const ResultWriteOptions& options = {});

// "quantscope.quantized/1": the value of the schema key.
const char* quantResultSchema();

} // namespace qs
