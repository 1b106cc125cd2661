#include "core/io/tensor_writer.h"

#include "core/error.h"
#include "core/io/hdf5_util.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

namespace qs {
namespace {

const char* safetensorsName(DType t) {
  switch (t) {
  case DType::F64:
    return "F64";
  case DType::F32:
    return "F32";
  case DType::F16:
    return "F16";
  case DType::BF16:
    return "BF16";
  case DType::F8E4M3:
    return "F8_E4M3";
  case DType::F8E5M2:
    return "F8_E5M2";
  case DType::I64:
    return "I64";
  case DType::I32:
    return "I32";
  case DType::I16:
    return "I16";
  case DType::I8:
    return "I8";
  case DType::U64:
    return "U64";
  case DType::U32:
    return "U32";
  case DType::U16:
    return "U16";
  case DType::U8:
    return "U8";
  case DType::Bool:
    return "BOOL";
  default:
    return nullptr;
  }
}

void checkArray(const std::filesystem::path& path, const ArrayToWrite& a) {
  const uint64_t need = uint64_t(shapeNumel(a.shape)) * dtypeSize(a.dtype);
  if (a.bytes.size() != need)
    throw Error(path.string() + ": array '" + a.name + "' has " + std::to_string(a.bytes.size()) +
                " bytes, shape " + shapeToString(a.shape) + " of " + dtypeName(a.dtype) + " needs " +
                std::to_string(need));
}

std::filesystem::path tempPath(const std::filesystem::path& p) {
  return p.string() + ".tmp";
}

void commit(const std::filesystem::path& tmp, const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw Error("cannot write " + path.string() + ": " + ec.message());
  }
}

} // namespace

void writeSafetensors(const std::filesystem::path& path, const std::vector<ArrayToWrite>& arrays,
                      const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty())
    header["__metadata__"] = metadata;
  uint64_t offset = 0;
  std::set<std::string> names;
  for (const auto& a : arrays) {
    checkArray(path, a);
    if (a.name == "__metadata__" || !names.insert(a.name).second)
      throw Error(path.string() + ": duplicate or reserved array name '" + a.name + "'");
    const char* dt = safetensorsName(a.dtype);
    if (!dt)
      throw Error(path.string() + ": safetensors cannot store " + dtypeName(a.dtype));
    header[a.name] = {{"dtype", dt}, {"shape", a.shape}, {"data_offsets", {offset, offset + a.bytes.size()}}};
    offset += a.bytes.size();
  }
  // Names and metadata may come from other files' bytes: invalid UTF-8 becomes U+FFFD.
  std::string text = header.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  text.append((8 - text.size() % 8) % 8, ' ');
  const auto tmp = tempPath(path);
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f)
      throw Error("cannot create " + tmp.string() + ": " + std::strerror(errno));
    uint8_t len[8];
    for (int i = 0; i < 8; ++i)
      len[i] = uint8_t(uint64_t(text.size()) >> (8 * i));
    f.write(reinterpret_cast<const char*>(len), 8);
    f.write(text.data(), std::streamsize(text.size()));
    for (const auto& a : arrays)
      f.write(reinterpret_cast<const char*>(a.bytes.data()), std::streamsize(a.bytes.size()));
    f.flush();
    if (!f) {
      std::filesystem::remove(tmp);
      throw Error("cannot write " + path.string() + ": " + std::strerror(errno));
    }
  }
  commit(tmp, path);
}

