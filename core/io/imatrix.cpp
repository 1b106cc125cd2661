// llama.cpp importance matrices, both forms llama-imatrix writes
// (tools/imatrix/imatrix.cpp), turned into the per-column weights exactly as
// llama-quantize loads them (tools/quantize/quantize.cpp):
//
// legacy `.dat`, little-endian: int32 n_entries; per entry int32 name length,
//   the name, int32 ncall, int32 nval, nval float32 (the mean squares times
//   ncall); then optionally int32 chunk count, int32 length and the dataset
//   file name. Weights: value / ncall (the values as stored when ncall is 0).
// GGUF: per entry the F32 tensors `<name>.in_sum2` (ne [n, n_mat]: Σ x² per
//   column and matrix) and `<name>.counts` (ne [1, n_mat]: tokens per
//   matrix), and the keys imatrix.datasets, imatrix.chunk_count and
//   imatrix.chunk_size. Weights: in_sum2 / count per matrix, 1 where the
//   count is 0. Other tensors (`.in_sum`, the mean activations) are ignored.
#include "core/io/imatrix.h"

#include "core/error.h"
#include "core/io/byte_cursor.h"
#include "core/io/byte_source.h"
#include "core/io/readers.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

namespace qs {
namespace {

constexpr int32_t kMaxNameBytes = 1 << 16;

bool startsWithGguf(std::span<const uint8_t> b) {
  return b.size() >= 4 && b[0] == 'G' && b[1] == 'G' && b[2] == 'U' && b[3] == 'F';
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// ---- legacy .dat ----

Imatrix readLegacy(std::span<const uint8_t> data, const std::string& label) {
  Imatrix out;
  out.form = "dat";
  ByteCursor cur(data, label);
  const int32_t n = cur.i32("imatrix entry count");
  // The smallest entry: name length, one name byte, ncall, nval, one value.
  if (n < 1 || uint64_t(n) > cur.remaining() / 17)
    cur.fail("entry count " + std::to_string(n) + " is impossible for a legacy imatrix of " +
             std::to_string(data.size()) + " bytes");
  std::set<std::string> names;
  out.entries.reserve(size_t(n));
  for (int32_t i = 0; i < n; ++i) {
    std::string which = "entry " + std::to_string(i + 1) + " of " + std::to_string(n);
    // Every read names the entry: a cut file says where it was cut.
    auto int32 = [&](const char* what) {
      if (cur.remaining() < 4)
        cur.fail("the file ends within " + which + ", before its " + what);
      return cur.i32(what);
    };
    const int32_t len = int32("name length");
    if (len < 1 || len > kMaxNameBytes)
      cur.fail(which + ": name length " + std::to_string(len) + " is impossible (1.." +
               std::to_string(kMaxNameBytes) + ")");
    if (uint64_t(len) > cur.remaining())
      cur.fail("the file ends within " + which + ": its name needs " + std::to_string(len) + " bytes, " +
               std::to_string(cur.remaining()) + " left");
    ImatrixEntry e;
    e.name = std::string(cur.str(uint64_t(len), "imatrix entry name"));
    if (e.name.find('\0') != std::string::npos)
      cur.fail(which + ": the name holds a NUL byte");
    which += " ('" + e.name + "')";
    if (!names.insert(e.name).second)
      cur.fail(which + ": the name appears twice");
    const int32_t ncall = int32("call count");
    if (ncall < 0)
      cur.fail(which + ": negative call count " + std::to_string(ncall));
    const int32_t nval = int32("value count");
    if (nval < 1)
      cur.fail(which + ": value count " + std::to_string(nval) + " must be at least 1");
    if (uint64_t(nval) > cur.remaining() / 4)
      cur.fail("the file ends within " + which + ": " + std::to_string(nval) + " values need " +
               std::to_string(uint64_t(nval) * 4) + " bytes, " + std::to_string(cur.remaining()) + " left");
    e.weights.resize(size_t(nval));
    const float divisor = float(ncall);
    for (int32_t j = 0; j < nval; ++j) {
      const float v = cur.f32("imatrix value");
      if (!std::isfinite(v) || v < 0)
        cur.fail(which + ": value " + std::to_string(j) + " is " + std::to_string(v) +
                 " (a mean square must be finite and >= 0)");
      e.weights[size_t(j)] = ncall > 0 ? v / divisor : v;
    }
    e.columns = nval;
    e.experts = 1;
    e.calls = ncall;
    e.counts = {double(ncall)};
    out.entries.push_back(std::move(e));
  }
  // Files since 2024 end with the chunk count and the dataset name.
  if (!cur.atEnd()) {
    if (cur.remaining() < 8)
      cur.fail("the file ends within the chunk count and dataset name after the entries");
    const int32_t chunks = cur.i32("imatrix chunk count");
    if (chunks < 0)
      cur.fail("negative chunk count " + std::to_string(chunks));
    const int32_t len = cur.i32("imatrix dataset name length");
    if (len < 0 || uint64_t(len) > cur.remaining())
      cur.fail("dataset name length " + std::to_string(len) + " exceeds the " +
               std::to_string(cur.remaining()) + " bytes left");
    out.chunks = chunks;
    out.datasets.emplace_back(cur.str(uint64_t(len), "imatrix dataset name"));
    if (!cur.atEnd())
      cur.fail(std::to_string(cur.remaining()) + " unexpected bytes after the dataset name");
  }
  return out;
}

// ---- GGUF ----

const std::string& metaOrThrow(const std::map<std::string, std::string>& meta, const std::string& key,
                               const std::string& label) {
  auto it = meta.find(key);
  if (it == meta.end())
    throw Error(label + ": missing imatrix metadata '" + key +
                "' (a GGUF imatrix holds imatrix.datasets, imatrix.chunk_count and imatrix.chunk_size)");
  return it->second;
}

int64_t metaInt(const std::map<std::string, std::string>& meta, const std::string& key,
                const std::string& label) {
  const std::string& text = metaOrThrow(meta, key, label);
  int64_t v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v < 0)
    throw Error(label + ": imatrix metadata '" + key + "' must be a non-negative integer, found '" + text +
                "'");
  return v;
}

// The GGUF reader summarises a string array as "[N x string] a, b, ...".
std::vector<std::string> datasetList(const std::string& summary, const std::string& label) {
  const std::string tag = " x string]";
  const size_t close = summary.find(tag);
  if (summary.empty() || summary[0] != '[' || close == std::string::npos)
    throw Error(label + ": imatrix metadata 'imatrix.datasets' must be an array of strings, found '" +
                summary.substr(0, 80) + "'");
  int64_t count = 0;
  std::from_chars(summary.data() + 1, summary.data() + close, count);
  std::vector<std::string> out;
  if (count == 0)
    return out;
  std::string rest = summary.substr(close + tag.size() + 1); // after "] "
  if (endsWith(rest, ", ..."))
    rest.resize(rest.size() - 5);
  size_t start = 0;
  while (int64_t(out.size()) + 1 < count) {
    const size_t comma = rest.find(", ", start);
    if (comma == std::string::npos)
      break;
    out.push_back(rest.substr(start, comma - start));
    start = comma + 2;
  }
  out.push_back(rest.substr(start));
  return out;
}

Imatrix readGguf(std::shared_ptr<const ByteSource> bytes, const std::filesystem::path& path) {
  const std::string label = bytes->label();
  auto source = openGguf(std::move(bytes), path);
  Imatrix out;
  out.form = "gguf";
  const auto meta = source->fileMetadata();
  if (source->list().empty())
    throw Error(label + ": the GGUF file holds no tensors, so no imatrix entries");
  out.datasets = datasetList(metaOrThrow(meta, "imatrix.datasets", label), label);
  out.chunks = metaInt(meta, "imatrix.chunk_count", label);
  out.chunkSize = metaInt(meta, "imatrix.chunk_size", label);

  const std::string sumsSuffix = ".in_sum2", countsSuffix = ".counts";
  std::vector<std::string> order;
  std::map<std::string, std::pair<const TensorEntry*, const TensorEntry*>> pairs;
  for (const TensorEntry& t : source->list()) {
    const bool sums = endsWith(t.name, sumsSuffix), counts = endsWith(t.name, countsSuffix);
    if (!sums && !counts)
      continue;
    const std::string name = t.name.substr(0, t.name.size() - (sums ? sumsSuffix : countsSuffix).size());
    auto [it, fresh] = pairs.try_emplace(name);
    if (fresh)
      order.push_back(name);
    (sums ? it->second.first : it->second.second) = &t;
  }
  if (pairs.empty())
    throw Error(label +
                ": no '<tensor>.in_sum2' / '<tensor>.counts' tensors: this GGUF file is not an imatrix");

  for (const std::string& name : order) {
    const auto [sums, counts] = pairs.at(name);
    auto bad = [&](const std::string& m) { throw Error(label + ": imatrix entry '" + name + "': " + m); };
    if (!sums || !counts)
      bad(std::string("has ") + (sums ? ".in_sum2 but no .counts" : ".counts but no .in_sum2"));
    if (sums->storedDtype != "F32" || counts->storedDtype != "F32")
      bad("in_sum2 and counts must be F32, found " + sums->storedDtype + " and " + counts->storedDtype);
    if (sums->shape.empty() || sums->shape.size() > 2)
      bad("in_sum2 must have 1 or 2 dimensions (ne [n, n_mat]), found " + shapeToString(sums->shape));
    const int64_t columns = sums->shape.back();
    const int64_t matrices = sums->shape.size() == 2 ? sums->shape[0] : 1;
    if (columns < 1 || matrices < 1)
      bad("in_sum2 shape " + shapeToString(sums->shape) + " holds no values");
    if (shapeNumel(counts->shape) != matrices)
      bad("counts shape " + shapeToString(counts->shape) + " does not give one count per each of the " +
          std::to_string(matrices) + " matrices of in_sum2 " + shapeToString(sums->shape));
    const Tensor s = source->read(sums->name);
    const Tensor c = source->read(counts->name);
    ImatrixEntry e;
    e.name = name;
    e.columns = columns;
    e.experts = matrices;
    e.weights.resize(s.values.size());
    e.counts.resize(size_t(matrices));
    for (int64_t m = 0; m < matrices; ++m) {
      const float count = c.values[size_t(m)];
      // Token counts are whole numbers; that also keeps in_sum2 / count finite.
      if (!std::isfinite(count) || count < 0 || std::floor(count) != count)
        bad("count " + std::to_string(m) + " is " + std::to_string(count) +
            " (a number of tokens: a whole number >= 0)");
      e.counts[size_t(m)] = count;
      e.calls = std::max(e.calls, double(count));
      for (int64_t j = 0; j < columns; ++j) {
        const size_t k = size_t(m * columns + j);
        const float v = s.values[k];
        if (!std::isfinite(v) || v < 0)
          bad("in_sum2 value " + std::to_string(k) + " is " + std::to_string(v) +
              " (a sum of squares must be finite and >= 0)");
        // A matrix that never saw a token weighs every column alike.
        e.weights[k] = count > 0.0f ? v / count : 1.0f;
      }
    }
    out.entries.push_back(std::move(e));
  }
  return out;
}

Imatrix readAny(std::shared_ptr<const ByteSource> bytes, const std::filesystem::path& path) {
  if (startsWithGguf(bytes->bytes()))
    return readGguf(std::move(bytes), path);
  if (bytes->bytes().empty())
    throw Error(bytes->label() + ": the file is empty, not an imatrix");
  return readLegacy(bytes->bytes(), bytes->label());
}

} // namespace

const ImatrixEntry* Imatrix::find(const std::string& name) const {
  for (const ImatrixEntry& e : entries)
    if (e.name == name)
      return &e;
  return nullptr;
}

Imatrix readImatrix(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw Error(path.string() + ": is a folder, not an imatrix file");
  Imatrix m = readAny(mapFile(path), path);
  m.path = path;
  return m;
}

Imatrix readImatrixBytes(std::vector<uint8_t> bytes, const std::string& label) {
  return readAny(memoryBytes(std::move(bytes), label), label);
}

} // namespace qs
