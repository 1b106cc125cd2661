#pragma once
// QuantResult: everything one quantization run produces, immutable once
// built. Views receive std::shared_ptr<const QuantResult> and only draw it.
#include "core/quant/quant_config.h"
#include "core/tensor.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace qs {

// Metric definitions (README and GUI tooltips use the same words):
//   mse = mean((x-q)^2); rmse = sqrt(mse); maxAbsError = max|x-q|
//   sqnrDb = 20*log10(||x||_2 / ||x-q||_2)  (PyTorch Numeric Suite / ONNX Runtime
//            definition, in dB; +inf when the error is zero, which JSON writes as null)
//   cosine = <x,q> / (||x|| ||q||)  (1 when both are zero)
//   clippedFraction = share of finite values outside the clip range (for a
//            plain cast: beyond +-the format's max)
//   bitsPerElement = code bits + (scale + zero-point bits) / group size, with
//            the true storage: fp32 scales, E8M0 for MX, llama.cpp's block bytes
//            for GGUF, 2^K fp32 centroids per group for k-means; a cast has none
//   codeEntropyBits = Shannon entropy of the code histogram (0 when the format
//            has more than 2^16 codes: FP32, TF32)
// All of them skip NaN/inf inputs (counted in nonFinite). A format that
// overflows a finite input to inf (FP16 cast of 1e6, a GGUF fp16 scale beyond
// 65504) makes mse / maxAbsError inf, sqnrDb -inf and cosine 0: never NaN.
struct Metrics {
  double mse = 0, rmse = 0, maxAbsError = 0, sqnrDb = 0, cosine = 1;
  double clippedFraction = 0, bitsPerElement = 0, codeEntropyBits = 0;
  int64_t count = 0;     // finite values measured
  int64_t nonFinite = 0; // NaN/Inf inputs (excluded from the metrics)
};

// histOriginal spans [min, max] of the finite inputs (+-0.5 around a constant);
// histDequantized uses the same bins, values outside go to the edge bins;
// histError spans [-R, R) with R the smallest power-of-two multiple of a tiny
// base above max |error| (so max|error| < R <= 2 max|error|): counts stay
// exact while the range grows in one pass, and (for a power-of-two bin count)
// do not depend on the thread count.
struct Histogram {
  double lo = 0, hi = 0; // bin i covers [lo + i*w, lo + (i+1)*w), the last bin includes hi
  std::vector<double> counts;
  double binWidth() const { return counts.empty() ? 0 : (hi - lo) / double(counts.size()); }
};

// Per-channel statistics along the 2-D view's rows (QuantResult::viewAxis); population
// std, biased excess kurtosis (scipy.stats.kurtosis defaults; 0 for a constant row).
struct ChannelStats {
  std::vector<float> absMax, mean, stdDev, kurtosis; // kurtosis: excess, Fisher
  std::vector<int64_t> outlierChannels;              // absMax > 6 x median absMax
};

// topErrors / topMagnitude: sorted by |error| (|x|) descending, ties by index.
struct TopEntry {
  int64_t index = 0;        // flat index into the tensor
  int64_t row = 0, col = 0; // in the 2-D view
  float original = 0, dequantized = 0, error = 0;
};

// |error| over the 2-D view pooled to width x height cells (width <= cols,
// height <= rows). Cell (i, j) covers rows [ceil(i*rows/height),
// ceil((i+1)*rows/height)) and the same for columns; NaN/inf inputs are skipped.
struct ErrorMap {
  int width = 0, height = 0;
  int64_t rows = 0, cols = 0;                     // the 2-D view it pools
  std::vector<float> maxAbs, meanAbs, meanSigned; // row-major, height x width
};

// With QuantConfig::rotation the format quantized the rotated tensor R·x
// (core/quant/hadamard.h) and R^T·q came back: the metrics, histograms, error
// map, channel statistics and top-k lists are in the original basis; codes,
// scales, clip ranges, levels, code counts, code entropy and clippedFraction
// belong to the rotated tensor. Here: the rotated input beside the original.
struct RotationReport {
  bool applied = false;         // QuantConfig::rotation was not none
  int64_t rowLength = 0;        // n: the reduction axis, every axis but the output channels
  int64_t block = 0;            // b: the largest power of two dividing n
  std::string note;             // said when b < n ("block-diagonal") or b == 1 ("no rotation")
  Histogram histRotated;        // over the rotated input's own [min, max], same bin count
  ChannelStats channelsRotated; // per output channel, as `channels`
  double kurtosisOriginal = 0, kurtosisRotated = 0; // excess kurtosis of all values
  double absMaxOriginal = 0, absMaxRotated = 0;
};

