#pragma once
// The bytes a binary reader parses: a read-only memory map of a file, or an
// owned buffer (fuzzers and tests parse from memory). Readers keep a
// shared_ptr so tensors can be converted straight from the mapping without a
// copy, and a 14 GB file costs only the pages actually touched.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace qs {

class ByteSource {
public:
  virtual ~ByteSource() = default;
  virtual std::span<const uint8_t> bytes() const = 0;
  // What error messages call these bytes: the file path, or "<memory>".
  virtual const std::string& label() const = 0;
  // Done with bytes [offset, offset + length) for now: a map drops their pages
  // from the process (they stay in the page cache and fault back in on the
  // next touch), so reading a whole model does not keep it resident.
  virtual void release(size_t /*offset*/, size_t /*length*/) const {}
};

// Maps the whole file read-only (an empty file maps to an empty span).
// Throws qs::Error naming the file when it cannot be opened or mapped.
std::shared_ptr<const ByteSource> mapFile(const std::filesystem::path& path);

// Wraps an owned buffer; `label` is used in error messages.
std::shared_ptr<const ByteSource> memoryBytes(std::vector<uint8_t> data, std::string label);

} // namespace qs
