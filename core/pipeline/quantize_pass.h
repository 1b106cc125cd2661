#pragma once
// Stage 3 of quantize(): quantizes the working array range by range (whole
// segments or part of one) into the output buffers, and counts per thread
// what the analysis needs: the occupancy of every code and the clipped values.
#include "core/metrics/analysis.h"
#include "core/pipeline/block_importance.h"
#include "core/pipeline/calibrate.h"
#include "core/pipeline/quant_plan.h"

#include <cstdint>
#include <vector>

namespace qs {

struct PassCounting {
  bool codes = false;   // occupancy of every code
  bool clipped = false; // finite values outside the clip range (a cast: overflow)
  // Fill each thread's dequantized histogram from the code counts of every
  // segment (each code of a segment has one value) instead of a scatter per element.
  bool dequantizedFromCodes = false;
  bool anyNonFinite = false;                        // NaN/inf inputs get codes that are not counted
  std::vector<Accumulator>* accumulators = nullptr; // one per thread, for dequantizedFromCodes
};

class QuantizePass {
public:
  // The working layout's input, its dequantized output and codes (may be
  // null), and the importance weights of the blocks (may be null).
  struct Buffers {
    const float* work = nullptr;
    float* dequantized = nullptr;
    int32_t* codes = nullptr;
    const BlockImportance* importance = nullptr;
  };
  QuantizePass(const QuantPlan& plan, const FormatKernel& kernel, Calibration& calibration, Buffers buffers,
               PassCounting counting, int threads);

  // Working elements [begin, end) on OpenMP thread `thread`.
  void run(int64_t begin, int64_t end, int thread);
  // Everything, in chunks of whole segments over the OpenMP threads.
  void runAll(ParallelErrors& errors);

  int64_t clippedCount() const;
  // Occupancy of code codeMin + i, summed over the threads (counting.codes only).
  std::vector<int64_t> codeCounts() const;

private:
  struct ThreadState {
    std::vector<int64_t> codeCounts, segmentCounts;
    std::vector<int32_t> countScratch, codeScratch;
    int64_t clipped = 0;
  };
  void quantizeRun(int64_t segment, int64_t begin, int64_t length, int32_t* codes, ThreadState& state);
  void addSegmentCodes(int64_t segment, int64_t begin, int64_t length, const int32_t* codes,
                       ThreadState& state, int thread);
  void uncountNonFinite(const float* x, const int32_t* codes, int64_t length,
                        std::vector<int64_t>& counts) const;

  const QuantPlan& plan_;
  const FormatKernel& kernel_;
  std::vector<SegmentParams>& params_;
  Buffers buffers_;
  PassCounting counting_;
  int32_t codeMin_;
  int codeCount_;
  float castMax_;
  std::vector<ThreadState> threads_;
};

} // namespace qs
