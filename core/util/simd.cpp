#include "core/util/simd.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace qs::simd {

namespace {

bool cpuHasAvx2() {
#if QS_HAVE_AVX2
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#else
  return false;
#endif
}

bool scalarRequested() {
  const char* v = std::getenv("QS_SIMD");
  return v && std::strcmp(v, "scalar") == 0;
}

std::atomic<bool>& enabled() {
  static std::atomic<bool> on{cpuHasAvx2() && !scalarRequested()};
  return on;
}

} // namespace

bool useAvx2() {
  return enabled().load(std::memory_order_relaxed);
}

void forceScalar(bool on) {
  enabled().store(!on && cpuHasAvx2(), std::memory_order_relaxed);
}

const char* activeLevel() {
  return useAvx2() ? "avx2" : "scalar";
}

} // namespace qs::simd
