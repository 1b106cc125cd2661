#pragma once
// A minimal reader of the protobuf wire format, enough for ONNX models.
//
// Why not libprotobuf + generated onnx.pb.cc: we need about 40 fields of five
// messages, read-only. A hand-written reader needs no code generation and no
// extra dependency, never allocates from a length it has not checked against
// the bytes that remain, returns views into the (memory-mapped) buffer so
// raw_data is never copied, and lets the caller bound the nesting depth —
// libprotobuf's default recursion limit is 100 and its 2 GB cap would reject
// large models with everything inline anyway.
#include "core/io/byte_cursor.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace qs::pb {

enum WireType : uint8_t { Varint = 0, Fixed64 = 1, Length = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5 };

struct Field {
  uint32_t number = 0;
  WireType wire = Varint;
  uint64_t varint = 0;            // Varint, Fixed64, Fixed32 values
  std::span<const uint8_t> bytes; // Length-delimited payload (a view)
  size_t offset = 0;              // where the payload starts in the whole file (for messages)

  std::string_view str() const { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }
};

// Iterates over the fields of one message.
class MessageReader {
public:
  // `baseOffset`: position of `data` in the file, for error messages.
  MessageReader(std::span<const uint8_t> data, std::string label, size_t baseOffset = 0)
      : cur_(data, std::move(label), baseOffset), base_(baseOffset) {}

  // Reads the next field; false at the end of the message. Throws qs::Error
  // on truncation, overlong varints, group wire types and lengths that
  // exceed the message.
  bool next(Field& f);

  [[noreturn]] void fail(const std::string& m) const { cur_.fail(m); }
  const std::string& label() const { return cur_.label(); }

private:
  uint64_t varint(const char* what);
  ByteCursor cur_;
  size_t base_;
};

// Decodes a varint at the start of `bytes`, advancing `pos`; throws on errors.
uint64_t readVarint(std::span<const uint8_t> bytes, size_t& pos, const std::string& label);

} // namespace qs::pb
