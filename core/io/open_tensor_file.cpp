// Format detection: magic bytes first, the extension second, both from the
// reader table. PyTorch pickles are refused (unpickling runs arbitrary code).
#include "core/error.h"
#include "core/io/byte_source.h"
#include "core/io/reader_table.h"
#include "core/io/readers.h"
#include "core/io/tensor_source.h"

#include <algorithm>
#include <span>

namespace qs {
namespace {

std::string lowerExtension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext;
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

bool isPickleExtension(const std::string& ext) {
  return ext == ".pt" || ext == ".pth" || ext == ".ckpt" || ext == ".pkl";
}

} // namespace

std::unique_ptr<TensorSource> openTensorFile(const std::filesystem::path& path) {
  const std::string label = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw Error(label + ": no such file");
  if (std::filesystem::is_directory(path, ec))
    throw Error(label + ": is a directory, not a tensor file");
  std::shared_ptr<const ByteSource> bytes = mapFile(path);
  const auto b = bytes->bytes();
  if (isPickle(b))
    refusePickle(label);
  for (const ReaderEntry& r : readerTable())
    if (r.sniff && r.sniff(b))
      return r.open(std::move(bytes), path);

  // No magic matched: let the extension pick the parser, which then reports
  // precisely what is wrong with the file.
  const std::string ext = lowerExtension(path);
  if (const ReaderEntry* r = readerForExtension(ext))
    return r->open(std::move(bytes), path);
  if (isPickleExtension(ext))
    refusePickle(label);
  if (b.empty())
    throw Error(label + ": the file is empty");
  throw Error(label + ": unrecognised tensor file format (no known magic bytes or extension); supported: " +
              supportedExtensionsText());
}

std::unique_ptr<TensorSource> openTensorBytes(const std::string& format, std::vector<uint8_t> data) {
  auto bytes = memoryBytes(std::move(data), "<memory " + format + ">");
  for (const ReaderEntry& r : readerTable())
    if (r.name == format && !r.needsFile) // npy names its one tensor after the file stem
      return r.open(std::move(bytes),
                    format == "npy" ? std::filesystem::path("array.npy") : std::filesystem::path());
  throw Error("openTensorBytes: unknown format '" + format + "'");
}

} // namespace qs
