// GGUF v2/v3 (llama.cpp): header, key/values, tensor infos, aligned data.
// Every count and length is checked against the bytes that remain before
// anything is allocated. Quantized tensors are dequantized exactly as
// llama.cpp does, by the formats' ggufDequantizeRow.
//
// Shapes: GGUF stores ne[] innermost first (ne[0] is the row length); the
// displayed shape is reversed, so a [n_embd, n_vocab] ggml tensor shows as
// [n_vocab, n_embd] and a "row" of the displayed tensor is contiguous.
#include "core/error.h"
#include "core/formats/block_formats.h"
#include "core/io/byte_cursor.h"
#include "core/io/dtype.h"
#include "core/io/readers.h"
#include "core/io/source_base.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace qs {
namespace {

enum ValueType : uint32_t {
  U8 = 0,
  I8 = 1,
  U16 = 2,
  I16 = 3,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  U64 = 10,
  I64 = 11,
  F64 = 12,
};

constexpr int kMaxDims = 4;
constexpr int kMaxArrayDepth = 4;
constexpr size_t kArrayPreview = 8;
constexpr size_t kMaxStringChars = 256; // of metadata strings shown (counted but cut)

std::string formatDouble(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

const char* valueTypeName(uint32_t t) {
  static const char* names[] = {"uint8", "int8",   "uint16", "int16",  "uint32", "int32",  "float32",
                                "bool",  "string", "array",  "uint64", "int64",  "float64"};
  return t <= F64 ? names[t] : "?";
}

size_t fixedSize(uint32_t t) {
  switch (t) {
  case U8:
  case I8:
  case BOOL:
    return 1;
  case U16:
  case I16:
    return 2;
  case U32:
  case I32:
  case F32:
    return 4;
  case U64:
  case I64:
  case F64:
    return 8;
  default:
    return 0;
  }
}

class GgufSource final : public SourceBase {
public:
  GgufSource(std::shared_ptr<const ByteSource> bytes, const std::filesystem::path& path)
      : SourceBase("gguf", path), bytes_(std::move(bytes)) {
    label_ = bytes_->label();
    ByteCursor cur(bytes_->bytes(), label_);
    auto magic = cur.str(4, "GGUF magic");
    if (magic != "GGUF")
      cur.fail("not a GGUF file: missing the GGUF magic");
    const uint32_t version = cur.u32("GGUF version");
    if (version != 2 && version != 3)
      cur.fail("unsupported GGUF version " + std::to_string(version) + " (expected 2 or 3)");
    fileMeta_["gguf.version"] = std::to_string(version);
    const uint64_t tensorCount = cur.u64("tensor count");
    const uint64_t kvCount = cur.u64("key/value count");
    // A key/value needs at least 8 (key length) + 4 (type) + 1 bytes, a
    // tensor info 8 + 4 + 8 + 4 + 8: counts beyond that are lies.
    if (kvCount > cur.remaining() / 13)
      cur.fail("key/value count " + std::to_string(kvCount) + " is impossible for a file of this size");
    if (tensorCount > cur.remaining() / 32)
      cur.fail("tensor count " + std::to_string(tensorCount) + " is impossible for a file of this size");

    uint64_t alignment = 32;
    for (uint64_t i = 0; i < kvCount; ++i) {
      std::string key(readString(cur, "metadata key"));
      const uint32_t type = cur.u32("metadata value type");
      if (key == "general.alignment") {
        if (type != U32)
          cur.fail("general.alignment must be a uint32, found " + std::string(valueTypeName(type)));
        alignment = cur.u32("general.alignment");
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
          cur.fail("general.alignment " + std::to_string(alignment) + " is not a power of two");
        fileMeta_[key] = std::to_string(alignment);
        continue;
      }
      fileMeta_[key] = readValue(cur, type, 0);
    }

    std::set<std::string> names;
    for (uint64_t i = 0; i < tensorCount; ++i) {
      TensorEntry e;
      e.name = std::string(readString(cur, "tensor name"));
      const uint32_t nDims = cur.u32("tensor n_dims");
      if (nDims > kMaxDims)
        cur.fail("tensor '" + e.name + "' has " + std::to_string(nDims) + " dimensions (at most 4)");
      uint64_t ne[kMaxDims] = {1, 1, 1, 1};
      for (uint32_t d = 0; d < nDims; ++d) {
        ne[d] = cur.u64("tensor dimension");
        if (ne[d] > uint64_t(INT64_MAX))
          cur.fail("tensor '" + e.name + "' has an absurd dimension " + std::to_string(ne[d]));
      }
      for (uint32_t d = nDims; d-- > 0;)
        e.shape.push_back(int64_t(ne[d]));
      const uint32_t typeId = cur.u32("tensor type");
      const uint64_t offset = cur.u64("tensor offset");
      auto bad = [&](const std::string& m) { throw Error(label_ + ": tensor '" + e.name + "': " + m); };
      if (!names.insert(e.name).second)
        bad("duplicate tensor name");
      if (!ggufTypeSupported(typeId))
        bad("unsupported GGUF type id " + std::to_string(typeId) +
            " (supported: F32 F16 BF16 Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q2_K Q3_K Q4_K Q5_K Q6_K)");
      const auto type = static_cast<GgufType>(typeId);
      const GgufTypeInfo& info = ggufTypeInfo(type);
      const int64_t numel = checkedNumel(e.shape, label_ + ": tensor '" + e.name + "'");
      if (ne[0] % uint64_t(info.blockElements) != 0)
        bad("row length " + std::to_string(ne[0]) + " is not a multiple of the " + info.name + " block of " +
            std::to_string(info.blockElements));
      const uint64_t blocks = uint64_t(numel) / uint64_t(info.blockElements);
      if (blocks > UINT64_MAX / uint64_t(info.blockBytes))
        bad("byte size overflows");
      e.bytes = blocks * uint64_t(info.blockBytes);
      if (offset % alignment != 0)
        bad("offset " + std::to_string(offset) + " is not a multiple of the alignment " +
            std::to_string(alignment));
      e.storedDtype = info.name;
      e.metadata["ggml type"] = info.name;
      e.metadata["ggml ne"] = [&] {
        std::string s = "[";
        for (uint32_t d = 0; d < nDims; ++d)
          s += (d ? ", " : "") + std::to_string(ne[d]);
        return s + "]";
      }();
      entries_.push_back(std::move(e));
      types_.push_back(type);
      offsets_.push_back(offset);
    }

    // The data section starts at the next multiple of the alignment.
    const uint64_t pos = cur.pos();
    dataStart_ = (pos + alignment - 1) / alignment * alignment;
    const uint64_t size = bytes_->bytes().size();
    if (dataStart_ > size && !entries_.empty())
      cur.fail("the data section would start beyond the end of the file");
    for (size_t i = 0; i < entries_.size(); ++i) {
      const uint64_t avail = size - std::min(size, dataStart_);
      if (offsets_[i] > avail || entries_[i].bytes > avail - offsets_[i])
        throw Error(label_ + ": tensor '" + entries_[i].name + "': data [" + std::to_string(offsets_[i]) +
                    ", +" + std::to_string(entries_[i].bytes) + ") lies beyond the " + std::to_string(avail) +
                    "-byte data section");
    }
    inferLayouts(WeightOrder::OutFirst, "GGUF, shown outermost first (ne[0] is the input axis)");
  }

  bool readsRowsCheaply() const override { return true; }

  Tensor read(const std::string& name, const std::atomic<bool>* cancel) const override {
    const auto& e = entryOrThrow(name);
    return readRows(name, {0, rowCount(e.shape)}, cancel);
  }

  Tensor readRows(const std::string& name, RowSlice slice, const std::atomic<bool>* cancel) const override {
    const auto& e = entryOrThrow(name);
    const size_t i = static_cast<size_t>(&e - entries_.data());
    Tensor t = makeTensor(e, slice);
    const GgufType type = types_[i];
    const GgufTypeInfo& info = ggufTypeInfo(type);
    const int64_t per = rowElements(e.shape);
    const int64_t first = slice.begin * per, count = t.numel();
    if (count == 0)
      return t;
    const uint8_t* base = bytes_->bytes().data() + dataStart_ + offsets_[i];
    const int64_t be = info.blockElements;
    // Dequantize whole blocks covering [first, first + count) and cut.
    const int64_t b0 = first / be, b1 = (first + count + be - 1) / be;
    const bool aligned = first % be == 0 && count % be == 0;
    std::vector<float> tmp;
    float* out = t.values.data();
    if (!aligned) {
      tmp.resize(static_cast<size_t>((b1 - b0) * be));
      out = tmp.data();
    }
    const uint8_t* src = base + b0 * info.blockBytes;
    const int64_t n = (b1 - b0) * be;
    if (type == GgufType::F32 || type == GgufType::F16 || type == GgufType::BF16) {
      const DType d = type == GgufType::F32 ? DType::F32 : type == GgufType::F16 ? DType::F16 : DType::BF16;
      convertToFloat(d, src, out, n, false, cancel);
    } else {
      dequantizeBlocks(type, info, src, out, b1 - b0, cancel);
    }
    bytes_->release(size_t(src - bytes_->bytes().data()), size_t((b1 - b0) * info.blockBytes));
    if (!aligned)
      std::copy(tmp.begin() + (first - b0 * be), tmp.begin() + (first - b0 * be) + count, t.values.begin());
    return t;
  }

private:
  static void dequantizeBlocks(GgufType type, const GgufTypeInfo& info, const uint8_t* src, float* out,
                               int64_t blocks, const std::atomic<bool>* cancel) {
    constexpr int64_t kBlocksPerChunk = 4096;
    const int64_t chunks = (blocks + kBlocksPerChunk - 1) / kBlocksPerChunk;
    std::atomic<bool> cancelled{false};
#pragma omp parallel for schedule(dynamic, 1) if (chunks > 1)
    for (int64_t c = 0; c < chunks; ++c) {
      if (cancelled.load(std::memory_order_relaxed))
        continue;
      if (cancel && cancel->load(std::memory_order_relaxed)) {
        cancelled.store(true);
        continue;
      }
      const int64_t b = c * kBlocksPerChunk, nb = std::min(kBlocksPerChunk, blocks - b);
      ggufDequantizeRow(type, src + b * info.blockBytes, out + b * info.blockElements,
                        nb * info.blockElements);
    }
    if (cancelled.load())
      throw Cancelled();
  }

  static std::string_view readString(ByteCursor& cur, const char* what) {
    const uint64_t n = cur.u64(what);
    if (n > cur.remaining())
      cur.fail(std::string(what) + " length " + std::to_string(n) + " exceeds the " +
               std::to_string(cur.remaining()) + " bytes left");
    return cur.str(n, what);
  }

  static std::string scalarText(ByteCursor& cur, uint32_t type) {
    switch (type) {
    case U8:
      return std::to_string(cur.u8("uint8 value"));
    case I8:
      return std::to_string(cur.i8("int8 value"));
    case U16:
      return std::to_string(cur.u16("uint16 value"));
    case I16:
      return std::to_string(cur.i16("int16 value"));
    case U32:
      return std::to_string(cur.u32("uint32 value"));
    case I32:
      return std::to_string(cur.i32("int32 value"));
    case U64:
      return std::to_string(cur.u64("uint64 value"));
    case I64:
      return std::to_string(cur.i64("int64 value"));
    case F32:
      return formatDouble(cur.f32("float32 value"));
    case F64:
      return formatDouble(cur.f64("float64 value"));
    case BOOL: {
      const uint8_t b = cur.u8("bool value");
      if (b > 1)
        cur.fail("bool value " + std::to_string(b) + " is neither 0 nor 1");
      return b ? "true" : "false";
    }
    default:
      cur.fail("unknown metadata value type " + std::to_string(type));
    }
  }

  // Arrays are summarised: "[32000 x string] <unk>, <s>, </s>, ..."
  std::string readValue(ByteCursor& cur, uint32_t type, int depth) {
    if (type == STRING) {
      std::string_view s = readString(cur, "string value");
      return s.size() <= kMaxStringChars * 64 ? std::string(s)
                                              : std::string(s.substr(0, kMaxStringChars * 64)) + "...";
    }
    if (type != ARRAY)
      return scalarText(cur, type);
    if (depth >= kMaxArrayDepth)
      cur.fail("arrays nested deeper than " + std::to_string(kMaxArrayDepth));
    const uint32_t elem = cur.u32("array element type");
    const uint64_t count = cur.u64("array length");
    const size_t fixed = fixedSize(elem);
    const uint64_t minSize = fixed ? fixed : (elem == STRING || elem == ARRAY) ? 8 : 0;
    if (minSize == 0)
      cur.fail("unknown array element type " + std::to_string(elem));
    if (count > cur.remaining() / minSize)
      cur.fail("array of " + std::to_string(count) + " " + valueTypeName(elem) + " exceeds the " +
               std::to_string(cur.remaining()) + " bytes left");
    std::string out = "[" + std::to_string(count) + " x " + valueTypeName(elem) + "]";
    for (uint64_t k = 0; k < count; ++k) {
      if (k < kArrayPreview) {
        std::string v = readValue(cur, elem, depth + 1);
        if (v.size() > kMaxStringChars)
          v = v.substr(0, kMaxStringChars) + "...";
        out += (k ? ", " : " ") + v;
      } else if (fixed) {
        cur.skip(fixed * (count - k), "array elements");
        break;
      } else {
        readValue(cur, elem, depth + 1); // validates and skips
      }
    }
    if (count > kArrayPreview)
      out += ", ...";
    return out;
  }

  std::shared_ptr<const ByteSource> bytes_;
  uint64_t dataStart_ = 0;
  std::vector<GgufType> types_;   // parallel to entries_
  std::vector<uint64_t> offsets_; // relative to dataStart_
};

} // namespace

std::unique_ptr<TensorSource> openGguf(std::shared_ptr<const ByteSource> bytes,
                                       const std::filesystem::path& path) {
  return std::make_unique<GgufSource>(std::move(bytes), path);
}

} // namespace qs
