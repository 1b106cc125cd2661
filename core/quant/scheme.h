#pragma once
// A format name resolved once per quantize() call into the kernel family and
// its parameters ("dispatch on the format once per call").
#include "core/formats/block_formats.h"
#include "core/formats/codebook.h"
#include "core/formats/float_format.h"
#include "core/quant/quant_config.h"

#include <string>

namespace qs {

enum class SchemeKind {
  Int,      // uniform integer grid, symmetric or affine
  Binary,   // sign(w) * mean|w| per segment (BinaryConnect / XNOR-Net)
  Ternary,  // TWN: threshold 0.7 mean|w|, scale = mean |w| above it
  Codebook, // scale = absmax, code = nearest level (nf4, fp4_bnb, iq4_nl, user)
  KMeans,   // weighted k-means with 2^K levels per segment
  Float,    // a float format: plain cast (granularity none) or scaled
  Mx,       // OCP MX block of 32 along the last axis, E8M0 scale
  Gguf,     // llama.cpp block formats, blocks along the last axis
};

struct Scheme {
  SchemeKind kind = SchemeKind::Int;
  std::string name;  // canonical lower-case name ("int4", "nf4", "q4_0")
  std::string label; // display name ("INT4", "NF4", "GGUF Q4_0")
  int bits = 8;      // code bits per element
  bool symmetric = true;
  FloatFormat floatFormat; // Float
  Codebook codebook;       // Codebook
  int kmeansBits = 0;      // KMeans
  MxElement mxElement = MxElement::Int8;
  GgufType ggufType = GgufType::Q8_0;
  int fixedBlock = 0; // MX / GGUF: elements per block (0 = free granularity)
  Granularity defaultGranularity;
  int scaleBits = 32;        // storage of one scale (fp16 for GGUF, 8 for E8M0)
  int zeroPointBits = 0;     // per segment (asymmetric int: bits)
  int blockOverheadBits = 0; // GGUF: bits per block besides the codes (scales, mins)

  int32_t qmin() const { return symmetric ? -(int32_t{1} << (bits - 1)) : 0; }
  int32_t qmax() const {
    return symmetric ? (int32_t{1} << (bits - 1)) - 1 : int32_t((int64_t{1} << bits) - 1);
  }
};

// Looks the name up in the format registry (findFormat). Throws qs::Error
// naming the format when it is unknown or impossible ("codebook" without levels).
Scheme resolveScheme(const QuantConfig& config);

} // namespace qs
