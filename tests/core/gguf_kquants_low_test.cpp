// GGUF Q2_K, Q3_K, Q5_K and the importance-weighted GGUF quantizers against
// an independent NumPy port of llama.cpp (tests/data/gguf_kquant_refs.py):
// the block bytes of quantize_row_{q2_K,q3_K,q5_K}_ref, the values of
// dequantize_row_*, and the bytes of the nine quantize_row_*_impl, byte for
// byte, on rows that are Gaussian, heavy-tailed, all equal, zero, tiny, huge,
// one-signed and on a coarse grid. Then the same through quantize(): a
// tensor carrying importance gives llama.cpp's weighted blocks, without it
// the reference blocks.
#include "core/error.h"
#include "core/formats/block_formats.h"
#include "core/formats/format_registry.h"
#include "core/pipeline/quantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace qs {
namespace {

constexpr size_t kRows = 16; // rows of 256 in input_k.f32 (gguf_kquant_refs.py k_input)

std::vector<uint8_t> readBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

std::vector<float> readFloats(const std::string& path) {
  const std::vector<uint8_t> raw = readBytes(path);
  std::vector<float> v(raw.size() / 4);
  std::memcpy(v.data(), raw.data(), v.size() * 4);
  return v;
}

uint32_t bits(float v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  return b;
}

class GgufKquantRefs : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir_ = std::string(QS_TEST_OUT_DIR) + "/gguf_kquant_refs";
    const std::string cmd =
        std::string(QS_PYTHON) + " " + QS_SOURCE_DIR + "/tests/data/gguf_kquant_refs.py " + dir_;
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    x_ = readFloats(dir_ + "/input_k.f32");
    w_ = readFloats(dir_ + "/weights_k.f32");
  }
  void SetUp() override {
    ASSERT_EQ(x_.size(), kRows * 256);
    ASSERT_EQ(w_.size(), x_.size());
  }
  static void expectBytes(const std::vector<uint8_t>& got, const std::string& file, GgufType type) {
    const std::vector<uint8_t> want = readBytes(dir_ + "/" + file);
    ASSERT_EQ(got.size(), want.size()) << file;
    const size_t bb = size_t(ggufTypeInfo(type).blockBytes);
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_EQ(got[i], want[i]) << file << " block " << i / bb << " byte " << i % bb;
  }
  static std::vector<uint8_t> blocksFor(GgufType type, size_t n) {
    const GgufTypeInfo& t = ggufTypeInfo(type);
    return std::vector<uint8_t>(n / size_t(t.blockElements) * size_t(t.blockBytes));
  }
  static std::string dir_;
  static std::vector<float> x_, w_;
};
std::string GgufKquantRefs::dir_;
std::vector<float> GgufKquantRefs::x_, GgufKquantRefs::w_;

TEST_F(GgufKquantRefs, TypeTable) {
  // ggml-common.h: sizeof(block_q2_K) 84, block_q3_K 110, block_q5_K 176.
  EXPECT_EQ(ggufTypeInfo(GgufType::Q2_K).blockBytes, 84);
  EXPECT_EQ(ggufTypeInfo(GgufType::Q3_K).blockBytes, 110);
  EXPECT_EQ(ggufTypeInfo(GgufType::Q5_K).blockBytes, 176);
  EXPECT_EQ(ggufTypeInfo(GgufType::Q3_K).blockElements, 256);
  EXPECT_STREQ(ggufTypeInfo(GgufType::Q5_K).name, "Q5_K");
  EXPECT_TRUE(ggufTypeSupported(10) && ggufTypeSupported(11) && ggufTypeSupported(13));
  EXPECT_DOUBLE_EQ(findFormat("gguf:q2_k").bitsPerElement, 2.625);
  EXPECT_DOUBLE_EQ(findFormat("q3_k").bitsPerElement, 3.4375);
  EXPECT_DOUBLE_EQ(findFormat("Q5_K").bitsPerElement, 5.5);
  EXPECT_EQ(findFormat("q2_k").name, "gguf:q2_k");
}

TEST_F(GgufKquantRefs, ReferenceQuantizersAndDequantizers) {
  const std::pair<const char*, GgufType> types[] = {
      {"q2_k", GgufType::Q2_K}, {"q3_k", GgufType::Q3_K}, {"q5_k", GgufType::Q5_K}};
  for (const auto& [name, type] : types) {
    SCOPED_TRACE(name);
    std::vector<uint8_t> b = blocksFor(type, x_.size());
    ggufQuantizeRow(type, x_.data(), b.data(), int64_t(x_.size()));
    expectBytes(b, std::string(name) + ".bin", type);
    // The dequantizer on the reference's bytes, bit for bit.
    const std::vector<uint8_t> ref = readBytes(dir_ + "/" + name + ".bin");
    const std::vector<float> want = readFloats(dir_ + "/" + name + ".deq.f32");
    std::vector<float> y(x_.size());
    ggufDequantizeRow(type, ref.data(), y.data(), int64_t(y.size()));
    ASSERT_EQ(want.size(), y.size());
    for (size_t i = 0; i < y.size(); ++i)
      ASSERT_EQ(bits(y[i]), bits(want[i])) << "value " << i << ": " << y[i] << " vs " << want[i];
  }
}

