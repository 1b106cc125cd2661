// .npz: a zip of .npy members (np.savez stores, np.savez_compressed deflates),
// read through libzip from the memory-mapped archive. Zip bombs are stopped
// before any allocation: a member's declared size must equal what its .npy
// header implies, deflate cannot expand more than ~1032:1, and nothing larger
// than physical memory is allocated. A zip holding data.pkl is a PyTorch
// checkpoint and is refused.
#include "core/error.h"
#include "core/io/npy_format.h"
#include "core/io/readers.h"
#include "core/io/source_base.h"

#include <algorithm>
#include <mutex>
#include <zip.h>

namespace qs {
namespace {

// Deflate's best case is 258 bytes from a 2-bit code: at most 1032:1.
constexpr uint64_t kDeflateMaxRatio = 1032;
constexpr uint64_t kMaxNpyHeader = 1 << 20;

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct Member {
  zip_uint64_t index = 0;
  NpyHeader header;
  uint64_t size = 0; // declared uncompressed size
};

class NpzSource final : public SourceBase {
public:
  NpzSource(std::shared_ptr<const ByteSource> bytes, const std::filesystem::path& path)
      : SourceBase("npz", path), bytes_(std::move(bytes)) {
    label_ = bytes_->label();
    auto data = bytes_->bytes();
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(data.data(), data.size(), 0, &err);
    if (!src)
      throwZip("cannot read the zip archive", &err);
    zip_ = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (!zip_) {
      zip_source_free(src);
      throwZip("not a valid zip archive", &err);
    }
    zip_error_fini(&err);
    try {
      scan();
      inferLayouts(WeightOrder::OutFirst, "NumPy array, PyTorch order assumed");
    } catch (...) {
      zip_discard(zip_);
      throw;
    }
  }
  ~NpzSource() override { zip_discard(zip_); }
  NpzSource(const NpzSource&) = delete;
  NpzSource& operator=(const NpzSource&) = delete;

  Tensor read(const std::string& name, const std::atomic<bool>* cancel) const override {
    return readWithProgress(name, cancel, {});
  }

  // Inflates (and converts) the member in chunks, reporting bytes inflated /
  // member size and polling `cancel` between chunks; the last report (1)
  // comes once the whole member is read and its CRC checked.
  Tensor readWithProgress(const std::string& name, const std::atomic<bool>* cancel,
                          const ReadProgress& progress) const override {
    const auto& e = entryOrThrow(name);
    return readSlice(e, {0, rowCount(e.shape)}, cancel, progress);
  }

  // The whole member is inflated either way: deflate streams cannot seek.
  Tensor readRows(const std::string& name, RowSlice slice, const std::atomic<bool>* cancel) const override {
    return readSlice(entryOrThrow(name), slice, cancel, {});
  }

private:
  [[noreturn]] void throwZip(const std::string& what, zip_error_t* err) const {
    std::string msg = label_ + ": " + what + " (" + zip_error_strerror(err) + ")";
    zip_error_fini(err);
    throw Error(msg);
  }

  Tensor readSlice(const TensorEntry& e, RowSlice slice, const std::atomic<bool>* cancel,
                   const ReadProgress& progress) const {
    const Member& m = members_[static_cast<size_t>(&e - entries_.data())];
    Tensor t = makeTensor(e, slice);
    if (m.size > maxTensorBytes())
      fail(e.name, "member of " + std::to_string(m.size) + " bytes exceeds physical memory");
    if (m.header.fortranOrder && m.header.shape.size() > 1) {
      // The rows are scattered through the payload: inflate it all, then gather.
      std::vector<uint8_t> raw(static_cast<size_t>(m.size));
      {
        std::lock_guard lock(mutex_);
        readMember(m, e.name, cancel, progress, [&](uint64_t pos, uint64_t n, zip_file_t* f) {
          readExact(f, raw.data() + pos, n, e.name + ".npy", pos);
        });
      }
      checkCancel(cancel);
      npyToFloat(m.header, raw.data() + m.header.dataOffset, slice, t.values.data(), cancel);
    } else {
      std::lock_guard lock(mutex_);
      streamRows(m, e.name, slice, t.values.data(), cancel, progress);
    }
    if (progress)
      progress(1.0);
    return t;
  }

