// KL (entropy) calibration against NVIDIA pytorch-quantization's
// _compute_amax_entropy, re-run at test time in NumPy (QS_PYTHON) on the very
// histogram our code builds. The Python below is that function with its inner
// Python loops replaced by bincount (same arithmetic on the same counts).
#include "core/calib/kl_threshold.h"
#include "core/pipeline/quantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

namespace qs {
namespace {

const char* kReference = R"PY(
import sys, numpy as np
hist = np.fromfile(sys.argv[1], dtype=np.int64).astype(np.float64)
num_bits = int(sys.argv[2])
def entropy(p, q):  # scipy.stats.entropy: both normalised, rel_entr summed
    p = p / p.sum(); q = q / q.sum()
    m = p > 0
    if np.any(q[m] == 0):
        return np.inf
    return float(np.sum(p[m] * np.log(p[m] / q[m])))
bins = hist.copy()
bins[0] = bins[1]
nbins = 1 << (num_bits - 1)
div = []
for i in range(128, len(bins) + 1):
    space = np.linspace(0, i, num=nbins + 1)
    dig = np.digitize(range(i), space) - 1
    dig[bins[:i] == 0] = -1
    ok = dig != -1
    counts = np.bincount(dig[ok], weights=bins[:i][ok], minlength=nbins)
    nz = np.bincount(dig[ok], minlength=nbins)
    dens = np.where(nz > 0, counts / np.maximum(nz, 1), 0.0)
    new_density = np.zeros(i)
    new_density[ok] = dens[dig[ok]]
    ref = bins[:i].copy()
    ref[-1] += bins[i:].sum()
    div.append(entropy(ref, new_density))
div = np.array(div)
last_argmin = len(div) - 1 - np.argmin(div[::-1])
print(last_argmin + 128)
)PY";

int referenceBin(const std::vector<int64_t>& hist, int bits, const std::string& tag) {
  const std::string dir = QS_TEST_OUT_DIR;
  const std::string histPath = dir + "/kl_" + tag + ".i64", pyPath = dir + "/kl_reference.py";
  {
    std::ofstream f(histPath, std::ios::binary);
    f.write(reinterpret_cast<const char*>(hist.data()), std::streamsize(hist.size() * 8));
    std::ofstream p(pyPath);
    p << kReference;
  }
  const std::string cmd = std::string(QS_PYTHON) + " " + pyPath + " " + histPath + " " + std::to_string(bits);
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe)
    return -1;
  char line[64] = {};
  const bool got = std::fgets(line, sizeof line, pipe) != nullptr;
  pclose(pipe);
  return got ? std::atoi(line) : -1;
}

std::vector<float> laplace(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::exponential_distribution<float> e(1.0f);
  std::bernoulli_distribution s(0.5);
  std::vector<float> v(n);
  for (float& f : v)
    f = s(rng) ? e(rng) : -e(rng);
  return v;
}

void checkAgainstReference(const std::vector<float>& x, int bits, const std::string& tag) {
  float amax = 0;
  for (float v : x)
    amax = std::max(amax, std::fabs(v));
  const std::vector<int64_t> hist = absHistogram(x.data(), int64_t(x.size()), amax);
  const int expected = referenceBin(hist, bits, tag);
  ASSERT_GT(expected, 0) << "the Python reference did not run";
  const double t = klThreshold(hist, amax, bits);
  EXPECT_EQ(std::lround(t / amax * kKlBins), expected) << tag;
  EXPECT_DOUBLE_EQ(t, expected * double(amax) / kKlBins);
}

TEST(KlThreshold, LaplaceMatchesPytorchQuantization) {
  checkAgainstReference(laplace(50000, 1), 8, "laplace8");
}

TEST(KlThreshold, FourBitsAndReluLikeData) {
  std::vector<float> x = laplace(30000, 2);
  for (float& v : x)
    v = std::max(v, 0.0f) * 3.0f; // half zeros, as after a ReLU
  checkAgainstReference(x, 8, "relu8");
  checkAgainstReference(laplace(30000, 3), 4, "laplace4");
}

TEST(KlThreshold, ClipsHeavyTailsButNotUniform) {
  // A heavy tail is clipped well below its max; a uniform distribution has no
  // tail worth cutting, so its threshold stays near the max.
  const std::vector<float> heavy = laplace(100000, 4);
  float amax = 0;
  for (float v : heavy)
    amax = std::max(amax, std::fabs(v));
  EXPECT_LT(klThreshold(absHistogram(heavy.data(), int64_t(heavy.size()), amax), amax, 8), 0.8 * amax);
  std::vector<float> uni(100000);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1, 1);
  for (float& v : uni)
    v = u(rng);
  EXPECT_GT(klThreshold(absHistogram(uni.data(), int64_t(uni.size()), 1.0f), 1.0, 8), 0.9);
}

TEST(KlThreshold, DegenerateInputs) {
  EXPECT_EQ(klThreshold(std::vector<int64_t>(2048, 0), 1.0, 8), 1.0);
  EXPECT_EQ(klThreshold({}, 2.0, 8), 2.0);
  const float zeros[4] = {0, 0, 0, 0};
  EXPECT_EQ(absHistogram(zeros, 4, 0.0f), std::vector<int64_t>(2048, 0));
}

TEST(KlThreshold, QuantizeUsesItPerSegment) {
  Tensor t;
  t.name = "t";
  t.shape = {2, 20000};
  const std::vector<float> a = laplace(20000, 6), b = laplace(20000, 7);
  t.values = a;
  t.values.insert(t.values.end(), b.begin(), b.end());
  QuantConfig c;
  c.format = "int8";
  c.clipping.method = ClipMethod::Kl;
  const auto r = quantize(t, c);
  ASSERT_EQ(r->clipHi.size(), 2u);
  for (int row = 0; row < 2; ++row) {
    const std::vector<float>& v = row ? b : a;
    float amax = 0, mn = INFINITY, mx = -INFINITY;
    for (float f : v) {
      amax = std::max(amax, std::fabs(f));
      mn = std::min(mn, f);
      mx = std::max(mx, f);
    }
    const double th = klThreshold(absHistogram(v.data(), int64_t(v.size()), amax), amax, 8);
    // The range [max(-th, min), min(th, max)]; symmetric INT8 saturates at +-T of it.
    const float T = std::max(std::min(float(th), -mn), std::min(float(th), mx));
    EXPECT_EQ(r->clipHi[size_t(row)], T);
    EXPECT_EQ(r->clipLo[size_t(row)], -T);
  }
  EXPECT_GT(r->metrics.clippedFraction, 0.0);
}

} // namespace
} // namespace qs
