#include "core/io/dtype.h"

#include "core/error.h"
#include "core/formats/float_format.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

namespace qs {

size_t dtypeSize(DType t) {
  switch (t) {
  case DType::F64:
  case DType::I64:
  case DType::U64:
    return 8;
  case DType::F32:
  case DType::I32:
  case DType::U32:
    return 4;
  case DType::F16:
  case DType::BF16:
  case DType::I16:
  case DType::U16:
    return 2;
  case DType::F8E4M3:
  case DType::F8E5M2:
  case DType::F8E4M3Fnuz:
  case DType::F8E5M2Fnuz:
  case DType::I8:
  case DType::U8:
  case DType::Bool:
    return 1;
  }
  return 1;
}

namespace {
struct NameEntry {
  DType type;
  const char* name;
};
constexpr NameEntry kNames[] = {
    {DType::F64, "float64"},
    {DType::F32, "float32"},
    {DType::F16, "float16"},
    {DType::BF16, "bfloat16"},
    {DType::F8E4M3, "float8_e4m3fn"},
    {DType::F8E5M2, "float8_e5m2"},
    {DType::F8E4M3Fnuz, "float8_e4m3fnuz"},
    {DType::F8E5M2Fnuz, "float8_e5m2fnuz"},
    {DType::I64, "int64"},
    {DType::I32, "int32"},
    {DType::I16, "int16"},
    {DType::I8, "int8"},
    {DType::U64, "uint64"},
    {DType::U32, "uint32"},
    {DType::U16, "uint16"},
    {DType::U8, "uint8"},
    {DType::Bool, "bool"},
};
} // namespace

const char* dtypeName(DType t) {
  for (const auto& e : kNames)
    if (e.type == t)
      return e.name;
  return "?";
}

std::optional<DType> dtypeFromName(const std::string& name) {
  for (const auto& e : kNames)
    if (name == e.name)
      return e.type;
  return std::nullopt;
}

bool dtypeExactInFloat(DType t) {
  switch (t) {
  case DType::F64:
  case DType::I64:
  case DType::I32:
  case DType::U64:
  case DType::U32:
    return false;
  default:
    return true;
  }
}

void checkCancel(const std::atomic<bool>* cancel) {
  if (cancel && cancel->load(std::memory_order_relaxed))
    throw Cancelled();
}

namespace {

// Decode tables built once from the formats' exact decoders: a lookup is
// faster than a per-element call and cannot disagree with them.
const std::vector<float>& halfTable() {
  static const std::vector<float> table = [] {
    std::vector<float> t(65536);
    for (uint32_t i = 0; i < 65536; ++i)
      t[i] = halfBitsToFloat(static_cast<uint16_t>(i));
    return t;
  }();
  return table;
}

const std::vector<float>& bf16Table() {
  static const std::vector<float> table = [] {
    std::vector<float> t(65536);
    for (uint32_t i = 0; i < 65536; ++i)
      t[i] = bf16BitsToFloat(static_cast<uint16_t>(i));
    return t;
  }();
  return table;
}

const std::array<float, 256>& fp8Table(DType t) {
  static const auto make = [](const FloatFormat& f) {
    std::array<float, 256> a{};
    for (uint32_t i = 0; i < 256; ++i)
      a[i] = f.decode(i);
    return a;
  };
  static const std::array<float, 256> e4m3 = make(fp8E4M3Format());
  static const std::array<float, 256> e5m2 = make(fp8E5M2Format());
  static const std::array<float, 256> e4m3fnuz = make(fp8E4M3FnuzFormat());
  static const std::array<float, 256> e5m2fnuz = make(fp8E5M2FnuzFormat());
  switch (t) {
  case DType::F8E4M3:
    return e4m3;
  case DType::F8E4M3Fnuz:
    return e4m3fnuz;
  case DType::F8E5M2Fnuz:
    return e5m2fnuz;
  default:
    return e5m2;
  }
}

template <typename U> U load(const uint8_t* p, bool swap) {
  U v;
  std::memcpy(&v, p, sizeof(U));
  if (swap) {
    if constexpr (sizeof(U) == 2)
      v = static_cast<U>(__builtin_bswap16(static_cast<uint16_t>(v)));
    else if constexpr (sizeof(U) == 4)
      v = static_cast<U>(__builtin_bswap32(static_cast<uint32_t>(v)));
    else if constexpr (sizeof(U) == 8)
      v = static_cast<U>(__builtin_bswap64(static_cast<uint64_t>(v)));
  }
  return v;
}

template <typename T> void convertPlain(const uint8_t* src, float* dst, int64_t n, bool swap) {
  if (!swap) {
    for (int64_t i = 0; i < n; ++i) {
      T v;
      std::memcpy(&v, src + i * int64_t(sizeof(T)), sizeof(T));
      dst[i] = static_cast<float>(v);
    }
    return;
  }
  using Bits = std::conditional_t<
      sizeof(T) == 1, uint8_t,
      std::conditional_t<sizeof(T) == 2, uint16_t, std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;
  for (int64_t i = 0; i < n; ++i) {
    Bits b = load<Bits>(src + i * int64_t(sizeof(T)), true);
    T v;
    std::memcpy(&v, &b, sizeof(T));
    dst[i] = static_cast<float>(v);
  }
}

void convertChunk(DType t, const uint8_t* src, float* dst, int64_t n, bool swap) {
  switch (t) {
  case DType::F64:
    return convertPlain<double>(src, dst, n, swap);
  case DType::F32:
    if (!swap) {
      std::memcpy(dst, src, static_cast<size_t>(n) * 4);
      return;
    }
    return convertPlain<float>(src, dst, n, swap);
  case DType::F16: {
    const float* table = halfTable().data();
    for (int64_t i = 0; i < n; ++i)
      dst[i] = table[load<uint16_t>(src + 2 * i, swap)];
    return;
  }
  case DType::BF16: {
    const float* table = bf16Table().data();
    for (int64_t i = 0; i < n; ++i)
      dst[i] = table[load<uint16_t>(src + 2 * i, swap)];
    return;
  }
  case DType::F8E4M3:
  case DType::F8E5M2:
  case DType::F8E4M3Fnuz:
  case DType::F8E5M2Fnuz: {
    const auto& table = fp8Table(t);
    for (int64_t i = 0; i < n; ++i)
      dst[i] = table[src[i]];
    return;
  }
  case DType::I64:
    return convertPlain<int64_t>(src, dst, n, swap);
  case DType::I32:
    return convertPlain<int32_t>(src, dst, n, swap);
  case DType::I16:
    return convertPlain<int16_t>(src, dst, n, swap);
  case DType::I8:
    return convertPlain<int8_t>(src, dst, n, false);
  case DType::U64:
    return convertPlain<uint64_t>(src, dst, n, swap);
  case DType::U32:
    return convertPlain<uint32_t>(src, dst, n, swap);
  case DType::U16:
    return convertPlain<uint16_t>(src, dst, n, swap);
  case DType::U8:
    return convertPlain<uint8_t>(src, dst, n, false);
  case DType::Bool:
    for (int64_t i = 0; i < n; ++i)
      dst[i] = src[i] ? 1.0f : 0.0f;
    return;
  }
}

} // namespace

void convertToFloat(DType t, const uint8_t* src, float* dst, int64_t n, bool bigEndian,
                    const std::atomic<bool>* cancel) {
  if (n <= 0)
    return;
  checkCancel(cancel);
  if (t == DType::F16)
    halfTable(); // build outside the parallel region
  if (t == DType::BF16)
    bf16Table();
  if (dtypeSize(t) == 1)
    fp8Table(t); // (builds all FP8 tables once, outside the parallel region)
  const size_t es = dtypeSize(t);
  // 1 Mi elements per chunk: large enough to amortise scheduling, small
  // enough for prompt cancellation.
  constexpr int64_t kChunk = int64_t(1) << 20;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  std::atomic<bool> cancelled{false};
#pragma omp parallel for schedule(dynamic, 1) if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) {
    if (cancelled.load(std::memory_order_relaxed))
      continue;
    if (cancel && cancel->load(std::memory_order_relaxed)) {
      cancelled.store(true);
      continue;
    }
    const int64_t begin = c * kChunk;
    const int64_t count = std::min(kChunk, n - begin);
    convertChunk(t, src + static_cast<size_t>(begin) * es, dst + begin, count, bigEndian);
  }
  if (cancelled.load())
    throw Cancelled();
}

} // namespace qs
