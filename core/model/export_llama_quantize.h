#pragma once
// A plan as a llama-quantize command (docs/ARCHITECTURE.md, "The whole
// model"): a bash script that turns the model's GGUF (converted by llama.cpp)
// into exactly the planned mixture, whatever llama-quantize's own rules.
//
// llama-quantize (tools/quantize, src/llama-quant.cpp) lowercases each
// `--tensor-type PATTERN=TYPE` pattern and gives a tensor the type of the
// FIRST pattern std::regex_search finds in its name; patterns apply only when
// the base type is a quantized one, and a tensor no pattern names gets the
// base type's mixture rules (off with --pure). It never quantizes 1-D
// tensors, norms, expert gates and a few others, and falls back to another
// type when a row is not a multiple of the block. So the script passes a
// quantized base type and --pure, and one anchored pattern per (role, type)
// whose blocks are listed in an alternation: the patterns are disjoint and
// name every tensor llama-quantize would quantize.
#include "core/model/model_plan.h"
#include "core/model/scan.h"

#include <string>
#include <vector>

namespace qs {

struct LlamaTensorType {
  std::string pattern; // as written (lowercase, anchored)
  std::string type;    // llama.cpp's type name ("q4_K", "f16")
};

struct LlamaQuantizeExport {
  std::string baseType;                 // the positional type argument ("Q4_K_M", "Q8_0")
  std::vector<LlamaTensorType> options; // in script order
  std::string script;                   // the bash script
};

// llama.cpp's name of one of our formats ("gguf:q4_k" or its alias "q4_k" →
// "q4_K", "fp16" → "f16"); empty when llama.cpp has no type with exactly our
// encoding (OCP "mxfp4" is not llama.cpp's "gguf:mxfp4").
std::string llamaTypeName(const std::string& format);

// Whether llama-quantize ever quantizes a tensor of this GGUF name and rank.
bool llamaQuantizes(const std::string& ggufName, size_t rank);

// Throws qs::Error naming the tensors when the plan cannot be written
// exactly: a tensor without a GGUF name, a non-GGUF format, experts of one
// GGUF tensor in different formats, a format on a tensor llama-quantize never
// quantizes, a row length not a multiple of the block, an incomplete scan.
LlamaQuantizeExport exportLlamaQuantize(const ModelPlan& plan, const ScanResult& scan);

} // namespace qs
