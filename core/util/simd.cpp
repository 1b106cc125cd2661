#include "core/util/simd.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#if QS_HAVE_AVX2
#include <cpuid.h>
#endif

namespace qs::simd {

namespace {

bool cpuHasAvx2() {
#if QS_HAVE_AVX2
  __builtin_cpu_init();
  // Clang's __builtin_cpu_supports does not know "f16c": CPUID leaf 1 says it.
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  const bool f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_F16C);
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c;
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
