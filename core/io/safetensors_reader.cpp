// safetensors: u64 header length N, N bytes of JSON, then the data buffer.
// The file is memory-mapped, so listing a file larger than RAM touches only
// the header pages, and reads convert straight from the mapping.
// Validation is strict (as the Rust reference implementation): the header
// must be a JSON object of entries {dtype, shape, data_offsets} whose byte
// ranges tile the data buffer exactly, in order, without gaps or overlap.
#include "core/error.h"
#include "core/io/byte_cursor.h"
#include "core/io/dtype.h"
#include "core/io/readers.h"
#include "core/io/source_base.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>

namespace qs {
namespace {

constexpr uint64_t kMaxHeader = 100ull * 1000 * 1000;

std::optional<DType> safetensorsDtype(const std::string& s) {
  static const std::pair<const char*, DType> table[] = {
      {"F64", DType::F64},        {"F32", DType::F32},        {"F16", DType::F16},   {"BF16", DType::BF16},
      {"F8_E4M3", DType::F8E4M3}, {"F8_E5M2", DType::F8E5M2}, {"I64", DType::I64},   {"I32", DType::I32},
      {"I16", DType::I16},        {"I8", DType::I8},          {"U64", DType::U64},   {"U32", DType::U32},
      {"U16", DType::U16},        {"U8", DType::U8},          {"BOOL", DType::Bool},
  };
  for (const auto& [name, t] : table)
    if (s == name)
      return t;
  return std::nullopt;
}

uint64_t nonNegativeInt(const nlohmann::ordered_json& j, const std::string& label, const std::string& tensor,
                        const char* what) {
  if (!j.is_number_unsigned())
    throw Error(label + ": tensor '" + tensor + "': " + what + " must be non-negative integers, found " +
                j.dump());
  return j.get<uint64_t>();
}

class SafetensorsSource final : public SourceBase {
public:
  SafetensorsSource(std::shared_ptr<const ByteSource> bytes, const std::filesystem::path& path)
      : SourceBase("safetensors", path), bytes_(std::move(bytes)) {
    label_ = bytes_->label();
    auto data = bytes_->bytes();
    ByteCursor cur(data, label_);
    const uint64_t n = cur.u64("safetensors header length");
    if (n > kMaxHeader)
      cur.fail("header length " + std::to_string(n) + " exceeds the 100 MB limit");
    if (n > cur.remaining())
      cur.fail("header length " + std::to_string(n) + " exceeds the " + std::to_string(cur.remaining()) +
               " bytes after it");
    std::string_view text = cur.str(n, "safetensors header");
    dataStart_ = 8 + n;
    const uint64_t bufferSize = data.size() - dataStart_;

    const nlohmann::ordered_json header = parseHeader(text);
    std::vector<Range> ranges;
    for (const auto& item : header.items()) {
      if (item.key() == "__metadata__")
        readMetadata(item.value());
      else
        ranges.push_back(addEntry(item.key(), item.value(), bufferSize));
    }
    checkTiling(ranges, bufferSize);
    inferLayouts(WeightOrder::OutFirst, "safetensors, PyTorch order");
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
    const uint64_t per = static_cast<uint64_t>(rowElements(e.shape));
    const uint8_t* src = bytes_->bytes().data() + dataStart_ + offsets_[i] +
                         static_cast<uint64_t>(slice.begin) * per * dtypeSize(dtypes_[i]);
    convertToFloat(dtypes_[i], src, t.values.data(), t.numel(), false, cancel);
    bytes_->release(size_t(src - bytes_->bytes().data()), size_t(t.numel()) * dtypeSize(dtypes_[i]));
    return t;
  }

private:
  struct Range {
    uint64_t begin, end;
    size_t entry;
  };

  nlohmann::ordered_json parseHeader(std::string_view text) const {
    nlohmann::ordered_json header;
    try {
      // JSON allows duplicate keys (the last wins); a header must not.
      std::set<std::string> keys;
      std::string duplicate;
      header = nlohmann::ordered_json::parse(
          text, [&](int depth, nlohmann::ordered_json::parse_event_t event, nlohmann::ordered_json& parsed) {
            if (depth == 1 && event == nlohmann::ordered_json::parse_event_t::key && duplicate.empty() &&
                !keys.insert(parsed.get<std::string>()).second)
              duplicate = parsed.get<std::string>();
            return true;
          });
      if (!duplicate.empty())
        throw Error(label_ + ": the safetensors header names '" + duplicate + "' twice");
    } catch (const nlohmann::json::exception& e) {
      throw Error(label_ + ": the safetensors header is not valid JSON: " + e.what());
    }
    if (!header.is_object())
      throw Error(label_ + ": the safetensors header must be a JSON object, found " + header.type_name());
    return header;
  }

