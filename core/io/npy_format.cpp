#include "core/io/npy_format.h"

#include "core/error.h"
#include "core/io/byte_cursor.h"
#include "core/io/source_base.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <vector>

namespace qs {
namespace {

// A tokenizer for the one Python literal NumPy writes:
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// Only strings, True/False, and tuples of non-negative integers are values.
class DictParser {
public:
  DictParser(std::string_view text, const std::string& label) : s_(text), label_(label) {}

  struct Value {
    enum Kind { Str, Bool, Tuple } kind = Str;
    std::string str;
    bool flag = false;
    Shape tuple;
  };

  std::map<std::string, Value> parse() {
    std::map<std::string, Value> out;
    expect('{');
    ws();
    while (peek() != '}') {
      std::string key = string();
      expect(':');
      Value v = value();
      if (!out.emplace(key, std::move(v)).second)
        fail("duplicate key '" + key + "'");
      ws();
      if (peek() == ',') {
        ++i_;
        ws();
      } else if (peek() != '}') {
        fail("expected ',' or '}'");
      }
    }
    ++i_;
    ws();
    if (i_ != s_.size())
      fail("unexpected text after the dict");
    return out;
  }

private:
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n'))
      ++i_;
  }
  void expect(char c) {
    ws();
    if (peek() != c)
      fail(std::string("expected '") + c + "'");
    ++i_;
  }
  [[noreturn]] void fail(const std::string& m) const {
    throw Error(label_ + ": malformed .npy header: " + m + " at column " + std::to_string(i_) + " of \"" +
                std::string(s_.substr(0, 120)) + "\"");
  }
  std::string string() {
    ws();
    char q = peek();
    if (q != '\'' && q != '"')
      fail("expected a quoted string");
    ++i_;
    std::string out;
    while (i_ < s_.size() && s_[i_] != q) {
      if (s_[i_] == '\\')
        fail("escape sequences are not allowed");
      out += s_[i_++];
    }
    if (i_ >= s_.size())
      fail("unterminated string");
    ++i_;
    return out;
  }
  Value value() {
    ws();
    Value v;
    char c = peek();
    if (c == '\'' || c == '"') {
      v.kind = Value::Str;
      v.str = string();
    } else if (s_.substr(i_, 4) == "True") {
      v.kind = Value::Bool;
      v.flag = true;
      i_ += 4;
    } else if (s_.substr(i_, 5) == "False") {
      v.kind = Value::Bool;
      i_ += 5;
    } else if (c == '(') {
      v.kind = Value::Tuple;
      ++i_;
      ws();
      bool trailingComma = false;
      while (peek() != ')') {
        v.tuple.push_back(integer());
        ws();
        trailingComma = false;
        if (peek() == ',') {
          ++i_;
          trailingComma = true;
          ws();
        } else if (peek() != ')') {
          fail("expected ',' or ')' in shape");
        }
      }
      // Python needs "(3,)" for a 1-tuple; "(3)" is the integer 3.
      if (v.tuple.size() == 1 && !trailingComma)
        fail("a one-element shape needs a trailing comma");
      ++i_;
    } else if (c == '[') {
      fail("structured dtypes are not supported (only plain numeric arrays)");
    } else {
      fail("expected a string, True/False or a shape tuple");
    }
    return v;
  }
  int64_t integer() {
    ws();
    if (!std::isdigit(static_cast<unsigned char>(peek())))
      fail("expected a non-negative integer dimension");
    int64_t v = 0;
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      int d = peek() - '0';
      if (v > (std::numeric_limits<int64_t>::max() - d) / 10)
        fail("dimension too large");
      v = v * 10 + d;
      ++i_;
    }
    if (peek() == 'L') // Python 2 longs in very old files
      ++i_;
    return v;
  }

  std::string_view s_;
  const std::string& label_;
  size_t i_ = 0;
};

std::optional<DType> npyKind(char kind, int size) {
  switch (kind) {
  case 'f':
    return size == 2   ? std::optional(DType::F16)
           : size == 4 ? std::optional(DType::F32)
           : size == 8 ? std::optional(DType::F64)
                       : std::nullopt;
  case 'i':
    return size == 1   ? std::optional(DType::I8)
           : size == 2 ? std::optional(DType::I16)
           : size == 4 ? std::optional(DType::I32)
           : size == 8 ? std::optional(DType::I64)
                       : std::nullopt;
  case 'u':
    return size == 1   ? std::optional(DType::U8)
           : size == 2 ? std::optional(DType::U16)
           : size == 4 ? std::optional(DType::U32)
           : size == 8 ? std::optional(DType::U64)
                       : std::nullopt;
  case 'b':
    return size == 1 ? std::optional(DType::Bool) : std::nullopt;
  default:
    return std::nullopt;
  }
}

} // namespace

