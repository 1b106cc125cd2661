#pragma once
// One interface for every format family (docs/ARCHITECTURE.md, "Formats"):
// the quantizer, the layer code, the CLI and the plots ask a FormatKernel
// instead of switching on a format's name or kind. A kernel is made per
// quantize call by its registry entry (format_registry.h) from the config,
// so it may hold per-call state (the k-means centroids of every segment).
//
// Contracts shared by every family:
//  - non-finite inputs pass through unchanged, with code 0 (the zero point
//    for affine integers);
//  - codes are stored as `code - codeMin()` in occupancy counts;
//  - the kernel is switched on once per call, never per element.
#include "core/calib/clip_range.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace qs {

struct SegmentParams {
  float scale = 1.0f, invScale = 1.0f;
  int32_t zeroPoint = 0;
  float lo = 0, hi = 0; // clip range
  float threshold = 0;  // ternary: |w| > threshold -> +-scale
  float offset = 0;     // GGUF _1 formats: the block minimum m
  // HQQ: a real-valued zero point; codes = clamp(round(x·invScale + zero)),
  // values (code − zero)·scale (zeroPoint is unused then).
  bool realZero = false;
  float zero = 0;
  // The scale as fitted before it was stored in a narrower format (a scale
  // format, core/quant/scale_format.h, or NVFP4's E4M3 block scale); 0 when
  // the scale is stored as fitted.
  float fitted = 0;
};

// What the per-segment export (QuantResult scales etc.) holds besides the scale.
struct ScaleExport {
  bool zeroPoints = false; // affine integers
  bool offsets = false;    // block minimum (GGUF Q4_1 / Q5_1)
  bool centroids = false;  // fitted levels of every segment (k-means)
};

// What a kernel takes from the quantization config (core/quant/format_config.h
// makes it from a QuantConfig).
struct KernelOptions {
  bool symmetric = true;     // integers: signed codes, no zero point
  bool stochastic = false;   // stochastic rounding instead of nearest
  uint64_t seed = 0;         // of stochastic rounding and k-means starts
  std::vector<float> levels; // the user's codebook levels
};

// The importance of one fixed block's values (Tensor::importance), as
// llama.cpp's weighted quantizers take it: a weight per value, and for the
// legacy types (Q4_0 … Q5_1) sigma2 = Σx²/n of the block's whole tensor row,
// summed in float in row order.
struct BlockWeights {
  const float* w = nullptr; // one per value of the block; null: no importance
  float rowSigma2 = 0;
};

// How a format is scaled when the config does not say (format_config.h maps
// it to a Granularity). Tiles: square blocks of usualGroupSize() on a side of
// the [out, in·kh·kw] view (DeepSeek-V3's FP8 weights: 128 x 128).
enum class DefaultScaling { Cast, PerTensor, PerChannel, FixedBlock, Tiles };

// Counter-based uniform in [0, 1) from (seed, element index): the same value
// for an element whatever the thread count or chunking.
inline float uniformAt(uint64_t seed, uint64_t index) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return float(z >> 40) * (1.0f / 16777216.0f);
}

class FormatKernel {
public:
  virtual ~FormatKernel() = default;

  // ---- description of the grid
  virtual std::string label() const = 0; // display name incl. config ("INT4 sym")
  virtual int codeBits() const = 0;      // bits of one element code
  virtual int32_t codeMin() const { return 0; }
  // Distinct codes; 0 when codes are not produced or too many to count (> 2^16).
  virtual int codeCount() const = 0;
  virtual DefaultScaling defaultScaling() const { return DefaultScaling::PerChannel; }
  // Elements per block when the format fixes its granularity (MX, GGUF); 0 otherwise.
  virtual int fixedBlock() const { return 0; }
  // The group size this format is usually given (GPTQ/AWQ INT4 and INT8: 128;
  // bitsandbytes NF4/FP4: 64): what "per group" starts with.
  virtual int64_t usualGroupSize() const { return 128; }
  // Storage besides the codes per scale segment (scale, zero point,
  // centroids) or per fixed block: bits per element = codeBits + this * segments / n.
  virtual double overheadBitsPerSegment() const = 0;
  virtual ScaleExport scaleExport() const { return {}; }
  // Representable values of a segment, sorted; empty when the code set has
  // more than 2^maxCodeBits members.
  virtual std::vector<float> levels(const SegmentParams& p, int64_t segment, int maxCodeBits = 12) const = 0;

