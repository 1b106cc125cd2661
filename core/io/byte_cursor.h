#pragma once
// Bounds-checked little-endian reads over a byte span, shared by every binary
// parser (npy, safetensors, GGUF, protobuf). Every read checks the remaining
// length first and throws qs::Error naming the file, what was being read and
// the byte offset, so hostile input can never read past the buffer.
#include "core/error.h"

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace qs {

// Up to `max` bytes as a quoted, printable-escaped string for error messages:
// 'PK\x03\x04' (ASCII as is, the rest as \xNN).
inline std::string printableBytes(std::span<const uint8_t> bytes, size_t max = 8) {
  static const char* hex = "0123456789abcdef";
  std::string out = "'";
  for (size_t i = 0; i < bytes.size() && i < max; ++i) {
    const uint8_t b = bytes[i];
    if (b >= 0x20 && b < 0x7f && b != '\\' && b != '\'') {
      out += char(b);
    } else {
      out += "\\x";
      out += hex[b >> 4];
      out += hex[b & 15];
    }
  }
  return out + (bytes.size() > max ? "'..." : "'");
}

class ByteCursor {
public:
  ByteCursor(std::span<const uint8_t> data, std::string label, size_t baseOffset = 0)
      : data_(data), label_(std::move(label)), base_(baseOffset) {}

  size_t pos() const { return pos_; }
  size_t size() const { return data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }
  bool atEnd() const { return pos_ == data_.size(); }
  const std::string& label() const { return label_; }

  void seek(uint64_t pos, const char* what) {
    if (pos > data_.size())
      fail(std::string(what) + ": offset " + std::to_string(pos) + " is beyond the end (" +
           std::to_string(data_.size()) + " bytes)");
    pos_ = static_cast<size_t>(pos);
  }
  void skip(uint64_t n, const char* what) { take(n, what); }

  std::span<const uint8_t> take(uint64_t n, const char* what) {
    need(n, what);
    auto s = data_.subspan(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }
  std::string_view str(uint64_t n, const char* what) {
    auto s = take(n, what);
    return {reinterpret_cast<const char*>(s.data()), s.size()};
  }

  uint8_t u8(const char* what) { return take(1, what)[0]; }
  uint16_t u16(const char* what) { return static_cast<uint16_t>(le(2, what)); }
  uint32_t u32(const char* what) { return static_cast<uint32_t>(le(4, what)); }
  uint64_t u64(const char* what) { return le(8, what); }
  int8_t i8(const char* what) { return static_cast<int8_t>(u8(what)); }
  int16_t i16(const char* what) { return static_cast<int16_t>(u16(what)); }
  int32_t i32(const char* what) { return static_cast<int32_t>(u32(what)); }
  int64_t i64(const char* what) { return static_cast<int64_t>(u64(what)); }
  float f32(const char* what) {
    uint32_t b = u32(what);
    float f;
    std::memcpy(&f, &b, 4);
    return f;
  }
  double f64(const char* what) {
    uint64_t b = u64(what);
    double d;
    std::memcpy(&d, &b, 8);
    return d;
  }

  // Throws qs::Error("<label>: <message> (at byte N)").
  [[noreturn]] void fail(const std::string& message) const {
    throw Error(label_ + ": " + message + " (at byte " + std::to_string(base_ + pos_) + ")");
  }

private:
  void need(uint64_t n, const char* what) const {
    if (n > remaining())
      fail(std::string("truncated ") + what + ": need " + std::to_string(n) + " bytes, " +
           std::to_string(remaining()) + " left");
  }
  uint64_t le(int n, const char* what) {
    auto s = take(static_cast<uint64_t>(n), what);
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i)
      v = (v << 8) | s[static_cast<size_t>(i)];
    return v;
  }

  std::span<const uint8_t> data_;
  std::string label_;
  size_t base_ = 0;
  size_t pos_ = 0;
};

} // namespace qs