struct QuantResult {
  std::string tensorName;
  Shape shape;
  QuantConfig config;      // as resolved for this tensor (overrides applied)
  Granularity granularity; // the granularity actually used (axis resolved)
  // The axis whose indices are the rows of the error map, the channel
  // statistics and the top-k entries: the channel axis used, else the
  // tensor's output-channel axis (the view is channelView(shape, viewAxis)).
  int viewAxis = 0;
  std::string formatLabel; // "INT4 sym · group 128 along axis 1"

  std::vector<float> dequantized; // same shape as the input
  // Integer code per element (bit pattern for floats; the unsigned nibble/5-bit
  // code for GGUF Q4/Q5); empty when AnalysisOptions::keepCodes is false and
  // for GGUF K-quants, whose nested scales are not unpacked.
  std::vector<int32_t> codes;
  int codeBits = 0;
  int32_t codeMin = 0; // codeCounts[i] counts code codeMin + i

  Shape scaleShape;                  // e.g. [out, in/groupSize]
  std::vector<float> scales;         // one per scale group
  std::vector<int32_t> zeroPoints;   // empty when symmetric
  std::vector<float> realZeroPoints; // HQQ's real-valued zero points (zeroPoints is empty then)
  // Per scale group clip range (empty for MX/GGUF blocks): +-T for grids
  // symmetric around zero (symmetric INT, floats, codebooks, binary/ternary;
  // T = max |calibrated range|), the calibrated [lo, hi] for affine INT and k-means.
  std::vector<float> clipLo, clipHi;
  std::vector<float> offsets;       // GGUF Q4_1/Q5_1: per block minimum m (x ~ d*q + m)
  std::vector<float> segmentLevels; // k-means: 2^K centroids per scale group, segment after segment
  // How `scales` are stored (core/quant/scale_format.h): `scales` are the
  // stored values the elements are dequantized with; this holds the scale
  // format, the fitted scales and codes beside them and a second level
  // (NVFP4's FP32 tensor scale, int8dq's absmax per 256 scales and mean).
  StoredScales storedScales;

  // Representable values of the first scale group (what the histogram draws as
  // levels); for per-tensor scales they are exact for the whole tensor.
  std::vector<float> levels;

  Metrics metrics;
  Histogram histOriginal, histDequantized, histError;
  std::vector<double> codeCounts; // occupancy of each code (empty when > 2^16 codes)
  ChannelStats channels;
  std::vector<TopEntry> topErrors;    // largest |error|
  std::vector<TopEntry> topMagnitude; // largest |x|
  ErrorMap errorMap;
  RotationReport rotation;

  double quantizeMs = 0, analyzeMs = 0;
};

// The parts of the analysis that depend on the input alone: the same for every
// config of one tensor (with the same bins and top-k). A caller that quantizes
// one tensor again and again (the GUI, sweeps) takes it from the first result
// and passes it in AnalysisOptions::summary, so later runs skip the original
// histogram, the channel statistics and the top-|x| search.
struct TensorSummary {
  Shape shape;
  int viewAxis = 0;
  int bins = 0, topK = 0;
  Histogram histOriginal;
  ChannelStats channels;
  std::vector<TopEntry> topMagnitude; // dequantized/error are filled in per result

  // `topK` as asked of the run that made `r` (AnalysisOptions::topK).
  static std::shared_ptr<const TensorSummary> fromResult(const QuantResult& r, int topK) {
    auto s = std::make_shared<TensorSummary>();
    s->shape = r.shape;
    s->viewAxis = r.viewAxis;
    s->bins = int(r.histOriginal.counts.size());
    s->topK = topK < 0 ? 0 : topK;
    s->histOriginal = r.histOriginal;
    s->channels = r.channels;
    s->topMagnitude = r.topMagnitude;
    return s;
  }
};

} // namespace qs
