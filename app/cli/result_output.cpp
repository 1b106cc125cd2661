#include "app/cli/result_output.h"

#include "core/io/result_writer.h"
#include "core/io/tensor_writer.h"
#include "core/tensor.h"

#include "core/error.h"

#include <filesystem>
#include <system_error>

namespace qs::cli {

namespace {

// A missing directory is the common mistake; say so plainly instead of the
// library's (HDF5's) error stack.
void requireDirectory(const std::string& path) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
    throw Error("cannot write '" + path + "': directory '" + dir.string() + "' does not exist");
}

} // namespace

std::string writeResultFile(const std::string& path, const QuantResult& r, bool includeDequantized) {
  requireDirectory(path);
  ResultWriteOptions o;
  o.includeDequantized = includeDequantized;
  writeQuantResult(path, r, o);
  // Describe what the writer stored, with the dtype it picked for the codes.
  std::string parts;
  auto add = [&](const std::string& s) { parts += (parts.empty() ? "" : ", ") + s; };
  if (!r.codes.empty())
    add(std::string("codes ") + dtypeName(smallestIntArray("codes", r.shape, r.codes).dtype) + " " +
        shapeToString(r.shape));
  if (!r.scales.empty())
    add("scales float32 " +
        shapeToString(r.scaleShape.empty() ? Shape{int64_t(r.scales.size())} : r.scaleShape));
  const StoredScales& stored = r.storedScales;
  if (!stored.codes.empty())
    add(stored.format + " scale codes " +
        std::string(dtypeName(smallestIntArray("codes", {}, stored.codes).dtype)));
  if (stored.tensorScale > 0)
    add("tensor scale float32");
  if (!stored.absmax.empty())
    add("scale absmax float32 [" + std::to_string(stored.absmax.size()) + "], scale offset float32");
  if (!r.zeroPoints.empty())
    add("zero points " + std::string(dtypeName(smallestIntArray("zp", {}, r.zeroPoints).dtype)));
  if (!r.realZeroPoints.empty())
    add("zero points float32 (HQQ)");
  if (!r.offsets.empty())
    add("offsets float32");
  if (!r.segmentLevels.empty())
    add("segment levels float32");
  if (includeDequantized)
    add("dequantized float32 " + shapeToString(r.shape));
  return "wrote " + path + " (" + parts + ")";
}

std::string writeMetricsFile(const std::string& path, const ResultList& results) {
  requireDirectory(path);
  writeMetrics(path, results);
  return "wrote " + path + " (metrics of " + std::to_string(results.size()) +
         (results.size() == 1 ? " result)" : " results)");
}

} // namespace qs::cli
