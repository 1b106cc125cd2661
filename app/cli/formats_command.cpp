// `quantscope-cli formats [--json] [--sort bpe]`: the format registry with what
// a value costs to store, scales included.
#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "app/cli/table.h"
#include "core/formats/format_registry.h"
#include "core/quant/format_config.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace qs::cli {

namespace {

// Bits per element with the scales a format usually carries, and which: the
// in-block scales of MX/GGUF, none for a cast, one scale (symmetric) per
// usual group or, for tiled formats, per tile.
struct UsualCost {
  double bitsPerElement = 0; // 0: set by the config (a user codebook)
  std::string scaling;       // "group 128", "block 128x128", "in-block, 32", "none (cast)"
};

UsualCost usualCost(const FormatInfo& f) {
  if (f.takesLevels)
    return {0, "set by the levels"};
  const auto kernel = f.makeKernel(KernelOptions{});
  const double bits = kernel->codeBits();
  if (const int block = kernel->fixedBlock())
    return {f.bitsPerElement, "in-block, " + std::to_string(block)};
  const Granularity g = defaultGranularity(*kernel);
  if (g.kind == GranularityKind::None)
    return {bits, "none (cast)"};
  if (g.kind == GranularityKind::Block)
    return {bits + kernel->overheadBitsPerSegment() / double(g.blockRows * g.blockCols),
            "block " + std::to_string(g.blockRows) + "x" + std::to_string(g.blockCols)};
  const int64_t group = kernel->usualGroupSize();
  return {bits + kernel->overheadBitsPerSegment() / double(group), "group " + std::to_string(group)};
}

std::string bitsText(double bits) {
  if (bits <= 0)
    return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", bits);
  return buf;
}

} // namespace

int runFormats(const Args& argv) {
  const std::string usage =
      "usage: quantscope-cli formats [--json] [--sort bpe]\n"
      "Lists every number format by name with its bits per element: the codes plus the scales it\n"
      "usually carries (the scales column says which: the in-block scales of MX/GGUF, one FP32 scale\n"
      "per group of the format's usual size, symmetric, or per 128x128 tile for fp8_block).\n"
      "  --sort bpe   cheapest first (formats at equal bits per element side by side)\n";
  const ParsedArgs a = parseArgs(argv, {{"json", false}, {"sort", true}}, usage);
  if (a.has("help")) {
    std::cout << usage;
    return 0;
  }
  if (!a.positional.empty())
    throw UsageError("formats takes no arguments", usage);
  const std::string sort = a.has("sort") ? a.get("sort") : "registry";
  if (sort != "registry" && sort != "bpe")
    throw UsageError("--sort takes bpe (got '" + sort + "')", usage);
  std::vector<std::pair<const FormatInfo*, UsualCost>> rows;
  for (const FormatInfo& f : allFormats())
    rows.emplace_back(&f, usualCost(f));
  if (sort == "bpe") // user codebooks (cost set by their levels) last
    std::stable_sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) {
      const double a = x.second.bitsPerElement > 0 ? x.second.bitsPerElement : 1e9;
      const double b = y.second.bitsPerElement > 0 ? y.second.bitsPerElement : 1e9;
      return a < b;
    });
  if (a.has("json")) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& [f, cost] : rows)
      j.push_back({{"name", f->name},
                   {"family", f->family},
                   {"label", f->label},
                   {"bits", f->bits},
                   {"bits_per_element", f->bitsPerElement},
                   {"usual_bits_per_element", cost.bitsPerElement},
                   {"usual_scales", cost.scaling},
                   {"aliases", f->aliases},
                   {"description", f->description}});
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  Table t({"name", "family", "bits", "bits/elem", "scales", "description"});
  for (const auto& [f, cost] : rows)
    t.add({f->name, f->family, f->bits ? std::to_string(f->bits) : std::string("-"),
           bitsText(cost.bitsPerElement), cost.scaling, f->description});
  t.print(std::cout);
  std::cout
      << "\nbits/elem: codes plus the scales in the scales column (FP32 scales; an affine grid adds its "
         "zero point). Also: any eXmY float (e.g. e3m4).\nInteger, float and codebook formats take a "
         "scale per tensor, channel, group, token or block (R x C tile);\nMX and GGUF formats carry "
         "their own block scales.\n";
  return 0;
}

} // namespace qs::cli
