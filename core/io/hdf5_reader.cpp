// HDF5 (and Keras .h5 weight files): every integer and float dataset in every
// group, found with H5Lvisit over hard links. Attributes become metadata.
// float16 (and bfloat16) are HDF5 custom float types (h5py writes IEEE half
// as one); they are recognised by their bit fields and converted exactly by
// the formats' decoders. Reads use row hyperslabs, chunked so cancellation
// is prompt. All HDF5 calls run under h5::mutex().
#include "core/error.h"
#include "core/io/dtype.h"
#include "core/io/hdf5_util.h"
#include "core/io/readers.h"
#include "core/io/source_base.h"

#include <charconv>
#include <cstring>
#include <optional>

namespace qs {
namespace {

constexpr size_t kMaxAttrElements = 64;
constexpr size_t kMaxAttrChars = 1 << 20;

struct Fields {
  size_t spos, epos, esize, mpos, msize, ebias, size;
  bool operator==(const Fields&) const = default;
};

// How a dataset is read: the stored DType, plus whether HDF5 itself converts
// an unusual float type to native float.
struct Kind {
  DType dtype = DType::F32;
  bool hdf5Converts = false; // custom float other than half/bfloat16
  std::string label;         // storedDtype
};

std::optional<Kind> classify(hid_t type) {
  const H5T_class_t cls = H5Tget_class(type);
  const size_t size = H5Tget_size(type);
  if (cls == H5T_FLOAT) {
    Fields f{};
    H5Tget_fields(type, &f.spos, &f.epos, &f.esize, &f.mpos, &f.msize);
    f.ebias = H5Tget_ebias(type);
    f.size = size;
    if (f == Fields{31, 23, 8, 0, 23, 127, 4})
      return Kind{DType::F32, false, "float32"};
    if (f == Fields{63, 52, 11, 0, 52, 1023, 8})
      return Kind{DType::F64, false, "float64"};
    if (f == Fields{15, 10, 5, 0, 10, 15, 2})
      return Kind{DType::F16, false, "float16"};
    if (f == Fields{15, 7, 8, 0, 7, 127, 2})
      return Kind{DType::BF16, false, "bfloat16"};
    return Kind{DType::F32, true,
                "float" + std::to_string(size * 8) + " (e" + std::to_string(f.esize) + "m" +
                    std::to_string(f.msize) + ")"};
  }
  if (cls == H5T_INTEGER) {
    const bool isSigned = H5Tget_sign(type) == H5T_SGN_2;
    switch (size) {
    case 1:
      return isSigned ? Kind{DType::I8, false, "int8"} : Kind{DType::U8, false, "uint8"};
    case 2:
      return isSigned ? Kind{DType::I16, false, "int16"} : Kind{DType::U16, false, "uint16"};
    case 4:
      return isSigned ? Kind{DType::I32, false, "int32"} : Kind{DType::U32, false, "uint32"};
    case 8:
      return isSigned ? Kind{DType::I64, false, "int64"} : Kind{DType::U64, false, "uint64"};
    default:
      return std::nullopt;
    }
  }
  if (cls == H5T_ENUM && size == 1 && H5Tget_nmembers(type) == 2) {
    // h5py stores numpy bool as enum(int8) {FALSE = 0, TRUE = 1}.
    char* n0 = H5Tget_member_name(type, 0);
    char* n1 = H5Tget_member_name(type, 1);
    const bool isBool = n0 && n1 && std::strcmp(n0, "FALSE") == 0 && std::strcmp(n1, "TRUE") == 0;
    H5free_memory(n0);
    H5free_memory(n1);
    if (isBool)
      return Kind{DType::Bool, false, "bool"};
  }
  return std::nullopt;
}

// The in-memory type HDF5 converts the file data to before our conversion.
h5::Id memoryType(hid_t fileType, const Kind& k) {
  if (k.hdf5Converts)
    return h5::datatype(H5Tcopy(H5T_NATIVE_FLOAT));
  switch (k.dtype) {
  case DType::F32:
    return h5::datatype(H5Tcopy(H5T_NATIVE_FLOAT));
  case DType::F64:
    return h5::datatype(H5Tcopy(H5T_NATIVE_DOUBLE));
  case DType::F16:
  case DType::BF16: {
    h5::Id t = h5::datatype(H5Tcopy(fileType));
    H5Tset_order(t.get(), H5T_ORDER_LE);
    return t;
  }
  case DType::I8:
    return h5::datatype(H5Tcopy(H5T_NATIVE_INT8));
  case DType::U8:
    return h5::datatype(H5Tcopy(H5T_NATIVE_UINT8));
  case DType::I16:
    return h5::datatype(H5Tcopy(H5T_NATIVE_INT16));
  case DType::U16:
    return h5::datatype(H5Tcopy(H5T_NATIVE_UINT16));
  case DType::I32:
    return h5::datatype(H5Tcopy(H5T_NATIVE_INT32));
  case DType::U32:
    return h5::datatype(H5Tcopy(H5T_NATIVE_UINT32));
  case DType::I64:
    return h5::datatype(H5Tcopy(H5T_NATIVE_INT64));
  case DType::U64:
    return h5::datatype(H5Tcopy(H5T_NATIVE_UINT64));
  default:
    return h5::datatype(H5Tcopy(fileType)); // bool enum: raw bytes
  }
}

std::string formatDouble(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string joinList(const std::vector<std::string>& items, bool isArray) {
  if (!isArray && items.size() == 1)
    return items[0];
  std::string s = "[";
  for (size_t i = 0; i < items.size(); ++i)
    s += (i ? ", " : "") + items[i];
  return s + "]";
}

// Strings, numbers and small numeric arrays as text; anything else summarised.
std::string attributeText(hid_t attr) {
  h5::Id type = h5::datatype(H5Aget_type(attr));
  h5::Id space = h5::dataspace(H5Aget_space(attr));
  if (!type.valid() || !space.valid())
    return "<unreadable>";
  const hssize_t npoints = H5Sget_simple_extent_npoints(space.get());
  const bool isArray = H5Sget_simple_extent_ndims(space.get()) > 0;
  if (npoints < 0)
    return "<unreadable>";
  const size_t n = static_cast<size_t>(npoints);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls == H5T_STRING) {
    if (n > kMaxAttrElements)
      return "<" + std::to_string(n) + " strings>";
    std::vector<std::string> items;
    if (H5Tis_variable_str(type.get()) > 0) {
      h5::Id mem = h5::datatype(H5Tcopy(H5T_C_S1));
      H5Tset_size(mem.get(), H5T_VARIABLE);
      H5Tset_cset(mem.get(), H5Tget_cset(type.get())); // ASCII <-> UTF-8 is not a conversion HDF5 does
      std::vector<char*> ptrs(n, nullptr);
      if (n && H5Aread(attr, mem.get(), ptrs.data()) < 0)
        return "<unreadable>";
      for (char* p : ptrs)
        items.emplace_back(p ? std::string(p, strnlen(p, kMaxAttrChars)) : "");
      if (n)
        H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
    } else {
      const size_t size = H5Tget_size(type.get());
      if (size == 0 || size * n > kMaxAttrChars)
        return "<large string attribute>";
      std::vector<char> buf(size * n);
      if (n && H5Aread(attr, type.get(), buf.data()) < 0)
        return "<unreadable>";
      for (size_t i = 0; i < n; ++i)
        items.emplace_back(buf.data() + i * size, strnlen(buf.data() + i * size, size));
    }
    return joinList(items, isArray);
  }
  if (cls == H5T_INTEGER || cls == H5T_FLOAT || cls == H5T_ENUM) {
    if (n > kMaxAttrElements)
      return "<" + std::to_string(n) + "-element array>";
    std::vector<std::string> items;
    if (cls == H5T_FLOAT) {
      std::vector<double> v(n);
      if (n && H5Aread(attr, H5T_NATIVE_DOUBLE, v.data()) < 0)
        return "<unreadable>";
      for (double d : v)
        items.push_back(formatDouble(d));
    } else if (cls == H5T_ENUM) {
      auto k = classify(type.get());
      if (!k || k->dtype != DType::Bool)
        return "<enum>";
      std::vector<uint8_t> v(n);
      if (n && H5Aread(attr, type.get(), v.data()) < 0)
        return "<unreadable>";
      for (uint8_t b : v)
        items.push_back(b ? "True" : "False");
    } else if (H5Tget_sign(type.get()) == H5T_SGN_NONE) {
      std::vector<unsigned long long> v(n);
      if (n && H5Aread(attr, H5T_NATIVE_ULLONG, v.data()) < 0)
        return "<unreadable>";
      for (auto x : v)
        items.push_back(std::to_string(x));
    } else {
      std::vector<long long> v(n);
      if (n && H5Aread(attr, H5T_NATIVE_LLONG, v.data()) < 0)
        return "<unreadable>";
      for (auto x : v)
        items.push_back(std::to_string(x));
    }
    return joinList(items, isArray);
  }
  return "<attribute of HDF5 type class " + std::to_string(int(cls)) + ">";
}

herr_t collectAttribute(hid_t loc, const char* name, const H5A_info_t*, void* data) {
  auto* out = static_cast<std::map<std::string, std::string>*>(data);
  h5::Id attr = h5::attribute(H5Aopen(loc, name, H5P_DEFAULT));
  (*out)[name] = attr.valid() ? attributeText(attr.get()) : "<unreadable>";
  return 0;
}

std::map<std::string, std::string> attributes(hid_t obj) {
  std::map<std::string, std::string> out;
  hsize_t idx = 0;
  H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, collectAttribute, &out);
  return out;
}

std::string filterText(hid_t dcpl) {
  std::string s;
  const int n = H5Pget_nfilters(dcpl);
  for (int i = 0; i < n; ++i) {
    unsigned flags = 0, config = 0;
    size_t nvals = 4;
    unsigned vals[4] = {0, 0, 0, 0};
    char name[64] = {0};
    H5Z_filter_t f = H5Pget_filter2(dcpl, unsigned(i), &flags, &nvals, vals, sizeof name, name, &config);
    if (!s.empty())
      s += ", ";
    if (f == H5Z_FILTER_DEFLATE)
      s += "gzip(" + std::to_string(nvals ? vals[0] : 0) + ")";
    else
      s += name[0] ? name : "filter " + std::to_string(f);
  }
  return s;
}

class Hdf5Source final : public SourceBase {
public:
  explicit Hdf5Source(const std::filesystem::path& path) : SourceBase("hdf5", path) {
    h5::silenceErrors();
    std::lock_guard lock(h5::mutex());
    const htri_t is = H5Fis_hdf5(path.c_str());
    if (is <= 0)
      throw Error(label_ + ": not an HDF5 file" + (is < 0 ? " (" + h5::errorText() + ")" : std::string()));
    file_.id = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!file_.valid())
      throw Error(label_ + ": cannot open the HDF5 file: " + h5::errorText());
    fileMeta_ = attributes(file_.get());
    if (H5Lvisit(file_.get(), H5_INDEX_NAME, H5_ITER_INC, &Hdf5Source::visit, this) < 0)
      throw Error(label_ +
                  ": cannot walk the HDF5 groups: " + (visitError_.empty() ? h5::errorText() : visitError_));
    if (!skipped_.empty())
      fileMeta_["skipped datasets (not numeric)"] = joinList(skipped_, true);
    inferKerasLayouts();
  }

