#pragma once
// Large result buffers (a 4096 x 4096 tensor is 64 MB) cost more in page
// faults and zero-filling than in arithmetic: 4 KB faults take ~30 ms for
// 64 MB, 2 MB transparent huge pages ~5 ms, and glibc returns every such
// block to the kernel on free, so the next result pays again. Two remedies:
//   - resizeLarge() asks for huge pages on a fresh block (Linux, THP
//     "madvise" mode);
//   - a small pool of released buffers: releaseLarge() parks a buffer,
//     resizeLarge() takes one of the right size back. A recycled buffer keeps
//     its old contents: callers of resizeLarge() must overwrite every element.
// The pool is bounded (kPoolEntries buffers and kPoolBytes per element type)
// and thread-safe: results may die on any thread.
#include <algorithm>
#include <cstddef>
#include <mutex>
#include <vector>

namespace qs {

// Marks [p, p + bytes) for transparent huge pages when that is possible;
// harmless otherwise.
void adviseHugePages(void* p, size_t bytes);

namespace detail {

inline constexpr size_t kLargeBytes = size_t{4} << 20; // smaller vectors go to malloc as usual
inline constexpr size_t kPoolEntries = 4;
inline constexpr size_t kPoolBytes = size_t{1} << 30;

template <class T> class LargePool {
public:
  // Never destroyed: results held by other statics may die after it would.
  static LargePool& instance() {
    static LargePool* pool = new LargePool;
    return *pool;
  }
  // A parked vector of exactly n elements, else one with room for n; empty if none.
  std::vector<T> take(size_t n) {
    std::lock_guard<std::mutex> lock(mutex_);
    size_t pick = parked_.size();
    for (size_t i = 0; i < parked_.size(); ++i) {
      if (parked_[i].size() == n) {
        pick = i;
        break;
      }
      if (parked_[i].capacity() >= n &&
          (pick == parked_.size() || parked_[i].capacity() < parked_[pick].capacity()))
        pick = i;
    }
    if (pick == parked_.size())
      return {};
    std::vector<T> v = std::move(parked_[pick]);
    parked_.erase(parked_.begin() + std::ptrdiff_t(pick));
    bytes_ -= v.capacity() * sizeof(T);
    return v;
  }
  void give(std::vector<T>&& v) {
    const size_t b = v.capacity() * sizeof(T);
    if (b < kLargeBytes || b > kPoolBytes)
      return;
    std::vector<std::vector<T>> evicted; // freed outside the lock
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (!parked_.empty() && (parked_.size() >= kPoolEntries || bytes_ + b > kPoolBytes)) {
        bytes_ -= parked_.front().capacity() * sizeof(T); // the oldest goes first
        evicted.push_back(std::move(parked_.front()));
        parked_.erase(parked_.begin());
      }
      bytes_ += b;
      parked_.push_back(std::move(v));
    }
  }
  size_t parkedCount() {
    std::lock_guard<std::mutex> lock(mutex_);
    return parked_.size();
  }
  // Parked buffers with room for n elements.
  size_t parkedWithRoom(size_t n) {
    std::lock_guard<std::mutex> lock(mutex_);
    size_t k = 0;
    for (const std::vector<T>& v : parked_)
      k += v.capacity() >= n ? 1 : 0;
    return k;
  }

private:
  std::mutex mutex_;
  std::vector<std::vector<T>> parked_;
  size_t bytes_ = 0;
};

} // namespace detail

// For an empty `v`: a pooled buffer of n elements (old contents) when one is
// parked, else capacity n on huge pages where possible, then resize(n)
// (zero-filled). Otherwise a plain resize.
template <class T> void resizeLarge(std::vector<T>& v, size_t n) {
  if (v.empty() && n * sizeof(T) >= detail::kLargeBytes) {
    std::vector<T> reused = detail::LargePool<T>::instance().take(n);
    if (reused.capacity() >= n) {
      v.swap(reused);
    } else {
      std::vector<T> fresh;
      fresh.reserve(n);
      adviseHugePages(fresh.data(), n * sizeof(T));
      v.swap(fresh);
    }
  }
  v.resize(n);
}

// Makes sure `count` buffers of n elements are parked, touching fresh pages
// now: a first touch costs far more than the arithmetic (zeroing, and on a
// virtual machine the host backing the page), so a caller that knows the next
// results' size (the GUI, after a tensor's first result) pays it off the
// critical path.
template <class T> void prewarmLarge(size_t n, size_t count) {
  auto& pool = detail::LargePool<T>::instance();
  if (n * sizeof(T) < detail::kLargeBytes || count * n * sizeof(T) > detail::kPoolBytes)
    return;
  for (size_t have = pool.parkedWithRoom(n); have < count && have < detail::kPoolEntries; ++have) {
    std::vector<T> fresh;
    fresh.reserve(n);
    adviseHugePages(fresh.data(), n * sizeof(T));
    fresh.resize(n); // the touch
    pool.give(std::move(fresh));
  }
}

// Parks a large buffer for a later resizeLarge() (leaves `v` empty).
template <class T> void releaseLarge(std::vector<T>& v) {
  if (v.capacity() * sizeof(T) >= detail::kLargeBytes)
    detail::LargePool<T>::instance().give(std::move(v));
  std::vector<T>().swap(v);
}

} // namespace qs
