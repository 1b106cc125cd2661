#pragma once
// Element types tensor files store, and their bulk conversion to float32.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace qs {

enum class DType : uint8_t {
  F64,
  F32,
  F16,
  BF16,
  F8E4M3,
  F8E5M2,
  F8E4M3Fnuz,
  F8E5M2Fnuz,
  I64,
  I32,
  I16,
  I8,
  U64,
  U32,
  U16,
  U8,
  Bool,
};

size_t dtypeSize(DType t);
// The name shown to users and stored in TensorEntry::storedDtype:
// "float32", "float16", "bfloat16", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "int8", "uint8",
// "bool", ...
const char* dtypeName(DType t);
std::optional<DType> dtypeFromName(const std::string& name);
// True when every value of the type is exactly representable in float32.
bool dtypeExactInFloat(DType t);

// Converts n elements at src (stored little-endian, or big-endian when
// `bigEndian`) to float32. Parallel over chunks with OpenMP; polls `cancel`
// between chunks and throws qs::Cancelled. Exact for every type except
// float64 (rounded to nearest) and 32/64-bit integers beyond 2^24.
void convertToFloat(DType t, const uint8_t* src, float* dst, int64_t n, bool bigEndian = false,
                    const std::atomic<bool>* cancel = nullptr);

// Throws qs::Cancelled when *cancel is set.
void checkCancel(const std::atomic<bool>* cancel);

} // namespace qs