  void readMetadata(const nlohmann::ordered_json& value) {
    if (!value.is_object())
      throw Error(label_ + ": __metadata__ must be an object of strings");
    for (const auto& [mk, mv] : value.items()) {
      if (!mv.is_string())
        throw Error(label_ + ": __metadata__ value for '" + mk + "' must be a string, found " + mv.dump());
      fileMeta_[mk] = mv.get<std::string>();
    }
  }

  // One tensor entry {dtype, shape, data_offsets}, checked against the buffer.
  Range addEntry(const std::string& key, const nlohmann::ordered_json& value, uint64_t bufferSize) {
    auto bad = [&](const std::string& m) { throw Error(label_ + ": tensor '" + key + "': " + m); };
    if (!value.is_object())
      bad("entry must be an object with dtype, shape and data_offsets");
    for (const auto& [field, _] : value.items())
      if (field != "dtype" && field != "shape" && field != "data_offsets")
        bad("unexpected field '" + field + "' (expected dtype, shape, data_offsets)");
    if (!value.contains("dtype") || !value["dtype"].is_string())
      bad("missing string field 'dtype'");
    if (!value.contains("shape") || !value["shape"].is_array())
      bad("missing array field 'shape'");
    if (!value.contains("data_offsets") || !value["data_offsets"].is_array() ||
        value["data_offsets"].size() != 2)
      bad("'data_offsets' must be an array [begin, end]");
    const std::string dtypeStr = value["dtype"].get<std::string>();
    auto dtype = safetensorsDtype(dtypeStr);
    if (!dtype)
      bad("unknown dtype '" + dtypeStr +
          "' (expected F64 F32 F16 BF16 F8_E4M3 F8_E5M2 I64 I32 I16 I8 U64 U32 U16 U8 BOOL)");
    Shape shape;
    for (const auto& d : value["shape"]) {
      uint64_t v = nonNegativeInt(d, label_, key, "shape dimensions");
      if (v > uint64_t(INT64_MAX))
        bad("dimension " + std::to_string(v) + " is too large");
      shape.push_back(static_cast<int64_t>(v));
    }
    const int64_t numel = checkedNumel(shape, label_ + ": tensor '" + key + "'");
    const uint64_t begin = nonNegativeInt(value["data_offsets"][0], label_, key, "data_offsets");
    const uint64_t end = nonNegativeInt(value["data_offsets"][1], label_, key, "data_offsets");
    if (begin > end || end > bufferSize)
      bad("data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
          "] are outside the data buffer of " + std::to_string(bufferSize) + " bytes");
    const uint64_t es = dtypeSize(*dtype);
    if (static_cast<uint64_t>(numel) > UINT64_MAX / es || static_cast<uint64_t>(numel) * es != end - begin)
      bad("shape " + shapeToString(shape) + " of " + dtypeStr + " needs " +
          (static_cast<uint64_t>(numel) > UINT64_MAX / es
               ? std::string("more than 2^64")
               : std::to_string(static_cast<uint64_t>(numel) * es)) +
          " bytes but data_offsets span " + std::to_string(end - begin));
    const Range range{begin, end, entries_.size()};
    TensorEntry e;
    e.name = key;
    e.shape = std::move(shape);
    e.storedDtype = dtypeName(*dtype);
    e.bytes = end - begin;
    entries_.push_back(std::move(e));
    dtypes_.push_back(*dtype);
    offsets_.push_back(begin);
    return range;
  }

  // The ranges must tile [0, bufferSize) exactly.
  void checkTiling(std::vector<Range>& ranges, uint64_t bufferSize) const {
    std::stable_sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    uint64_t expect = 0;
    for (const auto& r : ranges) {
      if (r.begin != expect)
        throw Error(label_ + ": tensor '" + entries_[r.entry].name + "': data_offsets begin at " +
                    std::to_string(r.begin) + " but the previous tensor ends at " + std::to_string(expect) +
                    (r.begin < expect ? " (overlap)" : " (gap)"));
      expect = r.end;
    }
    if (expect != bufferSize)
      throw Error(label_ + ": the tensors cover " + std::to_string(expect) +
                  " bytes but the data buffer holds " + std::to_string(bufferSize));
  }

  std::shared_ptr<const ByteSource> bytes_;
  uint64_t dataStart_ = 0;
  std::vector<DType> dtypes_;     // parallel to entries_
  std::vector<uint64_t> offsets_; // parallel to entries_
};

} // namespace

std::unique_ptr<TensorSource> openSafetensors(std::shared_ptr<const ByteSource> bytes,
                                              const std::filesystem::path& path) {
  return std::make_unique<SafetensorsSource>(std::move(bytes), path);
}

} // namespace qs