  bool readsRowsCheaply() const override { return true; }

  Tensor read(const std::string& name, const std::atomic<bool>* cancel) const override {
    const auto& e = entryOrThrow(name);
    return readSlice(e, {0, rowCount(e.shape)}, cancel, {});
  }

  // The hyperslab chunks below report rows done / rows.
  Tensor readWithProgress(const std::string& name, const std::atomic<bool>* cancel,
                          const ReadProgress& progress) const override {
    const auto& e = entryOrThrow(name);
    return readSlice(e, {0, rowCount(e.shape)}, cancel, progress);
  }

  Tensor readRows(const std::string& name, RowSlice slice, const std::atomic<bool>* cancel) const override {
    return readSlice(entryOrThrow(name), slice, cancel, {});
  }

private:
  Tensor readSlice(const TensorEntry& e, RowSlice slice, const std::atomic<bool>* cancel,
                   const ReadProgress& progress) const {
    const Kind& kind = kinds_[static_cast<size_t>(&e - entries_.data())];
    Tensor t = makeTensor(e, slice);
    if (t.values.empty()) {
      if (progress)
        progress(1.0);
      return t;
    }
    const int64_t per = rowElements(e.shape);
    const size_t es = kind.hdf5Converts ? 4 : dtypeSize(kind.dtype);
    const bool direct = kind.hdf5Converts || kind.dtype == DType::F32;
    // About 16 MiB of stored data per hyperslab read.
    const int64_t rowsPerChunk =
        std::max<int64_t>(1, (int64_t(16) << 20) / std::max<int64_t>(1, per * int64_t(es)));
    std::vector<uint8_t> raw;
    for (int64_t r = slice.begin; r < slice.end || (e.shape.empty() && r == slice.begin); r += rowsPerChunk) {
      checkCancel(cancel);
      const int64_t rows = e.shape.empty() ? 1 : std::min(rowsPerChunk, slice.end - r);
      const int64_t count = rows * per;
      float* dst = t.values.data() + (r - slice.begin) * per;
      void* buf = dst;
      if (!direct) {
        raw.resize(static_cast<size_t>(count) * es);
        buf = raw.data();
      }
      readHyperslab(e, kind, r, rows, buf);
      if (!direct)
        convertToFloat(kind.dtype, raw.data(), dst, count, false, cancel);
      if (progress)
        progress(e.shape.empty() ? 1.0
                                 : static_cast<double>(r + rows - slice.begin) /
                                       static_cast<double>(slice.end - slice.begin));
      if (e.shape.empty())
        break;
    }
    return t;
  }