namespace {

hid_t hdf5FileType(DType t) {
  switch (t) {
  case DType::F64:
    return H5T_IEEE_F64LE;
  case DType::F32:
    return H5T_IEEE_F32LE;
  case DType::I64:
    return H5T_STD_I64LE;
  case DType::I32:
    return H5T_STD_I32LE;
  case DType::I16:
    return H5T_STD_I16LE;
  case DType::I8:
    return H5T_STD_I8LE;
  case DType::U64:
    return H5T_STD_U64LE;
  case DType::U32:
    return H5T_STD_U32LE;
  case DType::U16:
    return H5T_STD_U16LE;
  case DType::U8:
    return H5T_STD_U8LE;
  default:
    return H5I_INVALID_HID;
  }
}

void writeStringAttribute(hid_t obj, const std::string& name, const std::string& value,
                          const std::string& where) {
  h5::Id type = h5::datatype(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  h5::Id space = h5::dataspace(H5Screate(H5S_SCALAR));
  h5::Id attr =
      h5::attribute(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
  const char* p = value.c_str();
  if (!attr.valid() || H5Awrite(attr.get(), type.get(), &p) < 0)
    throw Error(where + ": cannot write attribute '" + name + "': " + h5::errorText());
}

} // namespace

void writeHdf5(const std::filesystem::path& path, const std::vector<ArrayToWrite>& arrays,
               const std::map<std::string, std::map<std::string, std::string>>& groupAttributes) {
  for (const auto& a : arrays) {
    checkArray(path, a);
    if (hdf5FileType(a.dtype) == H5I_INVALID_HID)
      throw Error(path.string() + ": the HDF5 writer does not store " + std::string(dtypeName(a.dtype)));
  }
  h5::silenceErrors();
  const auto tmp = tempPath(path);
  const std::string label = path.string();
  {
    std::lock_guard lock(h5::mutex());
    h5::Id file = h5::file(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    if (!file.valid())
      throw Error("cannot create " + tmp.string() + ": " + h5::errorText());
    try {
      h5::Id lcpl = h5::plist(H5Pcreate(H5P_LINK_CREATE));
      H5Pset_create_intermediate_group(lcpl.get(), 1);
      for (const auto& a : arrays) {
        const std::string where = label + ": dataset '" + a.name + "'";
        std::vector<hsize_t> dims(a.shape.begin(), a.shape.end());
        h5::Id space =
            h5::dataspace(a.shape.empty() ? H5Screate(H5S_SCALAR)
                                          : H5Screate_simple(int(dims.size()), dims.data(), nullptr));
        const hid_t ftype = hdf5FileType(a.dtype);
        h5::Id ds = h5::dataset(
            H5Dcreate2(file.get(), a.name.c_str(), ftype, space.get(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT));
        if (!ds.valid())
          throw Error(where + ": cannot create: " + h5::errorText());
        // The bytes are little-endian already: write them with the file type as memory type.
        if (!a.bytes.empty() && H5Dwrite(ds.get(), ftype, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.bytes.data()) < 0)
          throw Error(where + ": write failed: " + h5::errorText());
        for (const auto& [k, v] : a.attributes)
          writeStringAttribute(ds.get(), k, v, where);
      }
      for (const auto& [group, attrs] : groupAttributes) {
        const std::string g = group.empty() ? "/" : group;
        h5::Id obj = h5::object(H5Oopen(file.get(), g.c_str(), H5P_DEFAULT));
        if (!obj.valid()) {
          h5::Id created = h5::group(H5Gcreate2(file.get(), g.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT));
          if (!created.valid())
            throw Error(label + ": cannot create group '" + g + "': " + h5::errorText());
          created.reset();
          obj = h5::object(H5Oopen(file.get(), g.c_str(), H5P_DEFAULT));
        }
        for (const auto& [k, v] : attrs)
          writeStringAttribute(obj.get(), k, v, label + ": group '" + g + "'");
      }
      if (H5Fflush(file.get(), H5F_SCOPE_GLOBAL) < 0)
        throw Error("cannot write " + label + ": " + h5::errorText());
    } catch (...) {
      file.reset();
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      throw;
    }
  }
  commit(tmp, path);
}

ArrayToWrite floatArray(std::string name, Shape shape, const std::vector<float>& values) {
  ArrayToWrite a;
  a.name = std::move(name);
  a.shape = std::move(shape);
  a.dtype = DType::F32;
  a.bytes.resize(values.size() * 4);
  if (!values.empty())
    std::memcpy(a.bytes.data(), values.data(), a.bytes.size());
  return a;
}

ArrayToWrite smallestIntArray(std::string name, Shape shape, const std::vector<int32_t>& values) {
  int32_t lo = 0, hi = 0;
  if (!values.empty()) {
    auto [mn, mx] = std::minmax_element(values.begin(), values.end());
    lo = *mn;
    hi = *mx;
  }
  ArrayToWrite a;
  a.name = std::move(name);
  a.shape = std::move(shape);
  auto pack = [&](auto tag, DType d) {
    using T = decltype(tag);
    a.dtype = d;
    a.bytes.resize(values.size() * sizeof(T));
    for (size_t i = 0; i < values.size(); ++i) {
      const T v = static_cast<T>(values[i]);
      std::memcpy(a.bytes.data() + i * sizeof(T), &v, sizeof(T));
    }
  };
  if (lo >= -128 && hi <= 127)
    pack(int8_t{}, DType::I8);
  else if (lo >= 0 && hi <= 255)
    pack(uint8_t{}, DType::U8);
  else if (lo >= -32768 && hi <= 32767)
    pack(int16_t{}, DType::I16);
  else if (lo >= 0 && hi <= 65535)
    pack(uint16_t{}, DType::U16);
  else
    pack(int32_t{}, DType::I32);
  return a;
}

} // namespace qs