  // Row-major payload: converts each inflated chunk straight into `out`
  // (little-endian float32 is inflated into `out` itself), so memory holds
  // one chunk besides the tensor. Rows outside the slice are inflated and
  // dropped: a deflate stream cannot seek, and the CRC covers every byte.
  void streamRows(const Member& m, const std::string& tensor, RowSlice slice, float* out,
                  const std::atomic<bool>* cancel, const ReadProgress& progress) const {
    const NpyHeader& h = m.header;
    const uint64_t es = dtypeSize(h.dtype);
    const uint64_t rowBytes = static_cast<uint64_t>(rowElements(h.shape)) * es;
    const uint64_t first = h.dataOffset + static_cast<uint64_t>(slice.begin) * rowBytes;
    const uint64_t last = h.dataOffset + static_cast<uint64_t>(slice.end) * rowBytes;
    const bool direct = h.dtype == DType::F32 && !h.bigEndian;
    std::vector<uint8_t> scratch;
    readMember(m, tensor, cancel, progress, [&](uint64_t pos, uint64_t n, zip_file_t* f) {
      // The wanted bytes of [pos, pos + n); chunks after the header start at
      // dataOffset + k * kChunk, so both ends fall on element boundaries.
      const uint64_t lo = std::clamp(first, pos, pos + n), hi = std::clamp(last, pos, pos + n);
      if (direct && lo == pos && hi == pos + n) {
        readExact(f, reinterpret_cast<uint8_t*>(out + (lo - first) / es), n, tensor + ".npy", pos);
        return;
      }
      scratch.resize(static_cast<size_t>(n));
      readExact(f, scratch.data(), n, tensor + ".npy", pos);
      if (hi > lo)
        convertToFloat(h.dtype, scratch.data() + (lo - pos), out + (lo - first) / es,
                       static_cast<int64_t>((hi - lo) / es), h.bigEndian, cancel);
    });
  }

  void scan() {
    const zip_int64_t count = zip_get_num_entries(zip_, 0);
    for (zip_int64_t i = 0; i < count; ++i) {
      zip_stat_t st;
      zip_stat_init(&st);
      if (zip_stat_index(zip_, static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME))
        throw Error(label_ + ": cannot read zip entry " + std::to_string(i) + ": " + zip_strerror(zip_));
      const std::string name = st.name;
      if (name == "data.pkl" || endsWith(name, "/data.pkl"))
        throw Error(label_ + ": this is a PyTorch zip checkpoint (it holds " + name +
                    "), which QuantScope does not open: unpickling can run arbitrary code. Convert it to "
                    "safetensors first: python -c \"import torch; from safetensors.torch import save_file; "
                    "save_file(torch.load('m.pt'), 'm.safetensors')\"");
      if (!endsWith(name, ".npy"))
        continue;
      addMember(static_cast<zip_uint64_t>(i), name, st);
    }
    if (entries_.empty())
      throw Error(label_ + ": the zip archive holds no .npy members (not an .npz file)");
  }

  void addMember(zip_uint64_t index, const std::string& name, const zip_stat_t& st) {
    const std::string tensor = name.substr(0, name.size() - 4);
    auto failMember = [&](const std::string& m) { throw Error(label_ + ": member '" + name + "': " + m); };
    if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE) || !(st.valid & ZIP_STAT_COMP_METHOD))
      failMember("the zip directory lacks sizes");
    if (st.comp_method == ZIP_CM_STORE && st.comp_size != st.size)
      failMember("stored member declares " + std::to_string(st.size) + " bytes but occupies " +
                 std::to_string(st.comp_size));
    if (st.comp_method == ZIP_CM_DEFLATE && st.size > st.comp_size * kDeflateMaxRatio + 1024)
      failMember("declares " + std::to_string(st.size) + " bytes from " + std::to_string(st.comp_size) +
                 " compressed bytes, more than deflate can produce (zip bomb?)");
    if (st.size > bytes_->bytes().size() * kDeflateMaxRatio + 1024)
      failMember("declared size " + std::to_string(st.size) + " is implausible for this archive");

    // Read just the .npy header: 10 or 12 fixed bytes, then the dict.
    Member m;
    m.index = index;
    m.size = st.size;
    const uint64_t prefix = std::min<uint64_t>(st.size, 12);
    std::vector<uint8_t> head(static_cast<size_t>(prefix));
    zip_file_t* f = zip_fopen_index(zip_, index, 0);
    if (!f)
      failMember(std::string("cannot open: ") + zip_strerror(zip_));
    auto closer = std::unique_ptr<zip_file_t, int (*)(zip_file_t*)>(f, zip_fclose);
    readExact(f, head.data(), prefix, name);
    uint64_t headerLen = 0;
    if (prefix >= 10 && head[6] == 1)
      headerLen = 10 + (uint64_t(head[8]) | uint64_t(head[9]) << 8);
    else if (prefix >= 12 && (head[6] == 2 || head[6] == 3))
      headerLen = 12 + (uint64_t(head[8]) | uint64_t(head[9]) << 8 | uint64_t(head[10]) << 16 |
                        uint64_t(head[11]) << 24);
    if (headerLen > kMaxNpyHeader)
      failMember("the .npy header claims " + std::to_string(headerLen) + " bytes (limit 1 MiB)");
    headerLen = std::min<uint64_t>(headerLen, st.size);
    if (headerLen > prefix) {
      head.resize(static_cast<size_t>(headerLen));
      readExact(f, head.data() + prefix, headerLen - prefix, name, prefix);
    }
    m.header = parseNpyHeader(head, label_ + " member '" + name + "'");
    if (m.header.dataOffset + m.header.dataBytes != st.size || m.header.dataBytes > st.size)
      failMember("the .npy header describes " + std::to_string(m.header.dataBytes) + " bytes of " +
                 dtypeName(m.header.dtype) + " data " + shapeToString(m.header.shape) +
                 ", the member holds " +
                 std::to_string(st.size - std::min<uint64_t>(st.size, m.header.dataOffset)));