  void readHyperslab(const TensorEntry& e, const Kind& kind, int64_t row, int64_t rows, void* buf) const {
    std::lock_guard lock(h5::mutex());
    h5::Id ds = h5::dataset(H5Dopen2(file_.get(), ("/" + e.name).c_str(), H5P_DEFAULT));
    if (!ds.valid())
      fail(e.name, "cannot open the dataset: " + h5::errorText());
    h5::Id ftype = h5::datatype(H5Dget_type(ds.get()));
    h5::Id mtype = memoryType(ftype.get(), kind);
    herr_t rc;
    if (e.shape.empty()) {
      rc = H5Dread(ds.get(), mtype.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    } else {
      h5::Id fspace = h5::dataspace(H5Dget_space(ds.get()));
      std::vector<hsize_t> start(e.shape.size(), 0), count(e.shape.begin(), e.shape.end());
      start[0] = hsize_t(row);
      count[0] = hsize_t(rows);
      H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
      h5::Id mspace = h5::dataspace(H5Screate_simple(int(count.size()), count.data(), nullptr));
      rc = H5Dread(ds.get(), mtype.get(), mspace.get(), fspace.get(), H5P_DEFAULT, buf);
    }
    if (rc < 0)
      fail(e.name, "HDF5 read failed: " + h5::errorText());
  }

  static herr_t visit(hid_t group, const char* name, const H5L_info_t* info, void* data) {
    auto* self = static_cast<Hdf5Source*>(data);
    if (info->type != H5L_TYPE_HARD)
      return 0; // soft and external links would duplicate or leave the file
    try {
      self->add(group, name);
    } catch (const std::exception& e) {
      self->visitError_ = e.what();
      return -1;
    }
    return 0;
  }

  // Keras and TensorFlow store kernels [in, out] and [kh, kw, in, out]; a
  // Keras file says so in its attributes (keras_version, layer_names,
  // weight_names), a bare TensorFlow export only in its names ("kernel:0").
  bool kerasFile() const {
    for (const auto& [key, value] : fileMeta_) {
      const std::string leaf = key.substr(key.rfind('/') + 1);
      if (leaf == "keras_version" || leaf == "layer_names" || leaf == "weight_names")
        return true;
    }
    return false;
  }

  void inferKerasLayouts() {
    const bool keras = kerasFile();
    for (TensorEntry& e : entries_) {
      const std::string leaf = e.name.substr(e.name.rfind('/') + 1);
      const bool kernelName = leaf.starts_with("kernel") || leaf.find("_kernel") != std::string::npos;
      if (leaf.starts_with("depthwise_kernel") && e.shape.size() == 4) {
        e.layout = {2, "Keras depthwise kernel [kh, kw, channels, multiplier]: channels on axis 2"};
      } else if (keras && leaf.find("embeddings") != std::string::npos) {
        e.layout = inferAxisLayout(e.shape, WeightOrder::OutFirst, "Keras embedding [vocabulary, width]");
        e.layout.reason = "Keras embedding [vocabulary, width]: one row per token on axis 0";
      } else if (keras || kernelName) {
        e.layout = inferAxisLayout(e.shape, WeightOrder::OutLast,
                                   keras ? "Keras kernel" : "TensorFlow kernel (by its name)");
      }
    }
    inferLayouts(WeightOrder::OutFirst, "HDF5 without Keras attributes, PyTorch order assumed");
  }

  void add(hid_t group, const char* name) {
    h5::Id obj = h5::object(H5Oopen(group, name, H5P_DEFAULT));
    if (!obj.valid())
      return;
    const H5I_type_t t = H5Iget_type(obj.get());
    if (t == H5I_GROUP) {
      for (auto& [k, v] : attributes(obj.get()))
        fileMeta_[std::string(name) + "/" + k] = v;
      return;
    }
    if (t != H5I_DATASET)
      return;
    h5::Id type = h5::datatype(H5Dget_type(obj.get()));
    h5::Id space = h5::dataspace(H5Dget_space(obj.get()));
    auto kind = classify(type.get());
    const H5S_class_t sc = H5Sget_simple_extent_type(space.get());
    if (!kind || sc == H5S_NULL) {
      skipped_.push_back(name);
      return;
    }
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0 || rank > 32) {
      skipped_.push_back(name);
      return;
    }
    std::vector<hsize_t> dims(static_cast<size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    TensorEntry e;
    e.name = name;
    for (hsize_t d : dims) {
      if (d > hsize_t(INT64_MAX))
        throw Error(label_ + ": dataset '" + e.name + "' has an absurd dimension");
      e.shape.push_back(int64_t(d));
    }
    checkedNumel(e.shape, label_ + ": dataset '" + e.name + "'");
    e.storedDtype = kind->label;
    e.bytes = H5Dget_storage_size(obj.get());
    e.metadata = attributes(obj.get());
    h5::Id dcpl = h5::plist(H5Dget_create_plist(obj.get()));
    if (dcpl.valid() && H5Pget_layout(dcpl.get()) == H5D_CHUNKED) {
      std::vector<hsize_t> chunk(static_cast<size_t>(rank));
      H5Pget_chunk(dcpl.get(), rank, chunk.data());
      Shape c(chunk.begin(), chunk.end());
      e.metadata["hdf5 chunks"] = shapeToString(c);
      std::string filters = filterText(dcpl.get());
      if (!filters.empty())
        e.metadata["hdf5 filters"] = filters;
    }
    if (H5Tget_order(type.get()) == H5T_ORDER_BE)
      e.metadata["byte order"] = "big-endian";
    entries_.push_back(std::move(e));
    kinds_.push_back(*kind);
  }

  // Closes the file under the HDF5 lock (also when the constructor throws).
  struct LockedFile {
    h5::Id id;
    ~LockedFile() {
      std::lock_guard lock(h5::mutex());
      id.reset();
    }
    hid_t get() const { return id.get(); }
    bool valid() const { return id.valid(); }
  };
  LockedFile file_;
  std::vector<Kind> kinds_; // parallel to entries_
  std::vector<std::string> skipped_;
  std::string visitError_;
};

} // namespace

std::unique_ptr<TensorSource> openHdf5(const std::filesystem::path& path) {
  return std::make_unique<Hdf5Source>(path);
}

} // namespace qs
