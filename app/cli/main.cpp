// quantscope-cli: subcommand dispatch. Bad input never crashes: every error
// is one line on stderr and exit code 2.
#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "core/error.h"

#include <cstdio>
#include <exception>
#include <iostream>
#include <new>

namespace qs::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"quantize", "quantize one tensor and print its error metrics", runQuantize},
      {"sweep", "compare several formats on one tensor", runSweep},
      {"demo", "quantize synthetic tensors with typical configs (no file needed)", runDemo},
      {"formats", "list the number formats", runFormats},
      {"list", "list the tensors of a file or a model", runList},
      {"layer", "compare RTN, SmoothQuant, AWQ and GPTQ on one linear layer", runLayer},
      {"scan", "every tensor of a model under every candidate format", runScan},
      {"plan", "choose one format per tensor of a model under a size budget, and export it", runPlan},
  };
  return kCommands;
}

namespace {

void printUsage(std::ostream& out) {
  out << "usage: quantscope-cli COMMAND [ARGS]   (quantscope-cli COMMAND --help for its "
         "options)\n\ncommands:\n";
  for (const Command& c : commands()) {
    std::string name = c.name;
    name.resize(10, ' ');
    out << "  " << name << c.summary << '\n';
  }
}

} // namespace

} // namespace qs::cli

int main(int argc, char** argv) {
  using namespace qs::cli;
  if (argc < 2) {
    printUsage(std::cerr);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "-h" || name == "--help" || name == "help") {
    printUsage(std::cout);
    return 0;
  }
  const Args args(argv + 2, argv + argc);
  for (const Command& c : commands()) {
    if (name != c.name)
      continue;
    try {
      return c.run(args);
    } catch (const UsageError& e) {
      std::cerr << "quantscope-cli " << name << ": " << e.what() << "\n" << e.usage();
      return 2;
    } catch (const qs::Error& e) {
      std::cerr << "quantscope-cli: error: " << e.what() << '\n';
      return 2;
    } catch (const std::bad_alloc&) {
      std::cerr << "quantscope-cli: error: out of memory\n";
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "quantscope-cli: error: " << e.what() << '\n';
      return 2;
    }
  }
  std::cerr << "quantscope-cli: unknown command '" << name << "'\n";
  printUsage(std::cerr);
  return 2;
}
