// Block granularity (2-D tiles of the [out, rest] view) against
// tests/data/block_refs.py: DeepSeek-V3's block FP8 (amax / 448 per 128 x 128
// tile), its per-token-per-128-channel activations, affine integers on tiles;
// and the analysis of a tiled result staying in the tensor's own order.
#include "core/error.h"
#include "core/formats/format_registry.h"
#include "core/pipeline/quantize.h"
#include "core/quant/config_check.h"
#include "core/quant/format_config.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>

namespace qs {
namespace {

const std::string& refDir() {
  static const std::string dir = [] {
    const std::string out = std::string(QS_TEST_OUT_DIR) + "/block_refs";
    const std::string cmd = std::string(QS_PYTHON) + " " + QS_SOURCE_DIR + "/tests/data/block_refs.py " + out;
    if (std::system(cmd.c_str()) != 0)
      throw Error("failed: " + cmd);
    return out;
  }();
  return dir;
}

template <class T> std::vector<T> readRef(const std::string& name) {
  std::ifstream f(refDir() + "/" + name, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<T> v(bytes.size() / sizeof(T));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
  return v;
}

struct RefCase {
  Tensor tensor;
  std::vector<float> deq, scales;
  std::vector<int32_t> zeroPoints;
};

RefCase loadCase(const std::string& name, const Shape& shape, bool affine = false) {
  RefCase c;
  c.tensor.name = name;
  c.tensor.shape = shape;
  c.tensor.values = readRef<float>(name + ".in.f32");
  c.deq = readRef<float>(name + ".deq.f32");
  c.scales = readRef<float>(name + ".scale.f32");
  if (affine)
    c.zeroPoints = readRef<int32_t>(name + ".zp.i32");
  EXPECT_EQ(c.tensor.values.size(), size_t(shapeNumel(shape))) << name;
  EXPECT_EQ(c.deq.size(), c.tensor.values.size()) << name;
  return c;
}

// Bit for bit (the sign of zero included); reports the first few differences.
void expectBits(const std::vector<float>& got, const std::vector<float>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  int shown = 0;
  int64_t mismatches = 0;
  for (size_t i = 0; i < want.size(); ++i)
    if (std::bit_cast<uint32_t>(got[i]) != std::bit_cast<uint32_t>(want[i])) {
      ++mismatches;
      if (shown++ < 5)
        ADD_FAILURE() << what << " element " << i << ": " << got[i] << " vs " << want[i];
    }
  EXPECT_EQ(mismatches, 0) << what;
}

void checkCase(const RefCase& ref, const QuantConfig& config, const Shape& scaleShape) {
  SCOPED_TRACE(ref.tensor.name);
  const auto r = quantize(ref.tensor, config);
  EXPECT_EQ(r->scaleShape, scaleShape);
  expectBits(r->scales, ref.scales, "scale");
  expectBits(r->dequantized, ref.deq, "dequantized");
  if (!ref.zeroPoints.empty()) {
    EXPECT_EQ(r->zeroPoints, ref.zeroPoints);
  }
  // The quantization without the analysis is the same values.
  expectBits(fakeQuantize(ref.tensor, config), ref.deq, "fakeQuantize");
}

QuantConfig blockConfig(const std::string& format, int64_t rows, int64_t cols, bool symmetric = true) {
  QuantConfig c;
  c.format = format;
  c.symmetric = symmetric;
  c.granularity = Granularity{GranularityKind::Block, kAutoAxis, 128, rows, cols};
  return c;
}

// DeepSeek-V3: the fp8_block preset alone means 128 x 128 tiles with amax / 448.
TEST(BlockGranularity, DeepSeekFp8WeightsOf4096x4096) {
  const RefCase ref = loadCase("fp8_4096", {4096, 4096});
  QuantConfig c;
  c.format = "fp8_block";
  const auto r = quantize(ref.tensor, c);
  EXPECT_EQ(r->granularity.kind, GranularityKind::Block);
  EXPECT_EQ(r->granularity.blockRows, 128);
  EXPECT_EQ(r->granularity.blockCols, 128);
  EXPECT_EQ(r->scaleShape, (Shape{32, 32}));
  expectBits(r->scales, ref.scales, "scale");
  expectBits(r->dequantized, ref.deq, "dequantized");
  // 8-bit codes and one FP32 scale per 16384 values.
  EXPECT_DOUBLE_EQ(r->metrics.bitsPerElement, 8.0 + 32.0 / 16384.0);
  // The outlier columns raise the scale of the tiles they cross: scales differ by tile.
  const auto [lo, hi] = std::minmax_element(r->scales.begin(), r->scales.end());
  EXPECT_GT(*hi, 5 * *lo);
}

TEST(BlockGranularity, RaggedEdgeTilesFp8) {
  const RefCase ref = loadCase("fp8_300x200", {300, 200});
  checkCase(ref, blockConfig("fp8_e4m3", 128, 128), {3, 2});
  QuantConfig preset;
  preset.format = "fp8_block";
  checkCase(ref, preset, {3, 2});
}

TEST(BlockGranularity, AffineIntegersOnTiles) {
  checkCase(loadCase("int8_asym", {300, 200}, true), blockConfig("int8", 64, 48, false), {5, 5});
  checkCase(loadCase("int4_asym", {300, 200}, true), blockConfig("int4", 128, 128, false), {3, 2});
  // A conv weight [out, in, kh, kw]: tiles of [out, in·kh·kw] = [40, 54].
  checkCase(loadCase("int4_conv", {40, 6, 3, 3}, true), blockConfig("int4", 16, 20, false), {3, 3});
  // A Keras kernel [kh, kw, in, out]: the output channels are the last axis.
  RefCase keras = loadCase("int4_keras", {3, 3, 6, 40}, true);
  QuantConfig c = blockConfig("int4", 16, 20, false);
  c.granularity->axis = 3;
  checkCase(keras, c, {3, 3});
  keras.tensor.layout.outAxis = 3; // as a Keras file's reader infers it: auto finds it
  checkCase(keras, blockConfig("int4", 16, 20, false), {3, 3});
}

// DeepSeek's act_quant: per token, per 128 channels, amax / 448, as group 128
// on [tokens, channels] and as the same thing in 1 x 128 tiles.
TEST(BlockGranularity, DeepSeekActivationsPerTokenPer128Channels) {
  const RefCase ref = loadCase("act_fp8", {64, 1000});
  QuantConfig group;
  group.format = "fp8_e4m3";
  group.granularity = Granularity{GranularityKind::Group, 0, 128};
  checkCase(ref, group, {64, 8});
  checkCase(ref, blockConfig("fp8_e4m3", 1, 128), {64, 8});
}

// The error map, channel statistics and top errors are in the tensor's own
// order (rows = output channels), whatever order the tiles were quantized in.
TEST(BlockGranularity, AnalysisStaysInTensorOrder) {
  for (int axis : {0, 1}) {
    Tensor t;
    t.name = "w";
    t.shape = {90, 70};
    std::mt19937 rng(3);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    for (int64_t i = 0; i < 90 * 70; ++i)
      t.values.push_back(nd(rng) * (1.0f + float(i % 70) / 10.0f));
    QuantConfig c = blockConfig("int4", 16, 24);
    c.granularity->axis = axis;
    AnalysisOptions o;
    const int64_t rows = t.shape[size_t(axis)], cols = 90 * 70 / rows;
    o.mapWidth = int(cols);
    o.mapHeight = int(rows);
    const auto r = quantize(t, c, o);
    SCOPED_TRACE(axis);
    EXPECT_EQ(r->viewAxis, axis);
    ASSERT_EQ(r->errorMap.width, cols);
    ASSERT_EQ(r->errorMap.height, rows);
    // View element (row, col): tensor [row, col] on axis 0, [col, row] on axis 1.
    auto at = [&](const std::vector<float>& v, int64_t row, int64_t col) {
      return axis == 0 ? v[size_t(row * 70 + col)] : v[size_t(col * 70 + row)];
    };
    double sse = 0;
    for (int64_t row = 0; row < rows; ++row) {
      float absMax = 0;
      for (int64_t col = 0; col < cols; ++col) {
        const float x = at(t.values, row, col), q = at(r->dequantized, row, col);
        EXPECT_EQ(r->errorMap.maxAbs[size_t(row * cols + col)], std::fabs(q - x)) << row << ", " << col;
        absMax = std::max(absMax, std::fabs(x));
        sse += double(q - x) * double(q - x);
      }
      EXPECT_EQ(r->channels.absMax[size_t(row)], absMax) << row;
    }
    EXPECT_NEAR(r->metrics.mse, sse / double(90 * 70), 1e-12 * sse);
    for (const TopEntry& e : r->topErrors) {
      EXPECT_EQ(e.original, t.values[size_t(e.index)]);
      EXPECT_EQ(e.dequantized, r->dequantized[size_t(e.index)]);
      EXPECT_EQ(e.original, at(t.values, e.row, e.col));
    }
  }
}

// Every scaled format takes tiles; each tile is scaled as if it were a tensor of its own.
TEST(BlockGranularity, EveryScaledFormatScalesEachTileAlone) {
  Tensor t;
  t.name = "w";
  t.shape = {50, 36};
  std::mt19937 rng(9);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (int64_t i = 0; i < 50 * 36; ++i)
    t.values.push_back(nd(rng) * (i % 36 < 12 ? 4.0f : 1.0f));
  const int64_t R = 16, C = 12;
  for (const char* format : {"int8", "int4", "fp8_e4m3", "fp6_e3m2", "fp4_e2m1", "nf4", "fp4_bnb",
                             "iq4_nl_grid", "binary", "ternary"}) {
    SCOPED_TRACE(format);
    const QuantConfig c = blockConfig(format, R, C);
    const auto r = quantize(t, c);
    EXPECT_EQ(r->scaleShape, (Shape{4, 3}));
    QuantConfig perTensor = c;
    perTensor.granularity = Granularity{GranularityKind::Tensor};
    for (int64_t b = 0; b < 4; ++b)
      for (int64_t j = 0; j < 3; ++j) {
        Tensor tile;
        tile.name = "tile";
        const int64_t rows = std::min<int64_t>(R, 50 - b * R);
        tile.shape = {rows, C};
        for (int64_t i = 0; i < rows; ++i)
          for (int64_t k = 0; k < C; ++k)
            tile.values.push_back(t.values[size_t((b * R + i) * 36 + j * C + k)]);
        const auto q = quantize(tile, perTensor);
        EXPECT_EQ(r->scales[size_t(b * 3 + j)], q->scales[0]) << b << ", " << j;
        for (int64_t i = 0; i < rows; ++i)
          for (int64_t k = 0; k < C; ++k)
            ASSERT_EQ(r->dequantized[size_t((b * R + i) * 36 + j * C + k)], q->dequantized[size_t(i * C + k)])
                << b << ", " << j << " element " << i << ", " << k;
      }
  }
  // k-means fits levels per tile: one set of centroids per scale.
  const auto k = quantize(t, blockConfig("kmeans3", R, C));
  EXPECT_EQ(k->segmentLevels.size(), 12u * 8u);
  EXPECT_GT(k->metrics.sqnrDb, 15.0);
}

TEST(BlockGranularity, ConfigJsonAndChecks) {
  QuantConfig c = blockConfig("fp8_e4m3", 64, 32);
  const QuantConfig back = configFromJson(configToJson(c));
  EXPECT_EQ(back, c);
  EXPECT_NE(configToJson(c).find("\"block_rows\": 64"), std::string::npos);
  EXPECT_EQ(configFromJson(R"({"format": "int8", "granularity": {"kind": "block"}})").granularity->blockRows,
            128);
  EXPECT_THROW(configFromJson(R"({"granularity": {"kind": "block", "block_rows": 0}})"), Error);
  EXPECT_THROW(configFromJson(R"({"granularity": {"kind": "block", "block_cols": -2}})"), Error);
  c.granularity->blockCols = 0;
  ASSERT_FALSE(configValueProblems(c).empty());
  EXPECT_EQ(configValueProblems(c).front().key, "granularity.block_cols");
  // MX and GGUF formats fix their own blocks.
  for (const char* format : {"mxfp4", "q4_0", "q4_k"}) {
    const auto problems = configProblems(blockConfig(format, 128, 128));
    ASSERT_EQ(problems.size(), 1u) << format;
    EXPECT_EQ(problems.front().key, "granularity.kind");
  }
  EXPECT_TRUE(configProblems(blockConfig("nf4", 128, 128)).empty());
  // The preset's default granularity.
  QuantConfig preset;
  preset.format = "fp8_block";
  const Granularity g = defaultGranularity(*makeKernel(preset));
  EXPECT_EQ(g, (Granularity{GranularityKind::Block, kAutoAxis, 128, 128, 128}));
  EXPECT_EQ(findFormat("deepseek_fp8").name, "fp8_block");
}

} // namespace
} // namespace qs
