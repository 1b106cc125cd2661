#pragma once
// Small helpers around the HDF5 C API shared by the reader and the writer:
// RAII ids, the global lock (the Debian HDF5 build is not thread-safe, so
// every HDF5 call runs under one mutex), and error-stack text for qs::Error.
#include <hdf5.h>
#include <mutex>
#include <string>

namespace qs::h5 {

// Held around every HDF5 call. Recursive so helpers can nest.
std::recursive_mutex& mutex();

// Turns off HDF5's automatic error printing (once) so failures surface only
// as qs::Error.
void silenceErrors();

// The innermost messages of the current HDF5 error stack, e.g.
// "H5Dread: can't read data (inflate() failed)"; empty when there is none.
std::string errorText();

// An owned hid_t closed with the right H5*close on destruction.
class Id {
public:
  using Closer = herr_t (*)(hid_t);
  Id() = default;
  Id(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Id() { reset(); }
  Id(Id&& o) noexcept : id_(o.id_), closer_(o.closer_) { o.id_ = H5I_INVALID_HID; }
  Id& operator=(Id&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      closer_ = o.closer_;
      o.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset() {
    if (id_ >= 0 && closer_)
      closer_(id_);
    id_ = H5I_INVALID_HID;
  }

private:
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

inline Id file(hid_t id) {
  return {id, H5Fclose};
}
inline Id dataset(hid_t id) {
  return {id, H5Dclose};
}
inline Id dataspace(hid_t id) {
  return {id, H5Sclose};
}
inline Id datatype(hid_t id) {
  return {id, H5Tclose};
}
inline Id attribute(hid_t id) {
  return {id, H5Aclose};
}
inline Id group(hid_t id) {
  return {id, H5Gclose};
}
inline Id object(hid_t id) {
  return {id, H5Oclose};
}
inline Id plist(hid_t id) {
  return {id, H5Pclose};
}

} // namespace qs::h5
