// Integer grid parameters against PyTorch's MinMaxObserver.
#include "core/formats/int_format.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>

namespace qs {
namespace {

TEST(IntFormat, CodeRanges) {
  EXPECT_EQ((IntFormat{8, true}.qmin()), -128);
  EXPECT_EQ((IntFormat{8, true}.qmax()), 127);
  EXPECT_EQ((IntFormat{8, false}.qmin()), 0);
  EXPECT_EQ((IntFormat{8, false}.qmax()), 255);
  EXPECT_EQ((IntFormat{4, true}.qmin()), -8);
  EXPECT_EQ((IntFormat{4, true}.qmax()), 7);
  EXPECT_EQ((IntFormat{16, true}.qmin()), -32768);
  EXPECT_EQ((IntFormat{1, false}.qmax()), 1);
}

TEST(IntFormat, RoundHalfEven) {
  EXPECT_EQ(roundHalfEven(0.5f), 0.0f);
  EXPECT_EQ(roundHalfEven(1.5f), 2.0f);
  EXPECT_EQ(roundHalfEven(2.5f), 2.0f);
  EXPECT_EQ(roundHalfEven(-0.5f), -0.0f);
  EXPECT_EQ(roundHalfEven(-1.5f), -2.0f);
  EXPECT_EQ(roundHalfEven(-2.5f), -2.0f);
  EXPECT_EQ(roundHalfEven(2.5000002f), 3.0f);
  EXPECT_EQ(roundHalfEven(8388607.5f), 8388608.0f);
}

TEST(IntFormat, SymmetricParams) {
  EXPECT_EQ(symmetricParams(127.0f, 8).scale, 1.0f);
  EXPECT_EQ(symmetricParams(1.0f, 8).scale, 1.0f / 127.0f);
  EXPECT_EQ(symmetricParams(7.0f, 4).scale, 1.0f);
  EXPECT_EQ(symmetricParams(3.0f, 2).scale, 3.0f);
  EXPECT_EQ(symmetricParams(2.0f, 1).scale, 2.0f); // int1: {-amax, 0}
  EXPECT_EQ(symmetricParams(0.0f, 8).scale, FLT_EPSILON);
  EXPECT_EQ(symmetricParams(1.0f, 8).zeroPoint, 0);
}

// Expected values computed with PyTorch 1.13 (/usr/bin/python3):
//   import torch
//   for mn, mx, k in cases:
//       obs = torch.ao.quantization.MinMaxObserver(dtype=torch.quint8,
//           qscheme=torch.per_tensor_affine, quant_min=0, quant_max=2**k-1)  # reduce_range=False
//       obs(torch.tensor([mn, mx], dtype=torch.float32))
//       s, z = obs.calculate_qparams(); print(s.item().hex(), z.item())
struct TorchCase {
  float minVal, maxVal;
  int bits;
  double scale; // float32 value printed by torch, as a hex double
  int32_t zeroPoint;
};
const TorchCase kTorchCases[] = {
    {-1.0f, 1.0f, 8, 0x1.0101020000000p-7, 127},   {-0.3f, 2.7f, 8, 0x1.8181820000000p-7, 26},
    {0.5f, 3.0f, 8, 0x1.8181820000000p-7, 0},      {-5.0f, -1.0f, 8, 0x1.4141420000000p-6, 255},
    {-0.123f, 0.456f, 4, 0x1.3c36120000000p-5, 3}, {-1e-9f, 1e-9f, 8, 0x1.0000000000000p-23, 0},
    {0.0f, 0.0f, 8, 0x1.0000000000000p-23, 0},     {-2.5f, 7.25f, 3, 0x1.64924a0000000p+0, 2},
    {-100.0f, 0.001f, 2, 0x1.0aab5a0000000p+5, 3}, {-3.14159f, 2.71828f, 6, 0x1.7cfc0c0000000p-4, 34},
};

TEST(IntFormat, AffineParamsMatchTorchMinMaxObserver) {
  for (const TorchCase& c : kTorchCases) {
    const AffineParams p = affineParams(c.minVal, c.maxVal, 0, (1 << c.bits) - 1);
    EXPECT_EQ(p.scale, static_cast<float>(c.scale)) << c.minVal << " " << c.maxVal << " k=" << c.bits;
    EXPECT_EQ(p.zeroPoint, c.zeroPoint) << c.minVal << " " << c.maxVal << " k=" << c.bits;
  }
}

TEST(IntFormat, AffineZeroIsExactlyRepresentable) {
  // The point of including 0 in the range: x = 0 maps to the zero point exactly.
  for (const TorchCase& c : kTorchCases) {
    const AffineParams p = affineParams(c.minVal, c.maxVal, 0, (1 << c.bits) - 1);
    EXPECT_GE(p.zeroPoint, 0);
    EXPECT_LE(p.zeroPoint, (1 << c.bits) - 1);
  }
  // Huge ranges do not overflow the zero point conversion.
  const AffineParams p = affineParams(-3e38f, -1e38f, 0, 255);
  EXPECT_EQ(p.zeroPoint, 255);
}

} // namespace
} // namespace qs
