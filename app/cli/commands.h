#pragma once
// The subcommands of quantscope-cli. Each is a function from its arguments
// (after the subcommand name) to an exit code; qs::Error escaping it becomes
// "quantscope-cli: error: ..." and exit code 2 (main.cpp). Adding a command =
// one function here and one row in kCommands (main.cpp).
#include <string>
#include <vector>

namespace qs::cli {

using Args = std::vector<std::string>;

int runQuantize(const Args& args);
int runSweep(const Args& args);
int runDemo(const Args& args);
int runFormats(const Args& args);
int runList(const Args& args);  // list_command.cpp
int runLayer(const Args& args); // layer_command.cpp
int runScan(const Args& args);  // scan_command.cpp
int runPlan(const Args& args);  // plan_command.cpp

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const Args&);
};

const std::vector<Command>& commands();

} // namespace qs::cli
