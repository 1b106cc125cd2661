#pragma once
// Helpers for the layer tests: raw arrays to and from files and a run of
// tests/data/layer_refs.py (the PyTorch references) with /usr/bin/python3.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace qs::layertest {

inline std::string outPath(const std::string& name) {
  const auto dir = std::filesystem::path(QS_TEST_OUT_DIR) / "layer";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

template <class T> void writeRaw(const std::string& path, const std::vector<T>& v) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * sizeof(T)));
}

template <class T> std::vector<T> readRaw(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  const auto bytes = f.tellg();
  std::vector<T> v(size_t(bytes) / sizeof(T));
  f.seekg(0);
  f.read(reinterpret_cast<char*>(v.data()), std::streamsize(v.size() * sizeof(T)));
  return v;
}

// Runs layer_refs.py with `args`; a failure (missing torch) fails the test.
inline void runRef(const std::string& args) {
  const std::string cmd = std::string(QS_PYTHON) + " " + QS_SOURCE_DIR + "/tests/data/layer_refs.py " + args;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

} // namespace qs::layertest
