#include "core/io/listing.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

namespace qs {
namespace {

std::string humanBytes(uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  std::ostringstream os;
  os.precision(u == 0 ? 0 : 1);
  os << std::fixed << v << ' ' << units[u];
  return os.str();
}

std::string cut(const std::string& s, size_t n) {
  std::string one = s;
  std::replace(one.begin(), one.end(), '\n', ' ');
  return one.size() <= n ? one : one.substr(0, n) + "...";
}

} // namespace

std::string listingText(const TensorSource& source, size_t maxValueChars) {
  const auto& entries = source.list();
  size_t wName = 4, wShape = 5, wType = 5;
  for (const auto& e : entries) {
    wName = std::max(wName, e.name.size());
    wShape = std::max(wShape, shapeToString(e.shape).size());
    wType = std::max(wType, e.storedDtype.size());
  }
  std::ostringstream os;
  uint64_t total = 0;
  for (const auto& e : entries)
    total += e.bytes;
  os << source.path().string() << " (" << source.formatName() << ", " << entries.size() << " tensors, "
     << humanBytes(total) << ")\n";
  auto pad = [](const std::string& s, size_t w) {
    return s + std::string(w > s.size() ? w - s.size() : 0, ' ');
  };
  os << pad("name", wName) << "  " << pad("shape", wShape) << "  " << pad("dtype", wType) << "  bytes\n";
  size_t unreadable = 0;
  for (const auto& e : entries) {
    os << pad(e.name, wName) << "  " << pad(shapeToString(e.shape), wShape) << "  "
       << pad(e.storedDtype, wType) << "  " << e.bytes;
    if (!e.unreadable.empty()) {
      os << "  (cannot read)";
      ++unreadable;
    }
    os << '\n';
  }
  if (unreadable) {
    os << unreadable << (unreadable == 1 ? " tensor" : " tensors") << " QuantScope cannot read:\n";
    for (const auto& e : entries)
      if (!e.unreadable.empty())
        os << "  " << e.name << " " << e.unreadable << '\n';
  }
  auto meta = source.fileMetadata();
  if (!meta.empty()) {
    os << "metadata:\n";
    for (const auto& [k, v] : meta)
      os << "  " << k << " = " << cut(v, maxValueChars) << '\n';
  }
  return os.str();
}

std::string listingJson(const TensorSource& source, int indent) {
  nlohmann::ordered_json j;
  j["file"] = source.path().string();
  j["format"] = source.formatName();
  j["metadata"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : source.fileMetadata())
    j["metadata"][k] = v;
  j["tensors"] = nlohmann::ordered_json::array();
  for (const auto& e : source.list()) {
    nlohmann::ordered_json t;
    t["name"] = e.name;
    t["shape"] = e.shape;
    t["dtype"] = e.storedDtype;
    t["bytes"] = e.bytes;
    t["axis"] = e.layout.outAxis; // the inferred output-channel axis and why (core/axis_layout.h)
    t["axis_reason"] = e.layout.reason;
    if (!e.unreadable.empty())
      t["unreadable"] = e.unreadable;
    if (!e.metadata.empty())
      t["metadata"] = e.metadata;
    j["tensors"].push_back(std::move(t));
  }
  // Metadata may hold arbitrary bytes from the file: replace invalid UTF-8.
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

} // namespace qs