NpyHeader parseNpyHeader(std::span<const uint8_t> bytes, const std::string& label) {
  // The magic first, before any read can fail: a file that is not .npy at
  // all is told so by its first bytes, not by a byte offset.
  static constexpr char kMagic[] = "\x93NUMPY";
  if (!bytes.empty() && std::memcmp(bytes.data(), kMagic, std::min<size_t>(bytes.size(), 6)) != 0)
    throw Error(label + ": not a NumPy .npy file (its first bytes are " + printableBytes(bytes) + ")");
  ByteCursor cur(bytes, label);
  cur.take(6, ".npy magic"); // empty, or a true prefix of the magic: "truncated"

  const uint8_t major = cur.u8(".npy version");
  const uint8_t minor = cur.u8(".npy version");
  uint64_t headerLen = 0;
  if (major == 1)
    headerLen = cur.u16(".npy header length");
  else if (major == 2 || major == 3)
    headerLen = cur.u32(".npy header length");
  else
    cur.fail("unsupported .npy version " + std::to_string(major) + "." + std::to_string(minor) +
             " (expected 1.0, 2.0 or 3.0)");
  if (headerLen > cur.remaining())
    cur.fail("header length " + std::to_string(headerLen) + " exceeds the " +
             std::to_string(cur.remaining()) + " bytes that follow");
  std::string_view text = cur.str(headerLen, ".npy header");
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
      throw Error(label + ": malformed .npy header: control character in the dict");
  auto dict = DictParser(text, label).parse();
  if (dict.size() != 3 || !dict.count("descr") || !dict.count("fortran_order") || !dict.count("shape"))
    throw Error(label +
                ": malformed .npy header: expected exactly the keys 'descr', 'fortran_order', 'shape'");
  const auto& descr = dict["descr"];
  const auto& fortran = dict["fortran_order"];
  const auto& shape = dict["shape"];
  if (descr.kind != DictParser::Value::Str || fortran.kind != DictParser::Value::Bool ||
      shape.kind != DictParser::Value::Tuple)
    throw Error(label +
                ": malformed .npy header: 'descr' must be a string, 'fortran_order' a bool, 'shape' a tuple");

  NpyHeader h;
  const std::string& d = descr.str;
  std::optional<DType> type;
  if (d.size() >= 3 && (d[0] == '<' || d[0] == '>' || d[0] == '|' || d[0] == '=')) {
    int size = 0;
    bool digits = d.size() <= 4;
    for (size_t i = 2; i < d.size() && digits; ++i)
      digits = std::isdigit(static_cast<unsigned char>(d[i]));
    if (digits)
      size = std::stoi(d.substr(2));
    type = digits ? npyKind(d[1], size) : std::nullopt;
    if (type && d[0] == '|' && size != 1)
      type.reset(); // '|' (not applicable) is only valid for single bytes
    h.bigEndian = d[0] == '>' && size > 1;
  }
  if (!type)
    throw Error(label + ": unsupported .npy dtype '" + d +
                "' (expected float16/32/64, int8/16/32/64, uint8/16/32/64 or bool)");
  h.dtype = *type;
  h.fortranOrder = fortran.flag;
  h.shape = shape.tuple;
  const int64_t n = checkedNumel(h.shape, label);
  const uint64_t es = dtypeSize(h.dtype);
  if (static_cast<uint64_t>(n) > std::numeric_limits<uint64_t>::max() / es)
    throw Error(label + ": shape " + shapeToString(h.shape) + " overflows the byte count");
  h.dataBytes = static_cast<uint64_t>(n) * es;
  h.dataOffset = cur.pos();
  return h;
}

void npyToFloat(const NpyHeader& h, const uint8_t* payload, RowSlice slice, float* out,
                const std::atomic<bool>* cancel) {
  const int64_t rows = h.shape.empty() ? 1 : h.shape[0];
  int64_t per = 1;
  for (size_t i = 1; i < h.shape.size(); ++i)
    per *= h.shape[i];
  const int64_t count = (slice.end - slice.begin) * per;
  const size_t es = dtypeSize(h.dtype);
  if (!h.fortranOrder || h.shape.size() <= 1) {
    convertToFloat(h.dtype, payload + static_cast<size_t>(slice.begin * per) * es, out, count, h.bigEndian,
                   cancel);
    return;
  }
  // Fortran order: element (i0, ..., ik) sits at i0 + d0*(i1 + d1*(...)).
  // Convert the whole array, then gather the requested rows in row-major order.
  const int64_t total = rows * per;
  std::vector<float> colMajor(static_cast<size_t>(total));
  convertToFloat(h.dtype, payload, colMajor.data(), total, h.bigEndian, cancel);
  const size_t rank = h.shape.size();
  std::vector<int64_t> stride(rank);
  stride[0] = 1;
  for (size_t k = 1; k < rank; ++k)
    stride[k] = stride[k - 1] * h.shape[k - 1];
#pragma omp parallel for schedule(static)
  for (int64_t r = slice.begin; r < slice.end; ++r) {
    std::vector<int64_t> idx(rank, 0);
    float* dst = out + (r - slice.begin) * per;
    int64_t src = r; // index along dim 0 has stride 1
    for (int64_t j = 0; j < per; ++j) {
      dst[j] = colMajor[static_cast<size_t>(src)];
      // Odometer over dims 1..rank-1, last dim fastest (row-major output).
      for (size_t k = rank - 1; k >= 1; --k) {
        if (++idx[k] < h.shape[k]) {
          src += stride[k];
          break;
        }
        src -= stride[k] * (h.shape[k] - 1);
        idx[k] = 0;
      }
    }
  }
  checkCancel(cancel);
}

std::string npyDtypeLabel(const NpyHeader& h) {
  return dtypeName(h.dtype);
}

} // namespace qs