  // ---- two-level formats (NVFP4): the tensor's statistics before any block
  // or segment, once per quantize call (core/pipeline/calibrate.cpp).
  virtual void prepareTensor(const DataStats& global) { (void)global; }
  // The second-level scale fixed by prepareTensor (NVFP4's FP32 per-tensor
  // scale); 0 for formats with one level.
  virtual float tensorScale() const { return 0.0f; }

  // ---- scale segments (formats without a fixed block)
  // True when fitParams needs only the clip range, not the values (per-group
  // fits from a running min/max, as GPTQ does).
  virtual bool fitsFromRange() const { return false; }
  virtual void reserveSegments(int64_t segments) { (void)segments; }
  // Parameters of a segment x[0, n) with clip range r, storing nothing.
  virtual SegmentParams fitParams(const float* x, int64_t n, ClipRange r) const = 0;
  // As fitParams, keeping per-segment state (k-means centroids) under `segment`.
  virtual SegmentParams fit(const float* x, int64_t n, ClipRange r, int64_t segment) {
    (void)segment;
    return fitParams(x, n, r);
  }
  // Quantizes x[0, n), part of one segment; `index0` = working index of x[0]
  // for stochastic rounding; codes may be null.
  virtual void apply(const SegmentParams& p, int64_t segment, const float* x, int64_t n, float* deq,
                     int32_t* codes, uint64_t index0) const = 0;
  virtual float codeValue(const SegmentParams& p, int64_t segment, int32_t code) const = 0;
  // Fitted levels of a segment when scaleExport().centroids; else null.
  virtual const std::vector<float>* centroids(int64_t segment) const {
    (void)segment;
    return nullptr;
  }
  // Sum of squared errors of a nearest-rounding trial with clip range r (MSE
  // clip search); thread-safe, stores nothing.
  virtual double trialMse(const float* x, int64_t n, ClipRange r, std::vector<float>& scratch) const;

  // ---- plain casts (granularity none): float formats only
  virtual bool castable() const { return false; }
  // Largest finite magnitude of a cast (its overflow threshold).
  virtual float castMax() const { return 0.0f; }
  virtual void applyCast(const float* x, int64_t n, float* deq, int32_t* codes, uint64_t index0) const;

  // ---- fixed blocks: one whole block (n <= fixedBlock(), the last may be short)
  // `weights`: the importance of the n values (weights.w null when there is
  // none); kernels without a weighted path ignore it.
  virtual SegmentParams applyBlock(const float* x, int64_t n, float* deq, int32_t* codes,
                                   const BlockWeights& weights) const;
  // True when applyBlock's result depends on `weights` (the GGUF types with
  // a weighted llama.cpp quantizer); the label then says "imatrix".
  virtual bool usesImportance() const { return false; }
  // Stored block bytes -> values, codes (may be null) and parameters; false
  // for families without a byte layout of their own.
  virtual bool unpackBlock(const uint8_t* bytes, float* values, int32_t* codes, SegmentParams& p) const;

protected:
  // Nearest-rounding apply for trialMse (kernels that round stochastically
  // still score clip ranges with nearest rounding).
  virtual void applyNearest(const SegmentParams& p, int64_t segment, const float* x, int64_t n,
                            float* deq) const;
};

// Builds a family's kernel for these options under the registry entry's display label.
using KernelFactory = std::function<std::unique_ptr<FormatKernel>(const KernelOptions&, const std::string&)>;

// Sorted, without duplicates: the form levels() returns.
std::vector<float> sortedLevels(std::vector<float> v);

// Sum over finite x of (x - q)^2: float partial sums per 1024, double across.
double sumSquaredError(const float* x, const float* q, int64_t n);

} // namespace qs
