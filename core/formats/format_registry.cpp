// The registry of named formats. Descriptions are shown to students in the
// GUI: layout, range, and where the format is used.
#include "core/formats/format_registry.h"

#include "core/error.h"
#include "core/formats/format_families.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <regex>

namespace qs {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// An entry: the description, with the code width and storage per element
// asked of the family's kernel (user codebooks: set by the config, 0 here).
FormatInfo entry(KernelFactory factory, std::string name, const char* family, std::string label,
                 std::string description, std::vector<std::string> aliases = {}, bool probe = true) {
  FormatInfo i;
  i.name = std::move(name);
  i.family = family;
  i.label = std::move(label);
  i.description = std::move(description);
  i.aliases = std::move(aliases);
  i.factory = std::move(factory);
  i.takesLevels = !probe;
  if (probe) {
    const std::unique_ptr<FormatKernel> kernel = i.makeKernel(KernelOptions{});
    i.bits = kernel->codeBits();
    i.bitsPerElement = i.bits;
    i.fixedBlock = kernel->fixedBlock();
    i.groupSize = kernel->usualGroupSize();
    if (const int block = i.fixedBlock)
      i.bitsPerElement += kernel->overheadBitsPerSegment() / block;
  }
  return i;
}

FormatInfo floatInfo(const FloatFormat& f, const char* label, const char* description,
                     std::vector<std::string> aliases = {}) {
  return entry(floatFamily(f), f.name, "float", label, description, std::move(aliases));
}

FormatInfo intInfo(int bits, std::string description) {
  // Signedness comes from the config (symmetric / affine); "uintN" is accepted as a spelling.
  const std::string b = std::to_string(bits);
  return entry(intFamily(bits), "int" + b, "integer", "INT" + b, std::move(description),
               {"uint" + b, "i" + b});
}

FormatInfo codebookInfo(const std::string& name, const char* label, const char* description,
                        KernelFactory factory) {
  return entry(std::move(factory), name, "codebook", label, description);
}

FormatInfo mxInfo(const char* name, const char* label, MxElement element, const char* description) {
  return entry(mxFamily(element), name, "block", label, description);
}

// A GGUF type: "gguf:<name>" with `name` ("q4_k") kept as an alias unless
// another format owns it (mxfp4: OCP MX).
FormatInfo ggufInfo(const std::string& name, const char* label, GgufType type, const char* description,
                    bool shortAlias = true) {
  const std::string shortName = name.rfind("gguf:", 0) == 0 ? name.substr(5) : name;
  std::vector<std::string> aliases;
  if (shortAlias)
    aliases.push_back(shortName);
  return entry(ggufFamily(type), "gguf:" + shortName, "block", label, description, std::move(aliases));
}

// The float family (float_kernel.cpp).
void floatEntries(std::vector<FormatInfo>& entries) {
  entries.push_back(
      floatInfo(fp32Format(), "FP32",
                "IEEE single precision: 1 sign, 8 exponent, 23 mantissa bits, range about ±3.4e38. "
                "The reference every other format is compared with.",
                {"float32", "float"}));
  entries.push_back(
      floatInfo(tf32Format(), "TF32",
                "NVIDIA TensorFloat-32: FP32's 8-bit exponent with only 10 mantissa bits (FP16's "
                "precision). Ampere and later tensor cores use it for FP32 matrix multiplies when TF32 "
                "mode is on.",
                {"tensorfloat32"}));
  entries.push_back(
      floatInfo(fp16Format(), "FP16",
                "IEEE half precision: 1 sign, 5 exponent, 10 mantissa bits; largest value 65504, "
                "smaller numbers lose precision below 6.1e-5. Standard for GPU inference.",
                {"float16", "half"}));
  entries.push_back(
      floatInfo(bf16Format(), "BF16",
                "bfloat16: FP32's 8-bit exponent (same range) with 7 mantissa bits, about 3 decimal "
                "digits. The usual format for training and storing LLM weights.",
                {"bfloat16"}));
  entries.push_back(
      floatInfo(fp8E4M3Format(), "FP8 E4M3",
                "8-bit float (OCP E4M3FN): 4 exponent, 3 mantissa bits, largest value 448, no "
                "infinity. Used for weights and activations in FP8 inference and training (Hopper).",
                {"fp8_e4m3fn", "e4m3fn", "e4m3", "fp8", "float8_e4m3fn"}));
  entries.push_back(
      entry(tiledFloatFamily(fp8E4M3Format()), "fp8_block", "float", "FP8 E4M3 block 128×128 (DeepSeek-V3)",
            "DeepSeek-V3's FP8 weights: E4M3 values with one FP32 scale amax / 448 per 128 x 128 tile of "
            "[out, in] (granularity block 128x128 by default). Its activations are scaled per token per 128 "
            "channels: group 128 on the token view [tokens, channels]. Later checkpoints round the scale up "
            "to a power of two (UE8M0).",
            {"fp8_e4m3_block", "deepseek_fp8"}));
  entries.push_back(
      floatInfo(fp8E5M2Format(), "FP8 E5M2",
                "8-bit float with FP16's exponent: 5 exponent, 2 mantissa bits, largest value 57344, "
                "with inf and NaN. Wider range but coarser; used for gradients.",
                {"e5m2", "float8_e5m2"}));
  entries.push_back(
      floatInfo(fp8E4M3FnuzFormat(), "FP8 E4M3 FNUZ",
                "AMD/Graphcore variant of E4M3: bias 8, largest value 240, no negative zero and a single "
                "NaN (0x80). Used on MI300 GPUs.",
                {"float8_e4m3fnuz"}));
  entries.push_back(
      floatInfo(fp8E5M2FnuzFormat(), "FP8 E5M2 FNUZ",
                "AMD/Graphcore variant of E5M2: bias 16, largest value 57344, no infinity, no negative "
                "zero, a single NaN (0x80).",
                {"float8_e5m2fnuz"}));
  entries.push_back(
      floatInfo(fp6E3M2Format(), "FP6 E3M2",
                "6-bit float from the OCP MX spec: 3 exponent, 2 mantissa bits, largest value 28, no "
                "inf or NaN. Normally used with a shared block scale (MXFP6).",
                {"e3m2"}));
  entries.push_back(
      floatInfo(fp6E2M3Format(), "FP6 E2M3",
                "6-bit float from the OCP MX spec: 2 exponent, 3 mantissa bits, largest value 7.5, no "
                "inf or NaN: more precision, less range than E3M2.",
                {"e2m3"}));
  entries.push_back(
      floatInfo(fp4E2M1Format(), "FP4 E2M1",
                "4-bit float with 15 values: 0, ±0.5, ±1, ±1.5, ±2, ±3, ±4, ±6. Used with block scales "
                "in MXFP4 and NVFP4 (Blackwell GPUs).",
                {"fp4", "e2m1"}));
}

// The integer family (int_kernel.cpp).
void integerEntries(std::vector<FormatInfo>& entries) {
  entries.push_back(
      intInfo(1, "1-bit integer grid: codes {-1, 0} times a scale when symmetric, {0, 1} when affine. "
                 "Mostly of teaching interest; see binary for ±1."));
  for (int b = 2; b <= 8; ++b) {
    const int levels = 1 << b;
    entries.push_back(intInfo(b, std::to_string(b) + "-bit integer grid with " + std::to_string(levels) +
                                     " evenly spaced levels: signed codes " + std::to_string(-(levels / 2)) +
                                     ".." + std::to_string(levels / 2 - 1) + " (symmetric) or 0.." +
                                     std::to_string(levels - 1) + " with a zero point (affine)." +
                                     (b == 8   ? " The classic format of PyTorch and TensorRT quantization."
                                      : b == 4 ? " Used by GPTQ and AWQ with group-wise scales."
                                               : "")));
  }
  entries.push_back(intInfo(16, "16-bit integer grid (65536 levels): nearly lossless for weights; used for "
                                "accumulators and sensitive activations."));
}

// The codebook, binary/ternary and k-means families.
void codebookEntries(std::vector<FormatInfo>& entries) {
  entries.push_back(
      codebookInfo("binary", "Binary",
                   "One bit per value: its sign, times the group's mean absolute value (BinaryConnect / "
                   "XNOR-Net style binarized weights).",
                   signFamily(SignLevels::Binary)));
  entries.push_back(
      codebookInfo("ternary", "Ternary",
                   "Three levels {-1, 0, +1} in 2-bit codes: values with |w| below 0.7 x mean|w| become 0, "
                   "the rest +-(mean |w| of the kept ones), as in ternary weight networks.",
                   signFamily(SignLevels::Ternary)));
  entries.push_back(
      codebookInfo("nf4", "NF4",
                   "4-bit NormalFloat from QLoRA (bitsandbytes): 16 levels at quantiles of a normal "
                   "distribution, scaled by each block's absolute maximum.",
                   codebookFamily(&nf4Codebook())));
  entries.push_back(
      codebookInfo("fp4_bnb", "FP4 (bitsandbytes)",
                   "bitsandbytes' 4-bit float table (E2M1 with its own bias; magnitudes 0, 1/192, 1/6, "
                   "1/4, 1/3, 1/2, 2/3, 1) scaled by each block's absolute maximum.",
                   codebookFamily(&fp4BnbCodebook())));
  entries.push_back(
      codebookInfo("iq4_nl_grid", "IQ4_NL grid (absmax)",
                   "llama.cpp's non-linear 4-bit grid (kvalues_iq4nl / 127): 16 levels denser near zero, "
                   "scaled by each group's absolute maximum and rounded to the nearest level. Not "
                   "llama.cpp's quantizer, which searches the scale: that is gguf:iq4_nl.",
                   codebookFamily(&iq4nlCodebook())));
  entries.push_back(
      entry(userCodebookFamily(), "codebook", "codebook", "Custom codebook",
            "Your own list of levels (2 to 256), normalised to max |level| = 1 and scaled by each "
            "group's absolute maximum; every value goes to the nearest level.",
            {}, false)); // bits: Codebook::bits() of the config's levels
  for (int k = 1; k <= 8; ++k)
    entries.push_back(entry(
        kmeansFamily(k), "kmeans" + std::to_string(k), "codebook", "k-means " + std::to_string(k) + "-bit",
        "A learned grid: weighted k-means fits " + std::to_string(1 << k) +
            " levels to each scale group (as in Deep Compression / SqueezeLLM); the levels "
            "are stored with the group."));
}

// The MX family (mx_kernel.cpp).
void mxEntries(std::vector<FormatInfo>& entries) {
  entries.push_back(
      mxInfo("mxfp8_e4m3", "MXFP8 E4M3", MxElement::Fp8E4M3,
             "OCP Microscaling: blocks of 32 FP8 E4M3 values sharing one power-of-two scale (8-bit "
             "E8M0). 8.25 bits per value."));
  entries.back().aliases = {"mxfp8"};
  entries.push_back(
      mxInfo("mxfp8_e5m2", "MXFP8 E5M2", MxElement::Fp8E5M2,
             "OCP Microscaling: blocks of 32 FP8 E5M2 values sharing one power-of-two scale. 8.25 bits "
             "per value."));
  entries.push_back(
      mxInfo("mxfp6_e3m2", "MXFP6 E3M2", MxElement::Fp6E3M2,
             "OCP Microscaling: blocks of 32 FP6 E3M2 values sharing one power-of-two scale. 6.25 bits "
             "per value."));
  entries.push_back(
      mxInfo("mxfp6_e2m3", "MXFP6 E2M3", MxElement::Fp6E2M3,
             "OCP Microscaling: blocks of 32 FP6 E2M3 values sharing one power-of-two scale. 6.25 bits "
             "per value."));
  entries.push_back(
      mxInfo("mxfp4", "MXFP4", MxElement::Fp4E2M1,
             "OCP Microscaling: blocks of 32 FP4 E2M1 values sharing one power-of-two scale, 4.25 bits "
             "per value. Used for LLM weights (e.g. gpt-oss)."));
  entries.push_back(
      mxInfo("mxint8", "MXINT8", MxElement::Int8,
             "OCP Microscaling: blocks of 32 8-bit integers (fixed point, 6 fraction bits) sharing one "
             "power-of-two scale. 8.25 bits per value."));
}

// GGUF k-quants Q2_K, Q3_K, Q5_K (gguf_kquants_low.cpp), named gguf:*.
void ggufLowKEntries(std::vector<FormatInfo>& entries) {
  entries.push_back(
      ggufInfo("gguf:q2_k", "Q2_K", GgufType::Q2_K,
               "llama.cpp k-quant: super-blocks of 256 with 16 sub-blocks of 16, each value 2 bits "
               "(0..3) with a 4-bit scale and a 4-bit minimum per sub-block under FP16 super-scales: "
               "x = d·s·q − dmin·m. 2.625 bits per value; the base of Q2_K files, usable mainly with "
               "an importance matrix."));
  entries.back().aliases = {"q2_k"};
  entries.push_back(
      ggufInfo("gguf:q3_k", "Q3_K", GgufType::Q3_K,
               "llama.cpp k-quant: super-blocks of 256 with 16 sub-blocks of 16, each value 3 bits "
               "(−4..3, symmetric) with a signed 6-bit scale per sub-block under an FP16 super-scale. "
               "3.4375 bits per value; the base of Q3_K_S/M/L files."));
  entries.back().aliases = {"q3_k"};
  entries.push_back(
      ggufInfo("gguf:q5_k", "Q5_K", GgufType::Q5_K,
               "llama.cpp k-quant: as Q4_K with 5-bit values — super-blocks of 256, 8 sub-blocks of 32 "
               "with a 6-bit scale and minimum each under FP16 super-scales. 5.5 bits per value; the "
               "base of Q5_K_M files."));
  entries.back().aliases = {"q5_k"};
}

// The GGUF family (gguf_kernel.cpp): canonical names "gguf:<llama.cpp type,
// lowercased>", labels as llama.cpp writes them; the short names of earlier
// versions stay as aliases.
void ggufEntries(std::vector<FormatInfo>& entries) {
  entries.push_back(
      ggufInfo("q8_0", "Q8_0", GgufType::Q8_0,
               "llama.cpp: blocks of 32 signed 8-bit values with one FP16 scale (absmax / 127). "
               "8.5 bits per value, nearly lossless."));
  entries.push_back(
      ggufInfo("q4_0", "Q4_0", GgufType::Q4_0,
               "llama.cpp: blocks of 32 4-bit values with one FP16 scale, codes -8..7 where -8 is "
               "the value of largest magnitude. 4.5 bits per value."));
  entries.push_back(
      ggufInfo("q4_1", "Q4_1", GgufType::Q4_1,
               "llama.cpp: blocks of 32 4-bit values with an FP16 scale and an FP16 minimum (min..max "
               "in 16 steps). 5 bits per value."));
  entries.push_back(
      ggufInfo("q5_0", "Q5_0", GgufType::Q5_0,
               "llama.cpp: blocks of 32 5-bit values (codes -16..15) with one FP16 scale. 5.5 bits per "
               "value."));
  entries.push_back(
      ggufInfo("q5_1", "Q5_1", GgufType::Q5_1,
               "llama.cpp: blocks of 32 5-bit values with an FP16 scale and minimum. 6 bits per value."));
  entries.push_back(
      ggufInfo("q4_k", "Q4_K", GgufType::Q4_K,
               "llama.cpp k-quant: super-blocks of 256 with 8 sub-blocks of 32, each with a 6-bit scale "
               "and minimum under FP16 super-scales. 4.5 bits per value; the base of Q4_K_M files."));
  entries.push_back(
      ggufInfo("q6_k", "Q6_K", GgufType::Q6_K,
               "llama.cpp k-quant: super-blocks of 256 with 16 sub-blocks of 16, 6-bit values and "
               "8-bit scales under an FP16 super-scale. 6.5625 bits per value."));
  ggufLowKEntries(entries);
  // IQ4, ternary and FP4 types (gguf_iq4.cpp, gguf_ternary.cpp, gguf_fp4.cpp).
  entries.push_back(ggufInfo(
      "iq4_nl", "IQ4_NL", GgufType::IQ4_NL,
      "llama.cpp's non-linear 4-bit type: blocks of 32, each value an index into the fixed 16-level grid "
      "kvalues_iq4nl (-127 .. 113, denser near zero) times the block's FP16 scale. The scale is not the "
      "absmax: llama-quantize tries 15 candidate scales and keeps the one with the least x^2-weighted "
      "squared error (imatrix-weighted with an importance matrix). 4.5 bits per value."));
  entries.push_back(ggufInfo(
      "iq4_xs", "IQ4_XS", GgufType::IQ4_XS,
      "llama.cpp: IQ4_NL's 16-level grid in super-blocks of 256 with one FP16 scale; each block of 32 "
      "has its own 6-bit scale (-32..31 times the super-scale), found by the same 15-candidate search, "
      "and the indices are picked again with the stored scales. 4.25 bits per value."));
  entries.push_back(
      ggufInfo("tq1_0", "TQ1_0", GgufType::TQ1_0,
               "llama.cpp ternary type for BitNet b1.58 / TriLM weights: values become -1, 0 or +1 times the "
               "absmax of each 256 (FP16), rounded to nearest; five ternary digits are packed into one byte "
               "(3^5 = 243 < 256). 1.6875 bits per value."));
  entries.push_back(ggufInfo(
      "tq2_0", "TQ2_0", GgufType::TQ2_0,
      "llama.cpp ternary type: the same -1/0/+1 times absmax per 256 as TQ1_0, stored 2 bits per value "
      "(faster to unpack). 2.0625 bits per value."));
  entries.push_back(ggufInfo(
      "mxfp4", "MXFP4", GgufType::MXFP4,
      "llama.cpp's MXFP4 (gpt-oss files): 32 FP4 E2M1 values with an E8M0 scale 2^(floor(log2 amax) - 2), "
      "the OCP MX rule. It differs from the OCP format `mxfp4` in two places: a value halfway between two "
      "levels goes to the smaller magnitude (0.75 -> 0.5, 1.75 -> 1.5, 3.5 -> 3) where OCP rounds to "
      "even, and the exponent comes from the C library's log2f, which rounds an amax just below a power "
      "of two up to it (one exponent higher). No NaN scale. 4.25 bits per value.",
      false));
  entries.push_back(ggufInfo(
      "nvfp4", "NVFP4", GgufType::NVFP4,
      "llama.cpp's NVFP4: blocks of 64 FP4 E2M1 values in four sub-blocks of 16, each with an unsigned "
      "E4M3 scale amax / 6 (rounded half up). Unlike NVIDIA's NVFP4 there is no per-tensor FP32 scale, "
      "so the sub-scales are E4M3 values themselves: amax / 6 at or above 256 becomes 448, below "
      "about 2^-10 it becomes 0; halfway values go to the smaller magnitude. 4.5 bits per value.",
      false));
}

// The NVFP4 family (nvfp4_kernel.cpp): the published rule and the two block
// scale choices practitioners compare with it.
void nvfp4Entries(std::vector<FormatInfo>& entries) {
  entries.push_back(
      entry(nvfp4Family(Nvfp4ScaleRule::Rne), "nvfp4", "block", "NVFP4",
            "NVIDIA Blackwell FP4: blocks of 16 E2M1 values, each with an FP8 E4M3 scale, under "
            "one FP32 scale per tensor (amax / (6 x 448)). 4.5 bits per value."));
  entries.push_back(entry(nvfp4Family(Nvfp4ScaleRule::MseSearch), "nvfp4_mse", "block", "NVFP4 (MSE scale)",
                          "NVFP4 with each block's E4M3 scale searched: the 4 codes on either side of the "
                          "rounded scale are tried and the one with the least squared error is kept."));
  entries.push_back(entry(nvfp4Family(Nvfp4ScaleRule::FourOverSix), "nvfp4_4over6", "block",
                          "NVFP4 (4 over 6)",
                          "NVFP4 where each block's largest value maps to 4 or to 6 on the E2M1 grid, "
                          "whichever gives the less squared error; the tensor scale is amax / (6 x 256)."));
}

std::vector<FormatInfo> buildRegistry() {
  std::vector<FormatInfo> formats;
  floatEntries(formats);
  integerEntries(formats);
  codebookEntries(formats);
  mxEntries(formats);
  ggufEntries(formats);
  nvfp4Entries(formats);
  return formats;
}

std::string knownList() {
  std::string s;
  for (const FormatInfo& f : allFormats())
    s += (s.empty() ? "" : ", ") + f.name;
  return s + ", eXmY";
}

const FormatInfo* findBuiltIn(const std::string& key) {
  for (const FormatInfo& f : allFormats()) {
    if (f.name == key)
      return &f;
    if (std::find(f.aliases.begin(), f.aliases.end(), key) != f.aliases.end())
      return &f;
  }
  return nullptr;
}

// "eXmY" user floats, made on first use and kept so references stay valid.
const FormatInfo* findUserFloat(const std::string& key) {
  static const std::regex pattern("e([0-9]{1,2})m([0-9]{1,2})");
  std::smatch m;
  if (!std::regex_match(key, m, pattern))
    return nullptr;
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<FormatInfo>> cache;
  const std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(key);
  if (it != cache.end())
    return it->second.get();
  const FloatFormat f =
      makeFloatFormat(std::stoi(m[1].str()), std::stoi(m[2].str())); // throws when out of range
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.7g", f.maxValue());
  const std::string description = "Your own float: 1 sign, " + std::to_string(f.exponentBits) +
                                  " exponent and " + std::to_string(f.mantissaBits) +
                                  " mantissa bits, bias " + std::to_string(f.bias) +
                                  ", no inf or NaN, saturating at ±" + buf + ".";
  std::string label = key;
  std::transform(label.begin(), label.end(), label.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  auto info = std::make_unique<FormatInfo>(floatInfo(f, "", ""));
  info->label = "FP" + std::to_string(f.bits()) + " " + label;
  info->description = description;
  const FormatInfo* out = info.get();
  cache.emplace(key, std::move(info));
  return out;
}

} // namespace

const std::vector<FormatInfo>& allFormats() {
  static const std::vector<FormatInfo> formats = buildRegistry();
  return formats;
}

const FormatInfo& findFormat(const std::string& name) {
  const std::string key = lower(name);
  if (const FormatInfo* f = findBuiltIn(key))
    return *f;
  if (const FormatInfo* f = findUserFloat(key))
    return *f;
  throw Error("unknown format '" + name + "' (known: " + knownList() + ")");
}

bool isKnownFormat(const std::string& name) {
  try {
    findFormat(name);
    return true;
  } catch (const Error&) {
    return false;
  }
}

} // namespace qs
