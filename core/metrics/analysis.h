#pragma once
// The analysis of one quantization: error metrics, histograms, per-channel
// statistics, top-k lists and the pooled error map, accumulated tile by tile
// over the 2-D view [shape[0], rest] of the original (x) and dequantized (q)
// values so that quantize() can run it right after quantizing a tile, while
// both are still in cache. Thread-safe by construction: every OpenMP thread
// owns one Accumulator; finish() merges them in a fixed order.
#include "core/quant/quant_result.h"

#include <cstdint>
#include <vector>

namespace qs {

struct AnalysisPlan {
  ChannelView view;           // the tensor as [rows, cols]; the tiles read it in this order
  int64_t rows = 0, cols = 0; // the 2-D view
  int mapW = 0, mapH = 0;     // error map cells (<= cols, <= rows)
  int bins = 256;             // histogram bins
  int topK = 20;
  double histLo = 0, histHi = 1; // original / dequantized histogram range
  double errRange0 = 1;          // initial half-range of the error histogram (a power of two)
  bool fusedChannelStats = true; // tiles are whole cell rows
  // Tiles: cell row i (whole rows) when fused, else (row, column block).
  int64_t numTiles() const;
  int64_t cellRowBegin(int64_t i) const { return (i * rows + mapH - 1) / mapH; }
  int64_t cellColBegin(int64_t j) const { return (j * cols + mapW - 1) / mapW; }
  int colBlocks = 1; // column blocks per row when not fused (each a run of map cells)
};

// `viewAxis`: the rows of the view (channelView); top-k indices are given in
// the tensor's order, rows and columns in the view's.
AnalysisPlan makeAnalysisPlan(const Shape& shape, int bins, int mapWidth, int mapHeight, int topK,
                              double dataMin, double dataMax, int viewAxis = 0);

// The flat element range [begin, end) a tile covers (tiles are contiguous).
void tileRange(const AnalysisPlan& plan, int64_t tile, int64_t& begin, int64_t& end);

class Accumulator {
public:
  explicit Accumulator(const AnalysisPlan& plan);
  // Adds one tile; writes the tile's error-map cells and channel stats directly
  // into `result` (tiles own disjoint cells and rows).
  void addTile(int64_t tile, const float* x, const float* q, QuantResult& result);
  void merge(const Accumulator& other);

  // The dequantized histogram can be filled by the caller from code counts
  // (every code of a segment has one value): then addTile skips its scatter.
  // The caller adds into the first of its copies: bins [0, bins).
  void setDequantizedFromCodes() { directQ_ = false; }
  // The caller has the input-only products (TensorSummary): skip the original
  // histogram, the channel statistics and the top-|x| list.
  void skipInputAnalysis();
  std::vector<int64_t>& dequantizedHistogram() { return histQ_; }
  int histogramBin(float v) const;

  // Final metrics/histograms/top-k into result (map means, channel outliers).
  void finish(QuantResult& result) const;

private:
  struct Top {
    float value; // |error| or |x|
    int64_t index;
    float x, q;
  };
  void pushTop(std::vector<Top>& heap, float& threshold, const Top& t);
  void growError(double needed, bool strictlyAbove);
  struct Cell {
    double maxAbs = 0, sumAbs = 0, sumSigned = 0;
    int64_t count = 0;
  };
  void addRow(int64_t row, int64_t j0, int64_t j1, const float* x, const float* q, std::vector<Cell>& cells);
  void flushCells(std::vector<Cell>& cells);
  static constexpr size_t kCellLanes = 32; // per cell: 8 lanes each of sum |e|, sum e, max |e|, count
  std::vector<float> cellLanes_;

  const AnalysisPlan* plan_;
  // Sum e^2, sum x*e, sum x^2 per tile, added up in tile order by finish():
  // the metrics do not depend on which thread took which tile.
  std::vector<double> tileSums_;
  double* tileSum_ = nullptr; // the slot of the tile being added
  double maxAbsErr_ = 0;
  bool directQ_ = true;
  bool inputDone_ = false; // skipInputAnalysis()
  int64_t finite_ = 0, nonFinite_ = 0;
  double histScale_ = 0;
  // kCopies scatter copies of bins + 1 counters each (the extra one takes
  // non-finite inputs and is dropped); finish() folds the copies.
  static constexpr size_t kCopies = 4;
  static void scatter(const int32_t* bins, int64_t n, int64_t* h, size_t stride);
  std::vector<int64_t> histX_, histQ_, histE_;
  std::vector<int32_t> bx_, be_, bq_; // per-row bin scratch
  double errRange_ = 1;
  std::vector<Top> topErr_, topMag_;
  float thrErr_ = -1, thrMag_ = -1;
};

// Per-row channel statistics for rows [r0, r1) of x (two passes per row).
void channelStatsRows(const float* x, int64_t cols, int64_t r0, int64_t r1, ChannelStats& out);
// Outlier channels: absMax > 6 x median absMax.
void markOutlierChannels(ChannelStats& stats);

} // namespace qs
