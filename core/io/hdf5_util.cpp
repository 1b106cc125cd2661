#include "core/io/hdf5_util.h"

namespace qs::h5 {

std::recursive_mutex& mutex() {
  static std::recursive_mutex m;
  return m;
}

void silenceErrors() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::lock_guard lock(mutex());
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  });
}

namespace {
herr_t collect(unsigned n, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::string*>(data);
  // Walking upward: the first entries are the innermost causes; keep two.
  if (n < 2 && err->desc && *err->desc) {
    if (!out->empty())
      *out += "; ";
    *out += std::string(err->func_name ? err->func_name : "?") + ": " + err->desc;
  }
  return 0;
}
} // namespace

std::string errorText() {
  std::lock_guard lock(mutex());
  std::string out;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect, &out);
  H5Eclear2(H5E_DEFAULT);
  return out;
}

} // namespace qs::h5
