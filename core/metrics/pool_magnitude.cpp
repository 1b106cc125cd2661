#include "core/metrics/pool_magnitude.h"

#include "core/error.h"

#include <cmath>
#include <string>

namespace qs {

std::vector<float> poolMeanAbs(const Tensor& tensor, int width, int height, int64_t r0, int64_t r1,
                               int64_t c0, int64_t c1, int viewAxis) {
  const ChannelView cv = channelView(tensor.shape, tensor.shape.empty() ? 0 : viewAxis);
  const View2D view{tensor.shape.empty() ? 1 : cv.rows(), tensor.shape.empty() ? 1 : cv.cols()};
  if (width < 1 || height < 1 || r0 < 0 || c0 < 0 || r1 > view.rows || c1 > view.cols || r0 >= r1 ||
      c0 >= c1 || view.rows * view.cols != tensor.numel())
    throw Error("pooling region rows [" + std::to_string(r0) + ", " + std::to_string(r1) + ") cols [" +
                std::to_string(c0) + ", " + std::to_string(c1) + ") is outside the tensor's 2-D view");
  const int64_t nr = r1 - r0, nc = c1 - c0;
  auto rowBegin = [&](int64_t i) { return r0 + (i * nr + height - 1) / height; };
  auto colBegin = [&](int64_t j) { return c0 + (j * nc + width - 1) / width; };
  std::vector<float> out(size_t(width) * size_t(height), 0.0f);
  for (int64_t i = 0; i < height; ++i) {
    const int64_t ra = rowBegin(i), rb = rowBegin(i + 1);
    for (int64_t j = 0; j < width; ++j) {
      const int64_t ca = colBegin(j), cb = colBegin(j + 1);
      double sum = 0;
      int64_t count = 0;
      for (int64_t r = ra; r < rb; ++r) {
        const float* row = tensor.values.data() + r * view.cols;
        for (int64_t c = ca; c < cb; ++c) {
          const float v = cv.permuted() ? tensor.values[size_t(cv.tensorIndex(r, c))] : row[c];
          if (std::isfinite(v)) {
            sum += std::fabs(v);
            ++count;
          }
        }
      }
      out[size_t(i * width + j)] = count ? float(sum / double(count)) : 0.0f;
    }
  }
  return out;
}

} // namespace qs
