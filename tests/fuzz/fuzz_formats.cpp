// Fuzzes core/formats with arbitrary bytes: GGUF dequantization of any block
// bytes must not crash; float encode/round must agree with their references
// for any bit pattern and any ExMy layout; MX blocks must match their
// reference. A disagreement aborts (libFuzzer reports it).
#include "core/formats/block_formats.h"
#include "core/formats/float_format.h"

#include <bit>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

void check(bool ok) {
  if (!ok)
    std::abort();
}

bool same(float a, float b) {
  return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2)
    return 0;
  const uint8_t mode = data[0] % 3, param = data[1];
  data += 2;
  size -= 2;
  if (mode == 0) { // GGUF dequantization of arbitrary block bytes
    const qs::GgufType types[] = {qs::GgufType::Q4_0, qs::GgufType::Q4_1, qs::GgufType::Q5_0,
                                  qs::GgufType::Q5_1, qs::GgufType::Q8_0, qs::GgufType::Q4_K,
                                  qs::GgufType::Q6_K, qs::GgufType::F16,  qs::GgufType::BF16};
    const qs::GgufType t = types[param % 9];
    const qs::GgufTypeInfo& info = qs::ggufTypeInfo(t);
    const size_t blocks = size / static_cast<size_t>(info.blockBytes);
    std::vector<float> y(blocks * static_cast<size_t>(info.blockElements));
    qs::ggufDequantizeRow(t, data, y.data(), static_cast<int64_t>(y.size()));
  } else if (mode == 1) { // float formats: fast == reference for every input pattern
    std::vector<qs::FloatFormat> formats = {qs::fp16Format(),        qs::bf16Format(),
                                            qs::tf32Format(),        qs::fp8E4M3Format(),
                                            qs::fp8E5M2FnuzFormat(), qs::fp4E2M1Format()};
    formats.push_back(qs::makeFloatFormat(1 + param % 7, (param / 7) % 24));
    for (qs::FloatFormat& f : formats) {
      f.saturate = (param & 0x80) != 0 || f.specials == qs::FloatSpecials::FiniteOnly;
      const size_t n = size / 4;
      if (n == 0)
        break;
      std::vector<float> x(n), fast(n), ref(n);
      std::memcpy(x.data(), data, n * 4);
      qs::roundArray(f, x.data(), fast.data(), static_cast<int64_t>(n));
      qs::roundArrayRef(f, x.data(), ref.data(), static_cast<int64_t>(n));
      for (size_t i = 0; i < n; ++i) {
        check(same(fast[i], ref[i]));
        check(f.encode(x[i]) == f.encodeRef(x[i]));
        const float u = static_cast<float>(param) / 256.0f;
        check(same(f.roundStochastic(x[i], u), f.roundStochasticRef(x[i], u)));
      }
    }
  } else { // MX blocks: fast == reference
    const size_t n =
        size / 4 < static_cast<size_t>(qs::kMxBlock) ? size / 4 : static_cast<size_t>(qs::kMxBlock);
    float x[qs::kMxBlock] = {};
    std::memcpy(x, data, n * 4);
    uint8_t c1[qs::kMxBlock], c2[qs::kMxBlock];
    float d1[qs::kMxBlock], d2[qs::kMxBlock];
    const auto e = static_cast<qs::MxElement>(param % 6);
    const qs::MxBlockOut o1 = qs::mxQuantizeBlock(e, x, static_cast<int>(n), c1, d1);
    const qs::MxBlockOut o2 = qs::mxQuantizeBlockRef(e, x, static_cast<int>(n), c2, d2);
    check(o1.scaleE8M0 == o2.scaleE8M0);
    for (size_t i = 0; i < n; ++i)
      check(c1[i] == c2[i] && (same(d1[i], d2[i]) || (d1[i] != d1[i] && d2[i] != d2[i])));
  }
  return 0;
}
