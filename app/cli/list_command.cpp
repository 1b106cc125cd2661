// `quantscope-cli list FILE [--json]`: the tensors of a file (name, shape,
// stored dtype, bytes) and its metadata, without reading tensor data.
#include "core/io/listing.h"
#include "core/io/tensor_source.h"

#include <iostream>
#include <string>
#include <vector>

namespace qs::cli {

int runList(const std::vector<std::string>& args) {
  std::string file;
  bool json = false;
  for (const auto& a : args) {
    if (a == "--json")
      json = true;
    else if (a == "-h" || a == "--help") {
      std::cout << "usage: quantscope-cli list FILE [--json]\n";
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      std::cerr << "list: unknown option " << a << '\n';
      return 2;
    } else if (file.empty())
      file = a;
    else {
      std::cerr << "list: more than one file given\n";
      return 2;
    }
  }
  if (file.empty()) {
    std::cerr << "usage: quantscope-cli list FILE [--json]\n";
    return 2;
  }
  auto source = openTensorFile(file);
  std::cout << (json ? listingJson(*source) + "\n" : listingText(*source));
  return 0;
}

} // namespace qs::cli
