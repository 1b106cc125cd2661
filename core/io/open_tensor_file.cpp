// Format detection: magic bytes first, the extension second. PyTorch pickles
// are refused (unpickling runs arbitrary code).
#include "core/error.h"
#include "core/io/byte_source.h"
#include "core/io/readers.h"
#include "core/io/tensor_source.h"

#include <algorithm>
#include <cstring>
#include <span>

namespace qs {
namespace {

std::string lowerExtension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext;
}

bool startsWith(std::span<const uint8_t> b, const char* magic, size_t n) {
  return b.size() >= n && std::memcmp(b.data(), magic, n) == 0;
}

[[noreturn]] void refusePickle(const std::string& label) {
  throw Error(label +
              ": this is a PyTorch pickle checkpoint, which QuantScope does not open: unpickling can run "
              "arbitrary code. Convert it to safetensors first: python -c \"import torch; from "
              "safetensors.torch import save_file; save_file(torch.load('m.pt'), 'm.safetensors')\"");
}

bool isPickle(std::span<const uint8_t> b) {
  // Pickle protocol 2..5 starts with PROTO (0x80) and the protocol number.
  return b.size() >= 2 && b[0] == 0x80 && b[1] >= 2 && b[1] <= 5;
}

// A safetensors file starts with a little-endian u64 header length N, then N
// bytes of JSON starting with '{'.
bool looksLikeSafetensors(std::span<const uint8_t> b) {
  if (b.size() < 10)
    return false;
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i)
    n = (n << 8) | b[static_cast<size_t>(i)];
  return n >= 2 && n <= b.size() - 8 && b[8] == '{';
}

constexpr char kHdf5Magic[] = "\x89HDF\r\n\x1a\n";

} // namespace

std::unique_ptr<TensorSource> openTensorFile(const std::filesystem::path& path) {
  const std::string label = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw Error(label + ": no such file");
  if (std::filesystem::is_directory(path, ec))
    throw Error(label + ": is a directory, not a tensor file");
  auto bytes = mapFile(path);
  auto b = bytes->bytes();
  const std::string ext = lowerExtension(path);

  if (startsWith(b, "\x93NUMPY", 6))
    return openNpy(bytes, path);
  if (startsWith(b, "PK\x03\x04", 4) || startsWith(b, "PK\x05\x06", 4))
    return openNpz(bytes, path); // refuses PyTorch zip checkpoints itself
  if (startsWith(b, kHdf5Magic, 8)) {
    bytes.reset();
    return openHdf5(path);
  }
  if (startsWith(b, "GGUF", 4))
    return openGguf(bytes, path);
  if (isPickle(b))
    refusePickle(label);
  if (looksLikeSafetensors(b))
    return openSafetensors(bytes, path);

  // No magic matched: let the extension pick the parser, which then reports
  // precisely what is wrong with the file.
  if (ext == ".npy")
    return openNpy(bytes, path);
  if (ext == ".npz")
    return openNpz(bytes, path);
  if (ext == ".safetensors")
    return openSafetensors(bytes, path);
  if (ext == ".gguf")
    return openGguf(bytes, path);
  if (ext == ".onnx")
    return openOnnx(bytes, path);
  if (ext == ".h5" || ext == ".hdf5" || ext == ".hdf" || ext == ".keras") {
    bytes.reset();
    return openHdf5(path); // HDF5 also finds superblocks after a user block
  }
  if (ext == ".pt" || ext == ".pth" || ext == ".ckpt" || ext == ".pkl")
    refusePickle(label);
  if (b.empty())
    throw Error(label + ": the file is empty");
  throw Error(label +
              ": unrecognised tensor file format (no known magic bytes or extension); supported: .npy, .npz, "
              ".safetensors, .h5/.hdf5, .gguf, .onnx");
}

const std::vector<std::string>& tensorFileExtensions() {
  static const std::vector<std::string> exts = {".npy",  ".npz",  ".safetensors", ".h5",
                                                ".hdf5", ".gguf", ".onnx"};
  return exts;
}

std::unique_ptr<TensorSource> openTensorBytes(const std::string& format, std::vector<uint8_t> data) {
  auto bytes = memoryBytes(std::move(data), "<memory " + format + ">");
  if (format == "npy")
    return openNpy(bytes, "array.npy");
  if (format == "npz")
    return openNpz(bytes, {});
  if (format == "safetensors")
    return openSafetensors(bytes, {});
  if (format == "gguf")
    return openGguf(bytes, {});
  if (format == "onnx")
    return openOnnx(bytes, {});
  throw Error("openTensorBytes: unknown format '" + format + "'");
}

} // namespace qs