TEST_F(GgufKquantRefs, WeightedQuantizersMatchTheImplPaths) {
  const std::pair<const char*, GgufType> types[] = {
      {"q4_0", GgufType::Q4_0}, {"q4_1", GgufType::Q4_1}, {"q5_0", GgufType::Q5_0},
      {"q5_1", GgufType::Q5_1}, {"q2_k", GgufType::Q2_K}, {"q3_k", GgufType::Q3_K},
      {"q4_k", GgufType::Q4_K}, {"q5_k", GgufType::Q5_K}, {"q6_k", GgufType::Q6_K}};
  for (const auto& [name, type] : types) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(ggufHasWeightedPath(type));
    std::vector<uint8_t> b = blocksFor(type, x_.size());
    const GgufTypeInfo& t = ggufTypeInfo(type);
    const size_t rowBytes = 256 / size_t(t.blockElements) * size_t(t.blockBytes);
    for (size_t r = 0; r < kRows; ++r) // one llama.cpp row of 256 per call
      ggufQuantizeRowWeighted(type, x_.data() + r * 256, b.data() + r * rowBytes, 256, w_.data() + r * 256);
    expectBytes(b, std::string(name) + "_w.bin", type);
  }
  EXPECT_FALSE(ggufHasWeightedPath(GgufType::Q8_0)); // quantize_q8_0 ignores quant_weights
}

// A [rows, 256] tensor of the reference rows, with or without importance.
Tensor refTensor(const std::vector<float>& x, const std::vector<float>* w) {
  Tensor t;
  t.name = "blk.0.ffn_down.weight";
  t.shape = {int64_t(kRows), 256};
  t.values = x;
  if (w) // one weight per input column: take row 0 of the weights for every row
    t.importance = std::make_shared<const std::vector<float>>(w->begin(), w->begin() + 256);
  return t;
}

TEST_F(GgufKquantRefs, ImportanceOnTheTensorSelectsTheWeightedPath) {
  const std::pair<const char*, GgufType> types[] = {{"q4_0", GgufType::Q4_0},      {"q5_1", GgufType::Q5_1},
                                                    {"gguf:q2_k", GgufType::Q2_K}, {"q4_k", GgufType::Q4_K},
                                                    {"gguf:q5_k", GgufType::Q5_K}, {"q6_k", GgufType::Q6_K},
                                                    {"q8_0", GgufType::Q8_0}};
  const Tensor plain = refTensor(x_, nullptr), weighted = refTensor(x_, &w_);
  for (const auto& [name, type] : types) {
    SCOPED_TRACE(name);
    QuantConfig c;
    c.format = name;
    const std::vector<float> q0 = fakeQuantize(plain, c), q1 = fakeQuantize(weighted, c);
    // Expected: llama.cpp's quantize_<type> with and without quant_weights, row by row.
    std::vector<float> e0(x_.size()), e1(x_.size());
    std::vector<uint8_t> b = blocksFor(type, 256);
    for (size_t r = 0; r < kRows; ++r) {
      ggufQuantizeRow(type, x_.data() + r * 256, b.data(), 256);
      ggufDequantizeRow(type, b.data(), e0.data() + r * 256, 256);
      ggufQuantizeRowWeighted(type, x_.data() + r * 256, b.data(), 256, weighted.importance->data());
      ggufDequantizeRow(type, b.data(), e1.data() + r * 256, 256);
    }
    size_t differ = 0;
    for (size_t i = 0; i < x_.size(); ++i) {
      ASSERT_EQ(bits(q0[i]), bits(e0[i])) << i;
      ASSERT_EQ(bits(q1[i]), bits(e1[i])) << i;
      differ += bits(q0[i]) != bits(q1[i]);
    }
    if (type == GgufType::Q8_0)
      EXPECT_EQ(differ, 0u);
    else
      EXPECT_GT(differ, 100u); // the importance really changes the blocks
    const auto r = quantize(weighted, c);
    EXPECT_EQ(r->formatLabel.find("imatrix") != std::string::npos, type != GgufType::Q8_0) << r->formatLabel;
  }
}

TEST_F(GgufKquantRefs, ImportanceOfTheWrongSizeIsAnError) {
  Tensor t = refTensor(x_, &w_);
  t.importance = std::make_shared<const std::vector<float>>(w_.begin(), w_.begin() + 255);
  QuantConfig c;
  c.format = "q4_k";
  EXPECT_THROW(quantize(t, c), Error);
}

} // namespace
} // namespace qs
