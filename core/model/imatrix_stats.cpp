// llama-imatrix's --show-statistics numbers (core/model/imatrix_stats.h),
// accumulated in double.
#include "core/model/imatrix_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

namespace qs {
namespace {

constexpr float kActiveThreshold = 1e-5f; // llama.cpp's: |a| at or below it is inactive

bool isGguf(const ImatrixEntry& e, const Imatrix& m) {
  return m.form == "gguf" && e.counts.size() == size_t(e.experts);
}

// The values a_k: every matrix with data (GGUF), or all weights (legacy).
std::vector<float> activeValues(const ImatrixEntry& e, const Imatrix& m) {
  if (!isGguf(e, m))
    return e.weights;
  std::vector<float> out;
  out.reserve(e.weights.size());
  for (int64_t x = 0; x < e.experts; ++x)
    if (e.counts[size_t(x)] > 0)
      out.insert(out.end(), e.weights.begin() + x * e.columns, e.weights.begin() + (x + 1) * e.columns);
  return out;
}

// The raw sums the file holds (in_sum2 = a × count), up to one common scale.
std::vector<double> rawSums(const ImatrixEntry& e, const Imatrix& m) {
  std::vector<double> out(e.weights.begin(), e.weights.end());
  if (isGguf(e, m))
    for (int64_t x = 0; x < e.experts; ++x)
      for (int64_t j = 0; j < e.columns; ++j)
        out[size_t(x * e.columns + j)] *= e.counts[size_t(x)];
  return out;
}

void describe(ImatrixTensorStats& s, const std::vector<float>& a) {
  s.elements = int64_t(a.size());
  if (a.empty())
    return;
  const double n = double(a.size());
  double sum = 0, sq = 0;
  float lo = a[0], hi = a[0];
  int64_t inactive = 0;
  for (float v : a) {
    sum += v;
    sq += double(v) * v;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    inactive += std::fabs(v) <= kActiveThreshold;
  }
  s.sumSquares = sum;
  s.min = lo;
  s.max = hi;
  s.mean = sum / n;
  s.stdDev = std::sqrt(std::max(0.0, sq / n - s.mean * s.mean));
  s.activeFraction = 1.0 - double(inactive) / n;
  if (sum > 0)
    for (float v : a)
      if (const double p = v / sum; p > 0)
        s.entropy -= p * std::log2(p);
  s.entropyNormalised = a.size() > 1 ? s.entropy / std::log2(n) : 0.0;
  if (s.stdDev > 0) {
    int64_t above = 0;
    for (float v : a)
      above += (v - s.mean) / s.stdDev > 1.0;
    s.zdScore = double(above) / n;
  }
}

double cosine(const std::vector<double>& x, const std::vector<double>& y) {
  double dot = 0, xx = 0, yy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    dot += x[i] * y[i];
    xx += x[i] * x[i];
    yy += y[i] * y[i];
  }
  if (xx == 0 || yy == 0)
    return xx == 0 && yy == 0 ? 1.0 : 0.0;
  return std::clamp(dot / (std::sqrt(xx) * std::sqrt(yy)), -1.0, 1.0);
}

// What makes two entries "the same tensor" in different blocks: the role,
// or for names tensorRole does not know, the name without its block number.
std::string sameTensorKey(const std::string& name, const TensorRole& r) {
  if (r.role != "other")
    return r.role + (r.isBias ? ".bias" : ".weight");
  const std::string mark = "." + std::to_string(r.block) + ".";
  std::string key = name;
  if (const size_t at = key.find(mark); at != std::string::npos)
    key.replace(at, mark.size(), ".#.");
  return key;
}

} // namespace

std::vector<ImatrixTensorStats> imatrixStatistics(const Imatrix& imatrix) {
  std::vector<ImatrixTensorStats> out;
  out.reserve(imatrix.entries.size());
  std::map<std::pair<std::string, int>, size_t> byKey; // (same-tensor key, block) → entry
  for (size_t i = 0; i < imatrix.entries.size(); ++i) {
    const ImatrixEntry& e = imatrix.entries[i];
    ImatrixTensorStats s;
    s.name = e.name;
    s.role = tensorRole(e.name);
    s.cosinePrevious = std::numeric_limits<double>::quiet_NaN();
    describe(s, activeValues(e, imatrix));
    if (s.role.block >= 0)
      byKey.emplace(std::make_pair(sameTensorKey(e.name, s.role), s.role.block), i);
    out.push_back(std::move(s));
  }
  for (size_t i = 0; i < out.size(); ++i) {
    ImatrixTensorStats& s = out[i];
    if (s.role.block < 1)
      continue;
    auto it = byKey.find({sameTensorKey(s.name, s.role), s.role.block - 1});
    if (it == byKey.end())
      continue;
    const ImatrixEntry& cur = imatrix.entries[i];
    const ImatrixEntry& prev = imatrix.entries[it->second];
    if (cur.weights.size() != prev.weights.size())
      continue;
    s.cosinePrevious = cosine(rawSums(cur, imatrix), rawSums(prev, imatrix));
    s.previous = prev.name;
  }
  return out;
}

} // namespace qs
