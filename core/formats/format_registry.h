#pragma once
// The format registry: every name a user can type (CLI, config JSON, GUI
// combo box) maps to one FormatInfo that says what the format is and which
// family kernel implements it. Adding a member of a family = one entry in
// format_registry.cpp; adding a family = one *_kernel.cpp, its factory in
// format_families.h and its entries (docs/ARCHITECTURE.md, "Formats").
#include "core/formats/format_kernel.h"

#include <memory>
#include <string>
#include <vector>

namespace qs {

// A registry entry: what the format is (for people) and the factory of the
// family kernel that implements it (for code). Everything else is asked of
// the kernel (format_kernel.h).
struct FormatInfo {
  std::string name;          // canonical lowercase name, e.g. "fp8_e4m3"
  std::string family;        // "float", "integer", "codebook" or "block"
  std::string label;         // short display name, e.g. "FP8 E4M3"
  std::string description;   // one or two plain sentences for students
  int bits = 0;              // bits of one element code (0: set by the config)
  double bitsPerElement = 0; // storage per element incl. in-block scales (block formats); = bits otherwise
  int fixedBlock = 0;        // elements per block when the format fixes its blocks (MX, GGUF)
  int64_t groupSize = 128;   // the usual group size (FormatKernel::usualGroupSize)
  bool takesLevels = false;  // the levels come from the config (QuantConfig::codebook)
  std::vector<std::string> aliases; // other accepted names
  KernelFactory factory;

  std::unique_ptr<FormatKernel> makeKernel(const KernelOptions& options) const {
    return factory(options, label);
  }
};

// The built-in formats in display order (user "eXmY" formats are not listed).
const std::vector<FormatInfo>& allFormats();
// Case-insensitive lookup of a name or alias; "eXmY" (e.g. "e3m4") is parsed
// into a user float format (makeFloatFormat). Throws
// qs::Error("unknown format 'x' (known: ...)").
const FormatInfo& findFormat(const std::string& name);
bool isKnownFormat(const std::string& name);

} // namespace qs
