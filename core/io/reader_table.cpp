#include "core/io/reader_table.h"

#include "core/io/readers.h"

#include <cstring>

namespace qs {
namespace {

bool startsWith(std::span<const uint8_t> b, const char* magic, size_t n) {
  return b.size() >= n && std::memcmp(b.data(), magic, n) == 0;
}

bool sniffNpy(std::span<const uint8_t> b) {
  return startsWith(b, "\x93NUMPY", 6);
}

// Local file header or an empty archive's end record; PyTorch zip
// checkpoints match too and are refused by the npz reader itself.
bool sniffZip(std::span<const uint8_t> b) {
  return startsWith(b, "PK\x03\x04", 4) || startsWith(b, "PK\x05\x06", 4);
}

bool sniffHdf5(std::span<const uint8_t> b) {
  return startsWith(b, "\x89HDF\r\n\x1a\n", 8);
}

bool sniffGguf(std::span<const uint8_t> b) {
  return startsWith(b, "GGUF", 4);
}

// A safetensors file starts with a little-endian u64 header length N, then N
// bytes of JSON starting with '{'.
bool sniffSafetensors(std::span<const uint8_t> b) {
  if (b.size() < 10)
    return false;
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = (n << 8) | b[static_cast<size_t>(i)];
  return n >= 2 && n <= b.size() - 8 && b[8] == '{';
}

// HDF5 also finds superblocks after a user block, so the extension alone may
// pick it; the library reads the file, not the mapping.
std::unique_ptr<TensorSource> openHdf5File(std::shared_ptr<const ByteSource> bytes,
                                           const std::filesystem::path& path) {
  bytes.reset();
  return openHdf5(path);
}

} // namespace

const std::vector<ReaderEntry>& readerTable() {
  static const std::vector<ReaderEntry> table = {
      {"npy", sniffNpy, {".npy"}, openNpy},
      {"npz", sniffZip, {".npz"}, openNpz},
      {"hdf5", sniffHdf5, {".h5", ".hdf5", ".hdf", ".keras"}, openHdf5File, true},
      {"gguf", sniffGguf, {".gguf"}, openGguf},
      // Its magic is a length and a '{': checked after the exact magics.
      {"safetensors", sniffSafetensors, {".safetensors"}, openSafetensors},
      {"onnx", nullptr, {".onnx"}, openOnnx},
  };
  return table;
}

const ReaderEntry* readerForExtension(const std::string& extension) {
  for (const ReaderEntry& r : readerTable())
    for (const std::string& e : r.extensions)
      if (e == extension)
        return &r;
  return nullptr;
}

std::string supportedExtensionsText() {
  std::string out;
  for (const ReaderEntry& r : readerTable())
    for (const std::string& e : r.extensions)
      out += (out.empty() ? "" : ", ") + e;
  return out;
}

const std::vector<std::string>& tensorFileExtensions() {
  static const std::vector<std::string> exts = [] {
    std::vector<std::string> out;
    for (const ReaderEntry& r : readerTable())
      out.insert(out.end(), r.extensions.begin(), r.extensions.end());
    return out;
  }();
  return exts;
}

} // namespace qs
