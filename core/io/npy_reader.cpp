// .npy: one array per file, memory-mapped; the tensor is named after the file stem.
#include "core/error.h"
#include "core/io/npy_format.h"
#include "core/io/readers.h"
#include "core/io/source_base.h"

namespace qs {
namespace {

class NpySource final : public SourceBase {
public:
  NpySource(std::shared_ptr<const ByteSource> bytes, const std::filesystem::path& path)
      : SourceBase("npy", path), bytes_(std::move(bytes)) {
    label_ = bytes_->label();
    auto data = bytes_->bytes();
    header_ = parseNpyHeader(data, label_);
    const uint64_t need = header_.dataOffset + header_.dataBytes;
    if (header_.dataBytes > data.size() || need != data.size())
      throw Error(label_ + ": the header describes " + std::to_string(header_.dataBytes) + " bytes of " +
                  dtypeName(header_.dtype) + " data " + shapeToString(header_.shape) + ", the file has " +
                  std::to_string(data.size() - header_.dataOffset) + " bytes after the header");
    TensorEntry e;
    e.name = path.stem().string();
    if (e.name.empty())
      e.name = "array";
    e.shape = header_.shape;
    e.storedDtype = dtypeName(header_.dtype);
    e.bytes = header_.dataBytes;
    if (header_.fortranOrder)
      e.metadata["order"] = "Fortran (converted to row-major)";
    if (header_.bigEndian)
      e.metadata["byte order"] = "big-endian";
    entries_.push_back(std::move(e));
    inferLayouts(WeightOrder::OutFirst, "NumPy array, PyTorch order assumed");
  }

  // Fortran order is converted whole (its rows are strided through the file).
  bool readsRowsCheaply() const override { return !header_.fortranOrder; }

  Tensor read(const std::string& name, const std::atomic<bool>* cancel) const override {
    const auto& e = entryOrThrow(name);
    return readRows(name, {0, rowCount(e.shape)}, cancel);
  }

  Tensor readRows(const std::string& name, RowSlice slice, const std::atomic<bool>* cancel) const override {
    const auto& e = entryOrThrow(name);
    Tensor t = makeTensor(e, slice);
    npyToFloat(header_, bytes_->bytes().data() + header_.dataOffset, slice, t.values.data(), cancel);
    return t;
  }

private:
  std::shared_ptr<const ByteSource> bytes_;
  NpyHeader header_;
};

} // namespace

std::unique_ptr<TensorSource> openNpy(std::shared_ptr<const ByteSource> bytes,
                                      const std::filesystem::path& path) {
  return std::make_unique<NpySource>(std::move(bytes), path);
}

} // namespace qs
