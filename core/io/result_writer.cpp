#include "core/io/result_writer.h"

#include "core/error.h"
#include "core/io/tensor_writer.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace qs {
namespace {

std::string lowerExt(const std::filesystem::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return e;
}

std::string granularityJson(const Granularity& g) {
  nlohmann::ordered_json j;
  j["kind"] = toString(g.kind);
  j["axis"] = g.axis;
  j["group_size"] = g.groupSize;
  return j.dump();
}

// The arrays of one result, named "<prefix><part>".
std::vector<ArrayToWrite> resultArrays(const QuantResult& r, const std::string& prefix, char sep,
                                       const ResultWriteOptions& o, const std::filesystem::path& out) {
  std::vector<ArrayToWrite> a;
  const int64_t n = shapeNumel(r.shape);
  auto need = [&](size_t have, int64_t want, const char* what) {
    if (int64_t(have) != want)
      throw Error(out.string() + ": tensor '" + r.tensorName + "': " + what + " has " + std::to_string(have) +
                  " values, expected " + std::to_string(want));
  };
  const std::string p = prefix + sep;
  if (o.includeCodes && !r.codes.empty()) {
    need(r.codes.size(), n, "codes");
    a.push_back(smallestIntArray(p + "codes", r.shape, r.codes));
  }
  const int64_t groups = r.scaleShape.empty() ? int64_t(r.scales.size()) : shapeNumel(r.scaleShape);
  const Shape scaleShape = r.scaleShape.empty() ? Shape{int64_t(r.scales.size())} : r.scaleShape;
  if (!r.scales.empty()) {
    need(r.scales.size(), groups, "scales");
    a.push_back(floatArray(p + "scales", scaleShape, r.scales));
  }
  // Two levels: the stored scale's codes beside `scales` (its decoded value),
  // NVFP4's tensor scale, int8dq's absmax per 256 scales and mean.
  const StoredScales& stored = r.storedScales;
  if (!stored.codes.empty()) {
    need(stored.codes.size(), groups, "scale codes");
    a.push_back(smallestIntArray(p + "scale_codes", scaleShape, stored.codes));
  }
  if (stored.tensorScale > 0)
    a.push_back(floatArray(p + "tensor_scale", {1}, {stored.tensorScale}));
  if (!stored.absmax.empty()) {
    a.push_back(floatArray(p + "scale_absmax", {int64_t(stored.absmax.size())}, stored.absmax));
    a.push_back(floatArray(p + "scale_offset", {1}, {stored.offset}));
  }
  if (!r.zeroPoints.empty()) {
    need(r.zeroPoints.size(), groups, "zero points");
    a.push_back(smallestIntArray(p + "zero_points", scaleShape, r.zeroPoints));
  }
  if (!r.realZeroPoints.empty()) { // HQQ: float zero points, x ≈ (code − zero)·scale
    need(r.realZeroPoints.size(), groups, "zero points");
    a.push_back(floatArray(p + "zero_points", scaleShape, r.realZeroPoints));
  }
  if (!r.offsets.empty())
    a.push_back(floatArray(
        p + "offsets", int64_t(r.offsets.size()) == groups ? scaleShape : Shape{int64_t(r.offsets.size())},
        r.offsets));
  if (!r.segmentLevels.empty()) {
    const int64_t per = groups > 0 && int64_t(r.segmentLevels.size()) % groups == 0
                            ? int64_t(r.segmentLevels.size()) / groups
                            : int64_t(r.segmentLevels.size());
    a.push_back(
        floatArray(p + "segment_levels", {int64_t(r.segmentLevels.size()) / per, per}, r.segmentLevels));
  }
  if (o.includeDequantized) {
    need(r.dequantized.size(), n, "dequantized values");
    a.push_back(floatArray(p + "dequantized", r.shape, r.dequantized));
  }
  return a;
}

std::map<std::string, std::string> resultAttributes(const QuantResult& r) {
  return {{"config", configToJson(r.config, -1)},
          {"format_label", r.formatLabel},
          {"granularity", granularityJson(r.granularity)},
          {"code_bits", std::to_string(r.codeBits)},
          {"scale_format", r.storedScales.format.empty() ? "own" : r.storedScales.format},
          {"shape", shapeToString(r.shape)}};
}

} // namespace

const char* quantResultSchema() {
  return "quantscope.quantized/1";
}

void writeQuantResults(const std::filesystem::path& out,
                       const std::vector<std::shared_ptr<const QuantResult>>& results,
                       const ResultWriteOptions& options) {
  const std::string ext = lowerExt(out);
  const bool h5 = ext == ".h5" || ext == ".hdf5";
  if (!h5 && ext != ".safetensors")
    throw Error(out.string() + ": unsupported output format '" + ext + "' (use .safetensors, .h5 or .hdf5)");
  std::set<std::string> names;
  std::vector<ArrayToWrite> arrays;
  std::map<std::string, std::string> meta{{"quantscope.schema", quantResultSchema()}};
  std::map<std::string, std::map<std::string, std::string>> groups{
      {"", {{"quantscope.schema", quantResultSchema()}}}};
  for (const auto& rp : results) {
    if (!rp)
      throw Error(out.string() + ": empty result");
    const QuantResult& r = *rp;
    std::string name = r.tensorName.empty() ? "tensor" : r.tensorName;
    if (h5) {
      // HDF5 paths: no leading '/', no empty components.
      while (!name.empty() && name.front() == '/')
        name.erase(name.begin());
      if (name.empty())
        name = "tensor";
    }
    if (!names.insert(name).second)
      throw Error(out.string() + ": two results for tensor '" + name + "'");
    auto part = resultArrays(r, name, h5 ? '/' : '.', options, out);
    for (auto& a : part)
      arrays.push_back(std::move(a));
    for (const auto& [k, v] : resultAttributes(r)) {
      meta[name + "." + k] = v;
      groups[name][k] = v;
    }
  }
  if (h5)
    writeHdf5(out, arrays, groups);
  else
    writeSafetensors(out, arrays, meta);
}

void writeQuantResult(const std::filesystem::path& out, const QuantResult& result,
                      const ResultWriteOptions& options) {
  writeQuantResults(out, {std::shared_ptr<const QuantResult>(&result, [](const QuantResult*) {})}, options);
}

} // namespace qs
