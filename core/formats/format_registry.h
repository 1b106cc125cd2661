#pragma once
// The format registry: every name a user can type (CLI, config JSON, GUI
// combo box) maps to one FormatInfo that says what the format is and which
// core object implements it. Adding a format = one entry in format_registry.cpp.
#include "core/formats/block_formats.h"
#include "core/formats/codebook.h"
#include "core/formats/float_format.h"
#include "core/formats/int_format.h"

#include <string>
#include <vector>

namespace qs {

// What the quantizer dispatches on.
enum class FormatKind {
  Float,        // floatFormat: a cast, optionally with a scale
  Integer,      // intBits: uniform grid, symmetric or affine
  Codebook,     // codebook: fixed normalised levels times the group absmax (nf4, binary, ...)
  UserCodebook, // "codebook": levels from QuantConfig::codebook via makeUserCodebook
  KMeans,       // kmeansBits: 2^k levels fitted per scale group with kmeans1d
  Mx,           // mxElement: OCP MX block of 32 with a shared E8M0 scale
  Gguf,         // ggufType: llama.cpp block
};

struct FormatInfo {
  std::string name;          // canonical lowercase name, e.g. "fp8_e4m3"
  std::string family;        // "float", "integer", "codebook" or "block"
  std::string label;         // short display name, e.g. "FP8 E4M3"
  std::string description;   // one or two plain sentences for students
  int bits = 0;              // bits of one element code
  double bitsPerElement = 0; // storage per element incl. in-block scales (block formats); = bits otherwise
  FormatKind kind = FormatKind::Float;
  FloatFormat floatFormat;                  // Float; for Mx float elements, the element format
  int intBits = 0;                          // Integer
  const Codebook* codebook = nullptr;       // Codebook
  int kmeansBits = 0;                       // KMeans
  MxElement mxElement = MxElement::Fp8E4M3; // Mx
  GgufType ggufType = GgufType::F32;        // Gguf
  int blockSize = 0;                        // Mx: 32; Gguf: 32 or 256; else 0
  std::vector<std::string> aliases;         // other accepted names
};

// The built-in formats in display order (user "eXmY" formats are not listed).
const std::vector<FormatInfo>& allFormats();
// Case-insensitive lookup of a name or alias; "eXmY" (e.g. "e3m4") is parsed
// into a user float format (makeFloatFormat). Throws
// qs::Error("unknown format 'x' (known: ...)").
const FormatInfo& findFormat(const std::string& name);
bool isKnownFormat(const std::string& name);

} // namespace qs
