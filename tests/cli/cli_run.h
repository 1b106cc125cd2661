#pragma once
// Runs quantscope-cli for the CLI tests and returns its exit status, stdout
// and (kept apart, merged into stdout, or dropped) stderr.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace qs::test {

inline std::filesystem::path cliBinary() {
  // QS_TEST_OUT_DIR is <build>/tests/out; the CLI is <build>/app/quantscope-cli.
  return std::filesystem::path(QS_TEST_OUT_DIR).parent_path().parent_path() / "app" / "quantscope-cli";
}

enum class Stderr { Separate, Merged, Dropped };

struct CliRun {
  int status = -1;
  std::string out, err; // err only with Stderr::Separate
};

inline CliRun runCli(const std::string& args, Stderr mode = Stderr::Separate) {
  // One stderr file per test process: the CLI tests run in parallel.
  const std::string errPath =
      std::string(QS_TEST_OUT_DIR) + "/cli_stderr_" + std::to_string(getpid()) + ".txt";
  const std::string redirect = mode == Stderr::Merged    ? " 2>&1"
                               : mode == Stderr::Dropped ? " 2>/dev/null"
                                                         : " 2>" + errPath;
  const std::string cmd = cliBinary().string() + " " + args + redirect;
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p)
    return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0)
    r.out.append(buf.data(), n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  if (mode == Stderr::Separate) {
    std::ifstream e(errPath);
    r.err.assign(std::istreambuf_iterator<char>(e), {});
  }
  return r;
}

} // namespace qs::test
