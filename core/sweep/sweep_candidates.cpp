#include "core/sweep/sweep_candidates.h"

#include "core/error.h"
#include "core/formats/format_registry.h"

#include <algorithm>

namespace qs {

namespace {

SweepCandidate candidate(const std::string& family, const std::string& format, std::optional<Granularity> g,
                         const std::string& suffix) {
  SweepCandidate c;
  c.family = family;
  c.config.format = format;
  c.config.symmetric = true;
  c.config.granularity = g;
  c.label = findFormat(format).label + suffix;
  return c;
}

} // namespace

const std::vector<std::string>& sweepFamilies() {
  static const std::vector<std::string> families{"INT · per tensor", "INT · per channel", "INT · group",
                                                 "FP · per tensor",  "NF4 / codebooks",   "MX blocks",
                                                 "GGUF blocks",      "Tiles 128×128"};
  return families;
}

std::vector<SweepCandidate> sweepCandidates(const std::vector<std::string>& families, const Shape& shape) {
  // Channels and groups on the tensor's own output-channel axis (auto); a
  // group never outgrows a channel's row.
  const int64_t rowLength = std::max<int64_t>(
      1, shape.size() < 2 ? shapeNumel(shape) : shapeNumel(shape) / std::max<int64_t>(shape.front(), 1));
  const int64_t group = std::min<int64_t>(128, rowLength);
  std::vector<SweepCandidate> out;
  for (const std::string& family : families) {
    if (family == "INT · per tensor" || family == "INT · per channel" || family == "INT · group") {
      Granularity g;
      std::string suffix;
      if (family == "INT · per tensor") {
        g.kind = GranularityKind::Tensor;
        suffix = " · per tensor";
      } else if (family == "INT · per channel") {
        g.kind = GranularityKind::Channel;
        suffix = " · per channel";
      } else {
        g.kind = GranularityKind::Group;
        g.groupSize = group;
        suffix = " · group " + std::to_string(group);
      }
      for (int bits = 2; bits <= 8; ++bits)
        out.push_back(candidate(family, "int" + std::to_string(bits), g, suffix));
    } else if (family == "FP · per tensor") {
      for (const char* f : {"fp4_e2m1", "fp6_e2m3", "fp6_e3m2", "fp8_e4m3", "fp8_e5m2"})
        out.push_back(candidate(family, f, Granularity{GranularityKind::Tensor, 0, 128}, " · per tensor"));
    } else if (family == "NF4 / codebooks") {
      Granularity g{GranularityKind::Group, kAutoAxis, std::min<int64_t>(64, rowLength)};
      const std::string suffix = " · group " + std::to_string(g.groupSize);
      for (const char* f : {"nf4", "fp4_bnb"})
        out.push_back(candidate(family, f, g, suffix));
    } else if (family == "MX blocks") {
      for (const char* f : {"mxfp4", "mxfp6_e2m3", "mxfp6_e3m2", "mxfp8_e4m3", "mxint8"})
        out.push_back(candidate(family, f, std::nullopt, ""));
    } else if (family == "GGUF blocks") {
      for (const char* f : {"q4_0", "q4_k", "q5_0", "q6_k", "q8_0"})
        out.push_back(candidate(family, f, std::nullopt, ""));
    } else if (family == "Tiles 128×128") { // DeepSeek-V3's FP8 weights and integers on the same tiles
      const Granularity tile{GranularityKind::Block, kAutoAxis, 128, 128, 128};
      out.push_back(candidate(family, "fp8_block", std::nullopt, ""));
      out.back().label = "FP8 block · 128×128 (DeepSeek-V3)";
      for (const char* f : {"int4", "int8"})
        out.push_back(candidate(family, f, tile, " · block 128×128"));
    } else {
      throw Error("unknown sweep family '" + family + "'");
    }
  }
  return out;
}

std::vector<SweepCandidate> formatCandidates(const QuantConfig& base,
                                             const std::vector<std::string>& formats) {
  std::vector<SweepCandidate> out;
  for (const std::string& f : formats) {
    SweepCandidate c;
    c.label = f;
    c.config = base;
    c.config.format = f;
    out.push_back(std::move(c));
  }
  return out;
}

} // namespace qs
