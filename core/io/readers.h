#pragma once
// Per-format entry points behind openTensorFile. Binary formats parse from a
// ByteSource (a memory map, or a buffer for fuzzers); `path` names the file
// in messages and, for ONNX, locates external data (empty path: external
// data is refused).
#include "core/io/byte_source.h"
#include "core/io/tensor_source.h"

#include <filesystem>
#include <memory>

namespace qs {

std::unique_ptr<TensorSource> openNpy(std::shared_ptr<const ByteSource> bytes,
                                      const std::filesystem::path& path);
std::unique_ptr<TensorSource> openNpz(std::shared_ptr<const ByteSource> bytes,
                                      const std::filesystem::path& path);
std::unique_ptr<TensorSource> openSafetensors(std::shared_ptr<const ByteSource> bytes,
                                              const std::filesystem::path& path);
std::unique_ptr<TensorSource> openGguf(std::shared_ptr<const ByteSource> bytes,
                                       const std::filesystem::path& path);
std::unique_ptr<TensorSource> openOnnx(std::shared_ptr<const ByteSource> bytes,
                                       const std::filesystem::path& path);
// HDF5 reads through the HDF5 library from the file itself.
std::unique_ptr<TensorSource> openHdf5(const std::filesystem::path& path);

// Parses bytes of a known format from memory (fuzzers, tests). `format` is
// one of "npy", "npz", "safetensors", "gguf", "onnx".
std::unique_ptr<TensorSource> openTensorBytes(const std::string& format, std::vector<uint8_t> bytes);

} // namespace qs
