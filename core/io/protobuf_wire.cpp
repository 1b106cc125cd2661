#include "core/io/protobuf_wire.h"

#include "core/error.h"

namespace qs::pb {

uint64_t readVarint(std::span<const uint8_t> bytes, size_t& pos, const std::string& label) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= bytes.size())
      throw Error(label + ": truncated protobuf varint");
    const uint8_t b = bytes[pos++];
    if (shift == 63 && (b & 0x7e))
      throw Error(label + ": protobuf varint overflows 64 bits");
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80))
      return v;
  }
  throw Error(label + ": protobuf varint longer than 10 bytes");
}

uint64_t MessageReader::varint(const char* what) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    const uint8_t b = cur_.u8(what);
    if (shift == 63 && (b & 0x7e))
      cur_.fail(std::string(what) + " overflows 64 bits");
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80))
      return v;
  }
  cur_.fail(std::string(what) + " is longer than 10 bytes");
}

bool MessageReader::next(Field& f) {
  if (cur_.atEnd())
    return false;
  const uint64_t tag = varint("protobuf tag");
  f.number = static_cast<uint32_t>(tag >> 3);
  if ((tag >> 3) == 0 || (tag >> 3) > 0x1fffffff)
    cur_.fail("invalid protobuf field number " + std::to_string(tag >> 3));
  f.wire = static_cast<WireType>(tag & 7);
  f.bytes = {};
  f.varint = 0;
  switch (f.wire) {
  case Varint:
    f.varint = varint("protobuf varint");
    break;
  case Fixed64:
    f.varint = cur_.u64("protobuf fixed64");
    break;
  case Fixed32:
    f.varint = cur_.u32("protobuf fixed32");
    break;
  case Length: {
    const uint64_t n = varint("protobuf length");
    if (n > cur_.remaining())
      cur_.fail("protobuf field " + std::to_string(f.number) + " claims " + std::to_string(n) + " bytes, " +
                std::to_string(cur_.remaining()) + " remain in the message");
    f.offset = base_ + cur_.pos();
    f.bytes = cur_.take(n, "protobuf bytes");
    break;
  }
  default:
    cur_.fail("unsupported protobuf wire type " + std::to_string(int(f.wire)) + " (field " +
              std::to_string(f.number) + ")");
  }
  return true;
}

} // namespace qs::pb
