// poolErrorMap: the error map of a zoomed region, pooled to the screen size.
#include "core/metrics/error_map.h"

#include "core/error.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace qs {

ErrorMap poolErrorMap(const Tensor& original, const QuantResult& result, int width, int height, int64_t r0,
                      int64_t r1, int64_t c0, int64_t c1) {
  // The result's view: rows are its channels (QuantResult::viewAxis).
  const ChannelView cv = channelView(original.shape, original.shape.empty() ? 0 : result.viewAxis);
  const View2D v{original.shape.empty() ? 1 : cv.rows(), original.shape.empty() ? 1 : cv.cols()};
  if (original.numel() != int64_t(result.dequantized.size()))
    throw Error("error map: the result does not belong to tensor '" + original.name + "'");
  r0 = std::clamp<int64_t>(r0, 0, v.rows);
  r1 = std::clamp<int64_t>(r1, r0, v.rows);
  c0 = std::clamp<int64_t>(c0, 0, v.cols);
  c1 = std::clamp<int64_t>(c1, c0, v.cols);
  ErrorMap m;
  m.rows = r1 - r0;
  m.cols = c1 - c0;
  if (m.rows == 0 || m.cols == 0 || width < 1 || height < 1)
    return m;
  m.width = int(std::min<int64_t>(width, m.cols));
  m.height = int(std::min<int64_t>(height, m.rows));
  const size_t cells = size_t(m.width) * size_t(m.height);
  m.maxAbs.assign(cells, 0);
  m.meanAbs.assign(cells, 0);
  m.meanSigned.assign(cells, 0);
  const float* x = original.values.data();
  const float* q = result.dequantized.data();
  const int64_t W = m.width, H = m.height, R = m.rows, C = m.cols;
#pragma omp parallel for schedule(dynamic, 1) if (R * C > (1 << 16))
  for (int64_t i = 0; i < H; ++i) {
    const int64_t ra = r0 + (i * R + H - 1) / H, rb = r0 + ((i + 1) * R + H - 1) / H;
    std::vector<double> sAbs(static_cast<size_t>(W), 0), sSigned(size_t(W), 0);
    std::vector<float> mx(static_cast<size_t>(W), 0);
    std::vector<int64_t> cnt(static_cast<size_t>(W), 0);
    for (int64_t row = ra; row < rb; ++row) {
      for (int64_t j = 0; j < W; ++j) {
        const int64_t ca = c0 + (j * C + W - 1) / W, cb = c0 + ((j + 1) * C + W - 1) / W;
        for (int64_t c = ca; c < cb; ++c) {
          const int64_t at = cv.permuted() ? cv.tensorIndex(row, c) : row * v.cols + c;
          if (!(std::fabs(x[at]) <= FLT_MAX))
            continue;
          const float e = x[at] - q[at];
          sAbs[size_t(j)] += std::fabs(e);
          sSigned[size_t(j)] += e;
          mx[size_t(j)] = std::max(mx[size_t(j)], std::fabs(e));
          ++cnt[size_t(j)];
        }
      }
    }
    for (int64_t j = 0; j < W; ++j) {
      const size_t at = size_t(i * W + j);
      m.maxAbs[at] = mx[size_t(j)];
      m.meanAbs[at] = cnt[size_t(j)] ? float(sAbs[size_t(j)] / double(cnt[size_t(j)])) : 0.0f;
      m.meanSigned[at] = cnt[size_t(j)] ? float(sSigned[size_t(j)] / double(cnt[size_t(j)])) : 0.0f;
    }
  }
  return m;
}

} // namespace qs
