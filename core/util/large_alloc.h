#pragma once
// Large result buffers (a 4096 x 4096 tensor is 64 MB) cost more in page
// faults than in arithmetic: 4 KB faults take ~30 ms for 64 MB, 2 MB
// transparent huge pages ~5 ms. resizeLarge() reserves, asks the kernel for
// huge pages on the reserved range (Linux, THP "madvise" mode), then resizes.
#include <cstddef>
#include <vector>

namespace qs {

// Marks [p, p + bytes) for transparent huge pages when that is possible;
// harmless otherwise.
void adviseHugePages(void* p, size_t bytes);

// For an empty `v`: capacity n on huge pages where possible, then resize(n).
template <class T> void resizeLarge(std::vector<T>& v, size_t n) {
  if (v.empty() && n * sizeof(T) >= (size_t{4} << 20)) {
    std::vector<T> fresh;
    fresh.reserve(n);
    adviseHugePages(fresh.data(), n * sizeof(T));
    v.swap(fresh);
  }
  v.resize(n);
}

} // namespace qs
