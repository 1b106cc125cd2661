// The output-channel axis: inferred per file convention, used by channels,
// groups and blocks alike (groups run along each channel's flattened row), and
// followed by the analysis views. NumPy references from tests/data/axis_refs.py.
#include "core/axis_layout.h"
#include "core/formats/format_registry.h"
#include "core/io/tensor_source.h"
#include "core/pipeline/quantize.h"
#include "core/quant/format_config.h"
#include "tests/io/io_test_util.h"

#include <gtest/gtest.h>

#include <cmath>

namespace qs {
namespace {

std::filesystem::path refs() {
  return test::generateFixtures("axis_refs.py", "axis_refs");
}

QuantConfig config(const char* format, std::optional<Granularity> g = std::nullopt) {
  QuantConfig c;
  c.format = format;
  c.granularity = g;
  return c;
}

Tensor read(const std::string& file, const std::string& name) {
  return openTensorFile(refs() / file)->read(name);
}

TEST(AxisLayout, ReadersInferTheOutputChannelAxis) {
  const Tensor conv = read("conv1x1.npy", "conv1x1");
  EXPECT_EQ(conv.layout.outAxis, 0);
  EXPECT_NE(conv.layout.reason.find("[out, in, kh, kw]"), std::string::npos) << conv.layout.reason;

  auto keras = openTensorFile(refs() / "keras.h5");
  const TensorEntry* kernel = keras->find("conv/conv/kernel:0");
  ASSERT_NE(kernel, nullptr);
  EXPECT_EQ(kernel->layout.outAxis, 3);
  EXPECT_NE(kernel->layout.reason.find("Keras kernel [kh, kw, in, out]"), std::string::npos)
      << kernel->layout.reason;
  EXPECT_EQ(keras->read("conv/conv/kernel:0").layout.outAxis, 3);
  EXPECT_EQ(keras->find("conv/conv/bias:0")->layout.outAxis, 0);

  auto onnx = openTensorFile(refs() / "layouts.onnx");
  auto axis = [&](const char* name) {
    const TensorEntry* e = onnx->find(name);
    EXPECT_NE(e, nullptr) << name;
    return e ? e->layout.outAxis : -1;
  };
  EXPECT_EQ(axis("conv.w"), 0); // Conv W [out, in, kh, kw]
  EXPECT_EQ(axis("up.w"), 1);   // ConvTranspose W [in, out, kh, kw]
  EXPECT_EQ(axis("fc1.w"), 1);  // MatMul B [in, out]
  EXPECT_EQ(axis("fc2.w"), 0);  // Gemm B with transB = 1: [out, in]
  EXPECT_EQ(axis("fc3.w"), 1);  // Gemm B with transB = 0: [in, out]
  EXPECT_EQ(axis("conv.b"), 0);
  EXPECT_NE(onnx->find("fc2.w")->layout.reason.find("Gemm 'fc2'"), std::string::npos);
}

// [480, 240, 1, 1]: groups and blocks run along the 240 values of each
// output channel, never along a size-1 axis.
TEST(AxisLayout, GroupsRunAlongTheFlattenedRowOfAConvWeight) {
  const Tensor conv = read("conv1x1.npy", "conv1x1");
  const auto int4 = quantize(conv, config("int4", Granularity{GranularityKind::Group, kAutoAxis, 128}));
  const std::vector<float> expected = test::readF32(refs() / "conv1x1_int4_g128.f32");
  ASSERT_EQ(int4->dequantized.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    ASSERT_EQ(int4->dequantized[i], expected[i]) << i;
  EXPECT_EQ(int4->scaleShape, (Shape{480, 2}));
  const double scaleBits = findFormat("int4").makeKernel({})->overheadBitsPerSegment();
  EXPECT_DOUBLE_EQ(int4->metrics.bitsPerElement, 4 + 2 * scaleBits / 240);
  EXPECT_NE(int4->formatLabel.find("group 128 along rows of 240"), std::string::npos) << int4->formatLabel;

  // MXFP4 by default: 8 blocks of 32 per row (the last holds 16 and is stored
  // padded), 32 codes and an E8M0 scale each.
  const auto mx = quantize(conv, config("mxfp4"));
  EXPECT_EQ(mx->scaleShape, (Shape{480, 8}));
  EXPECT_DOUBLE_EQ(mx->metrics.bitsPerElement, 8.0 * (32 * 4 + 8) / 240);
  EXPECT_NE(mx->formatLabel.find("ends in a block of 16, padded"), std::string::npos) << mx->formatLabel;

  // Q4_K: one super-block of 256 per row of 240 (144 bytes).
  const auto q4k = quantize(conv, config("q4_k"));
  EXPECT_EQ(q4k->scaleShape, (Shape{480, 1}));
  EXPECT_DOUBLE_EQ(q4k->metrics.bitsPerElement, 144.0 * 8 / 240);
}

// [kh, kw, in, out] from a Keras file: per channel (and the format default)
// takes axis 3, and every view sees 128 channels.
TEST(AxisLayout, KerasKernelsArePerOutputChannel) {
  const Tensor kernel = read("keras.h5", "conv/conv/kernel:0");
  const std::vector<float> expected = test::readF32(refs() / "keras_int8_channel.f32");
  std::ifstream sqnrFile(refs() / "keras_sqnr.txt");
  double sqnr = 0;
  sqnrFile >> sqnr;
  for (const QuantConfig& c :
       {config("int8"), config("int8", Granularity{GranularityKind::Channel, kAutoAxis, 128})}) {
    const auto r = quantize(kernel, c);
    ASSERT_EQ(r->dequantized.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
      ASSERT_EQ(r->dequantized[i], expected[i]) << i;
    EXPECT_EQ(r->granularity.axis, 3);
    EXPECT_EQ(r->scaleShape, (Shape{128}));
    EXPECT_NEAR(r->metrics.sqnrDb, sqnr, 1e-9 * std::fabs(sqnr));
    EXPECT_EQ(r->viewAxis, 3);
    EXPECT_EQ(r->channels.absMax.size(), 128u);
    EXPECT_EQ(r->errorMap.rows, 128);
    EXPECT_EQ(r->errorMap.cols, 3 * 3 * 128);
    EXPECT_NE(r->formatLabel.find("axis 3 of [kh, kw, in, out]"), std::string::npos) << r->formatLabel;
  }
  // Per tensor the views still show the output channels as rows.
  const auto perTensor =
      quantize(kernel, config("int8", Granularity{GranularityKind::Tensor, kAutoAxis, 128}));
  EXPECT_EQ(perTensor->viewAxis, 3);
  EXPECT_EQ(perTensor->channels.absMax.size(), 128u);
  // Channel statistics of the view: row c is output channel c.
  float absMax5 = 0;
  for (int64_t i = 5; i < kernel.numel(); i += 128)
    absMax5 = std::max(absMax5, std::fabs(kernel.values[size_t(i)]));
  EXPECT_EQ(perTensor->channels.absMax[5], absMax5);
  // The top-|x| entries index the tensor and locate the view.
  ASSERT_FALSE(perTensor->topMagnitude.empty());
  const TopEntry& top = perTensor->topMagnitude.front();
  EXPECT_EQ(top.original, kernel.values[size_t(top.index)]);
  EXPECT_EQ(top.index % 128, top.row);
}

// "Per group" starts at the format's usual group, and a group too small for
// its scale says so.
TEST(AxisLayout, UsualGroupSizesAndTinyGroups) {
  EXPECT_EQ(findFormat("int4").groupSize, 128);
  EXPECT_EQ(findFormat("int8").groupSize, 128);
  EXPECT_EQ(findFormat("nf4").groupSize, 64);
  Tensor t;
  t.shape = {4, 64};
  t.values.assign(256, 0.5f);
  t.values[3] = -1.0f;
  const auto r = quantize(t, config("int4", Granularity{GranularityKind::Group, kAutoAxis, 1}));
  EXPECT_NE(r->formatLabel.find("each scale costs more bits than the values it serves"), std::string::npos)
      << r->formatLabel;
  const auto ok = quantize(t, config("int4", Granularity{GranularityKind::Group, kAutoAxis, 32}));
  EXPECT_EQ(ok->formatLabel.find("costs more"), std::string::npos) << ok->formatLabel;
}

TEST(AxisLayout, AxisNames) {
  EXPECT_EQ(axisNames({8, 4}, 0), "[out, in]");
  EXPECT_EQ(axisNames({4, 8}, 1), "[in, out]");
  EXPECT_EQ(axisNames({8, 4, 3, 3}, 0), "[out, in, kh, kw]");
  EXPECT_EQ(axisNames({3, 3, 4, 8}, 3), "[kh, kw, in, out]");
  EXPECT_EQ(axisNames({8, 6, 3, 3}, 1), "[in, out, kh, kw]");
  EXPECT_EQ(axisNames({8}, 0), "");
}

} // namespace
} // namespace qs