    TensorEntry e;
    e.name = tensor;
    e.shape = m.header.shape;
    e.storedDtype = dtypeName(m.header.dtype);
    e.bytes = m.header.dataBytes;
    e.metadata["compression"] = st.comp_method == ZIP_CM_STORE ? "stored"
                                : st.comp_method == ZIP_CM_DEFLATE
                                    ? "deflate"
                                    : "method " + std::to_string(st.comp_method);
    e.metadata["compressed bytes"] = std::to_string(st.comp_size);
    if (m.header.fortranOrder)
      e.metadata["order"] = "Fortran (converted to row-major)";
    if (m.header.bigEndian)
      e.metadata["byte order"] = "big-endian";
    entries_.push_back(std::move(e));
    members_.push_back(m);
  }

  // Reads exactly n bytes; `offset` (where dst starts in the member) only
  // makes the truncation message exact.
  void readExact(zip_file_t* f, uint8_t* dst, uint64_t n, const std::string& member,
                 uint64_t offset = 0) const {
    uint64_t done = 0;
    while (done < n) {
      zip_int64_t got = zip_fread(f, dst + done, n - done);
      if (got < 0)
        throw Error(label_ + ": member '" + member + "': " + zip_file_strerror(f));
      if (got == 0)
        throw Error(label_ + ": member '" + member + "': truncated: expected " + std::to_string(offset + n) +
                    " bytes, got " + std::to_string(offset + done));
      done += static_cast<uint64_t>(got);
    }
  }

  // Inflates the whole member in chunks: the .npy header, then payload
  // chunks of kChunk bytes, each handed to consume(position in the member,
  // bytes, file), which must read exactly that many bytes. Then checks that
  // the member ends where declared (which also makes libzip verify the CRC).
  // Reports the fraction inflated after each chunk but the last.
  template <typename Consume>
  void readMember(const Member& m, const std::string& tensor, const std::atomic<bool>* cancel,
                  const ReadProgress& progress, Consume&& consume) const {
    // 4 MiB per chunk: a 1 GiB member reports 256 times, and a cancel is
    // seen after ~10 ms of inflating.
    constexpr uint64_t kChunk = uint64_t(4) << 20;
    zip_file_t* f = zip_fopen_index(zip_, m.index, 0);
    if (!f)
      fail(tensor, std::string("cannot open zip member: ") + zip_strerror(zip_));
    auto closer = std::unique_ptr<zip_file_t, int (*)(zip_file_t*)>(f, zip_fclose);
    for (uint64_t done = 0; done < m.size;) {
      checkCancel(cancel);
      const uint64_t n =
          done < m.header.dataOffset ? m.header.dataOffset - done : std::min(kChunk, m.size - done);
      consume(done, n, f);
      done += n;
      if (progress && done < m.size && done > m.header.dataOffset)
        progress(static_cast<double>(done) / static_cast<double>(m.size));
    }
    uint8_t extra;
    zip_int64_t got = zip_fread(f, &extra, 1);
    if (got < 0)
      fail(tensor, std::string("zip member is corrupt: ") + zip_file_strerror(f));
    if (got > 0)
      fail(tensor, "zip member holds more data than its declared size");
  }

  std::shared_ptr<const ByteSource> bytes_;
  zip_t* zip_ = nullptr;
  std::vector<Member> members_; // parallel to entries_
  mutable std::mutex mutex_;    // a libzip archive is not thread-safe
};

} // namespace

std::unique_ptr<TensorSource> openNpz(std::shared_ptr<const ByteSource> bytes,
                                      const std::filesystem::path& path) {
  return std::make_unique<NpzSource>(std::move(bytes), path);
}

} // namespace qs
