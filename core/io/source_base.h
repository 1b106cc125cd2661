#pragma once
// Shared plumbing for the readers: the listing, the path and metadata, and
// row-slice validation, so each format file only implements parsing and reads.
#include "core/axis_layout.h"
#include "core/io/tensor_source.h"

#include <string>

namespace qs {

class SourceBase : public TensorSource {
public:
  SourceBase(std::string format, std::filesystem::path path)
      : format_(std::move(format)), path_(std::move(path)), label_(path_.string()) {}

  std::string formatName() const override { return format_; }
  const std::filesystem::path& path() const override { return path_; }
  const std::vector<TensorEntry>& list() const override { return entries_; }
  std::map<std::string, std::string> fileMetadata() const override { return fileMeta_; }

protected:
  // The entry for `name`, or qs::Error "<file>: no tensor named 'x'".
  const TensorEntry& entryOrThrow(const std::string& name) const;
  // Validates a row slice against the entry's first dimension (a 0-d tensor
  // has one row) and throws a qs::Error naming file and tensor.
  void checkSlice(const TensorEntry& entry, RowSlice slice) const;
  [[noreturn]] void fail(const std::string& tensor, const std::string& message) const;
  // Sets the layout of every entry that has none yet (core/axis_layout.h).
  void inferLayouts(WeightOrder order, const std::string& origin);
  // The tensor skeleton for rows [begin, end) of `entry` with values allocated.
  Tensor makeTensor(const TensorEntry& entry, RowSlice slice) const;
  // Elements per row (product of all but the first dimension; 1 for 0-d).
  static int64_t rowElements(const Shape& shape);
  static int64_t rowCount(const Shape& shape) { return shape.empty() ? 1 : shape[0]; }

  std::string format_;
  std::filesystem::path path_;
  std::string label_;
  std::vector<TensorEntry> entries_;
  std::map<std::string, std::string> fileMeta_;
};

// Largest tensor (in float32 bytes) a reader will allocate: physical memory.
// Hostile headers can claim any size; this turns them into a clear error.
uint64_t maxTensorBytes();

// Elements of a shape read from a file, with a labeled qs::Error ("<context>:
// shape [...] has more elements than fit in 64 bits") for negative
// dimensions and for overflow. Unlike shapeNumel it also checks the product
// of the non-zero dimensions when another one is 0, and keeps 8 bytes per
// element representable, so every sub-product (a row's size in bytes) is safe.
int64_t checkedNumel(const Shape& shape, const std::string& context);

// Resizes `values` to n zeros, hinting huge pages for large outputs.
void allocateValues(std::vector<float>& values, size_t n);

} // namespace qs
