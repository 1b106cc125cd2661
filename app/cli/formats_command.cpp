// `quantscope-cli formats [--json]`: the format registry.
#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "app/cli/table.h"
#include "core/formats/format_registry.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace qs::cli {

int runFormats(const Args& argv) {
  const std::string usage = "usage: quantscope-cli formats [--json]\nLists every number format by name.\n";
  const ParsedArgs a = parseArgs(argv, {{"json", false}}, usage);
  if (a.has("help")) {
    std::cout << usage;
    return 0;
  }
  if (!a.positional.empty())
    throw UsageError("formats takes no arguments", usage);
  if (a.has("json")) {
    nlohmann::json j = nlohmann::json::array();
    for (const FormatInfo& f : allFormats())
      j.push_back({{"name", f.name},
                   {"family", f.family},
                   {"label", f.label},
                   {"bits", f.bits},
                   {"bits_per_element", f.bitsPerElement},
                   {"aliases", f.aliases},
                   {"description", f.description}});
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  Table t({"name", "family", "bits", "description"});
  for (const FormatInfo& f : allFormats())
    t.add({f.name, f.family, f.bits ? std::to_string(f.bits) : std::string("-"), f.description});
  t.print(std::cout);
  std::cout << "\nAlso: any eXmY float (e.g. e3m4). Integer and codebook formats take a scale per tensor, "
               "channel, group or token;\nMX and GGUF formats carry their own block scales.\n";
  return 0;
}

} // namespace qs::cli
