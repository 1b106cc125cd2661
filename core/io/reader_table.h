#pragma once
// The tensor file readers, one entry each: opening (openTensorFile walks the
// table), the GUI's File > Open filter and the "unrecognised file" message
// all come from here. Adding a reader = its file + one entry in
// reader_table.cpp (docs/ARCHITECTURE.md).
#include "core/io/byte_source.h"
#include "core/io/tensor_source.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace qs {

struct ReaderEntry {
  std::string name; // TensorSource::formatName(), openTensorBytes' format
  // True when the first bytes of a file are this format's magic; null: the
  // format has none that is safe to sniff (ONNX is a bare protobuf).
  bool (*sniff)(std::span<const uint8_t> head);
  std::vector<std::string> extensions; // lower case, with the dot; the first is the usual one
  // Takes the bytes by value so a reader that reads the file itself (HDF5)
  // can drop the mapping before it opens the file.
  std::unique_ptr<TensorSource> (*open)(std::shared_ptr<const ByteSource> bytes,
                                        const std::filesystem::path& path);
  bool needsFile = false; // reads through a library from the path: no openTensorBytes
};

// In sniffing order.
const std::vector<ReaderEntry>& readerTable();

// The entry owning `extension` (lower case, with the dot), or null.
const ReaderEntry* readerForExtension(const std::string& extension);

// Every extension of the table, comma separated: ".npy, .npz, .safetensors, ...".
std::string supportedExtensionsText();

} // namespace qs
