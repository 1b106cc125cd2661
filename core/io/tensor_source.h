#pragma once
// One reader interface for every tensor file format (npy, npz, safetensors,
// HDF5, GGUF, ONNX). A source lists its entries without reading tensor data,
// and reads one tensor (or a row range of it) as float32 on demand.
#include "core/tensor.h"

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace qs {

struct TensorEntry {
  std::string name; // full path inside the file, groups joined by '/'
  Shape shape;
  std::string storedDtype;                     // as the file stores it: "float16", "bfloat16", "Q4_K", "int8"
  uint64_t bytes = 0;                          // bytes the stored data occupies in the file
  std::map<std::string, std::string> metadata; // attributes, per-tensor info
  AxisLayout layout;                           // the output-channel axis and why (core/axis_layout.h)
  // Why QuantScope cannot read this tensor (a GGUF type it cannot dequantize);
  // empty when it can. Such an entry is listed, and read() throws this reason.
  std::string unreadable;
};

// A contiguous range of the first dimension: rows [begin, end).
struct RowSlice {
  int64_t begin = 0;
  int64_t end = 0;
};

// Progress of a long read: called on the reading thread (possibly while the
// reader holds its lock: keep it short) with the fraction done in (0, 1],
// increasing, the last call exactly 1. Empty: not reported.
using ReadProgress = std::function<void(double fraction)>;

class TensorSource {
public:
  virtual ~TensorSource() = default;

  virtual std::string formatName() const = 0; // "safetensors"
  virtual const std::filesystem::path& path() const = 0;
  virtual const std::vector<TensorEntry>& list() const = 0; // no data read
  // File-level metadata (safetensors __metadata__, GGUF key/values, HDF5 root attributes).
  virtual std::map<std::string, std::string> fileMetadata() const { return {}; }

  // Reads a whole tensor as float32. Throws qs::Error naming file and tensor.
  // `cancel`, when given, is polled between chunks (throws qs::Cancelled).
  virtual Tensor read(const std::string& name, const std::atomic<bool>* cancel = nullptr) const = 0;
  // Reads rows [slice.begin, slice.end) of the first dimension. The default
  // reads everything and cuts; readers that can seek override it.
  virtual Tensor readRows(const std::string& name, RowSlice slice,
                          const std::atomic<bool>* cancel = nullptr) const;

  // Reads a whole tensor like read() and reports its progress. The default
  // reads a large tensor in row chunks of about 16 MiB when readsRowsCheaply(),
  // otherwise in one go (one report: 1); readers that decode in chunks anyway
  // (npz inflating, HDF5 hyperslabs) override it and report per chunk.
  // A separate name, not a parameter of read(), so every existing read()
  // override stays an override.
  virtual Tensor readWithProgress(const std::string& name, const std::atomic<bool>* cancel,
                                  const ReadProgress& progress) const;

  // True when readRows touches only the requested rows (memory-mapped or
  // hyperslab reads), so reading in row chunks for progress costs nothing
  // extra; false when it must decode the whole tensor (npz members).
  virtual bool readsRowsCheaply() const { return false; }

  const TensorEntry* find(const std::string& name) const;
};

// Opens a file by its content (magic bytes) first and its extension second.
// Throws qs::Error with a clear message for unknown or refused formats
// (PyTorch pickles are refused: unpickling can run code).
std::unique_ptr<TensorSource> openTensorFile(const std::filesystem::path& path);

// The extensions openTensorFile knows (lower case, with the dot), in the
// order of the reader table (core/io/reader_table.h).
const std::vector<std::string>& tensorFileExtensions();

} // namespace qs
