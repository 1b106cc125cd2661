#include "core/io/tensor_source.h"

#include "core/error.h"
#include "core/io/source_base.h"

#include <algorithm>
#include <limits>
#include <sys/mman.h>
#include <unistd.h>

namespace qs {

const TensorEntry* TensorSource::find(const std::string& name) const {
  for (const auto& e : list())
    if (e.name == name)
      return &e;
  return nullptr;
}

Tensor TensorSource::readRows(const std::string& name, RowSlice slice,
                              const std::atomic<bool>* cancel) const {
  Tensor all = read(name, cancel);
  const int64_t rows = all.shape.empty() ? 1 : all.shape[0];
  if (slice.begin < 0 || slice.end < slice.begin || slice.end > rows)
    throw Error(path().string() + ": tensor '" + name + "': row slice [" + std::to_string(slice.begin) +
                ", " + std::to_string(slice.end) + ") outside [0, " + std::to_string(rows) + ")");
  const int64_t per = rows == 0 ? 0 : all.numel() / rows;
  Tensor out;
  out.name = all.name;
  out.storedDtype = all.storedDtype;
  out.shape = all.shape;
  out.layout = all.layout;
  if (out.shape.empty()) {
    if (slice.end == slice.begin)
      out.values.clear();
    else
      out.values = all.values;
    return out;
  }
  out.shape[0] = slice.end - slice.begin;
  out.values.assign(all.values.begin() + slice.begin * per, all.values.begin() + slice.end * per);
  return out;
}

Tensor TensorSource::readWithProgress(const std::string& name, const std::atomic<bool>* cancel,
                                      const ReadProgress& progress) const {
  // 16 MiB of float32 per chunk; tensors under four chunks read in one go.
  constexpr uint64_t kChunkBytes = uint64_t(16) << 20;
  const TensorEntry* entry = find(name);
  const int64_t rows = entry && !entry->shape.empty() ? entry->shape[0] : 0;
  const int64_t numel = entry ? shapeNumel(entry->shape) : 0;
  if (!readsRowsCheaply() || rows < 2 || static_cast<uint64_t>(numel) * sizeof(float) < 4 * kChunkBytes) {
    Tensor t = read(name, cancel);
    if (progress)
      progress(1.0);
    return t;
  }
  const int64_t perRow = numel / rows;
  const int64_t chunkRows =
      std::max<int64_t>(1, static_cast<int64_t>(kChunkBytes / sizeof(float)) / std::max<int64_t>(1, perRow));
  Tensor whole;
  for (int64_t begin = 0; begin < rows; begin += chunkRows) {
    if (cancel && cancel->load())
      throw Cancelled();
    const int64_t end = std::min(rows, begin + chunkRows);
    Tensor part = readRows(name, {begin, end}, cancel);
    if (part.numel() != (end - begin) * perRow)
      throw Error(path().string() + ": tensor '" + name + "': rows [" + std::to_string(begin) + ", " +
                  std::to_string(end) + ") gave " + std::to_string(part.numel()) + " values, expected " +
                  std::to_string((end - begin) * perRow));
    if (begin == 0) {
      whole.name = part.name.empty() ? name : part.name;
      whole.storedDtype = part.storedDtype;
      whole.shape = entry->shape;
      whole.layout = part.layout;
      allocateValues(whole.values, static_cast<size_t>(numel));
    }
    std::copy(part.values.begin(), part.values.end(), whole.values.begin() + begin * perRow);
    if (progress)
      progress(static_cast<double>(end) / static_cast<double>(rows));
  }
  return whole;
}

const TensorEntry& SourceBase::entryOrThrow(const std::string& name) const {
  if (const TensorEntry* e = find(name))
    return *e;
  throw Error(label_ + ": no tensor named '" + name + "'");
}

void SourceBase::fail(const std::string& tensor, const std::string& message) const {
  throw Error(label_ + ": tensor '" + tensor + "': " + message);
}

int64_t SourceBase::rowElements(const Shape& shape) {
  if (shape.empty())
    return 1;
  Shape rest(shape.begin() + 1, shape.end());
  return shapeNumel(rest);
}

void SourceBase::checkSlice(const TensorEntry& entry, RowSlice slice) const {
  const int64_t rows = rowCount(entry.shape);
  if (slice.begin < 0 || slice.end < slice.begin || slice.end > rows)
    fail(entry.name, "row slice [" + std::to_string(slice.begin) + ", " + std::to_string(slice.end) +
                         ") outside [0, " + std::to_string(rows) + ")");
}

void SourceBase::inferLayouts(WeightOrder order, const std::string& origin) {
  for (TensorEntry& e : entries_)
    if (e.layout.reason.empty())
      e.layout = inferAxisLayout(e.shape, order, origin);
}

Tensor SourceBase::makeTensor(const TensorEntry& entry, RowSlice slice) const {
  checkSlice(entry, slice);
  Tensor t;
  t.name = entry.name;
  t.storedDtype = entry.storedDtype;
  t.shape = entry.shape;
  t.layout = entry.layout;
  const int64_t rows = slice.end - slice.begin;
  if (!t.shape.empty())
    t.shape[0] = rows;
  const int64_t n = t.shape.empty() ? (rows > 0 ? 1 : 0) : shapeNumel(t.shape);
  if (static_cast<uint64_t>(n) > maxTensorBytes() / sizeof(float))
    fail(entry.name, std::to_string(n) + " elements (" + shapeToString(entry.shape) +
                         ") do not fit in memory as float32");
  allocateValues(t.values, static_cast<size_t>(n));
  return t;
}

void allocateValues(std::vector<float>& values, size_t n) {
  // Large outputs: reserve first (no page touched yet) and ask for
  // transparent huge pages, so the zero-fill of resize() takes ~500x fewer
  // page faults. A hint only: failure changes nothing.
  constexpr size_t kHugeThreshold = size_t(8) << 20;
  values.clear();
  if (n * sizeof(float) >= kHugeThreshold) {
    values.reserve(n);
    const uintptr_t page = 2u << 20;
    const uintptr_t begin = (reinterpret_cast<uintptr_t>(values.data()) + page - 1) & ~(page - 1);
    const uintptr_t end = (reinterpret_cast<uintptr_t>(values.data() + n)) & ~(page - 1);
    if (end > begin)
      ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  }
  values.resize(n);
}

int64_t checkedNumel(const Shape& shape, const std::string& context) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / 8;
  int64_t n = 1;
  bool zero = false;
  for (int64_t d : shape) {
    if (d < 0)
      throw Error(context + ": negative dimension " + std::to_string(d) + " in shape " +
                  shapeToString(shape));
    if (d == 0) {
      zero = true;
      continue;
    }
    if (n > kMax / d)
      throw Error(context + ": shape " + shapeToString(shape) + " has too many elements (more than 2^60)");
    n *= d;
  }
  return zero ? 0 : n;
}

uint64_t maxTensorBytes() {
  static const uint64_t limit = [] {
    long pages = ::sysconf(_SC_PHYS_PAGES);
    long page = ::sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0)
      return uint64_t(1) << 34;
    return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
  }();
  return limit;
}

} // namespace qs
