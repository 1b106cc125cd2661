#pragma once
// Helpers for the reader tests: run a committed fixture generator with
// /usr/bin/python3 and compare every tensor a manifest lists, value for value.
#include "core/error.h"
#include "core/io/tensor_source.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace qs::test {

inline std::filesystem::path outDir(const std::string& sub) {
  auto p = std::filesystem::path(QS_TEST_OUT_DIR) / sub;
  std::filesystem::create_directories(p);
  return p;
}

// Runs tests/data/<script> OUT_DIR; a missing Python package is a failure.
// Runs once per test process for each (script, sub).
inline std::filesystem::path generateFixtures(const std::string& script, const std::string& sub) {
  auto dir = outDir(sub);
  static std::set<std::string> done;
  if (!done.insert(script + "|" + sub).second)
    return dir;
  std::string cmd =
      std::string(QS_PYTHON) + " " + QS_SOURCE_DIR + "/tests/data/" + script + " " + dir.string();
  int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << "fixture generator failed: " << cmd;
  if (rc != 0)
    throw std::runtime_error("fixture generator failed: " + cmd);
  return dir;
}

inline int runPython(const std::string& args) {
  std::string cmd = std::string(QS_PYTHON) + " " + args;
  return std::system(cmd.c_str());
}

inline std::vector<float> readF32(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::vector<char> raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<float> v(raw.size() / 4);
  std::memcpy(v.data(), raw.data(), v.size() * 4);
  return v;
}

inline uint32_t bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

// Bit-exact comparison; any NaN equals any NaN.
inline ::testing::AssertionResult sameValues(const std::vector<float>& got, const float* want, size_t n) {
  if (got.size() != n)
    return ::testing::AssertionFailure() << "size " << got.size() << " != " << n;
  for (size_t i = 0; i < n; ++i) {
    if (std::isnan(got[i]) && std::isnan(want[i]))
      continue;
    if (bits(got[i]) != bits(want[i]))
      return ::testing::AssertionFailure() << "element " << i << ": got " << got[i] << " want " << want[i];
  }
  return ::testing::AssertionSuccess();
}

inline nlohmann::json loadManifest(const std::filesystem::path& dir) {
  std::ifstream f(dir / "manifest.json");
  return nlohmann::json::parse(f);
}

// Opens every file of the manifest and checks listing, full reads and a row slice.
inline void checkManifest(const std::filesystem::path& dir, const std::string& expectFormat) {
  auto manifest = loadManifest(dir);
  ASSERT_FALSE(manifest["files"].empty());
  for (const auto& file : manifest["files"]) {
    const auto path = dir / file["file"].get<std::string>();
    SCOPED_TRACE(path.string());
    std::unique_ptr<TensorSource> src;
    try {
      src = openTensorFile(path);
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
    // An empty expectFormat takes each file's "format" from the manifest.
    EXPECT_EQ(src->formatName(), expectFormat.empty() ? file["format"].get<std::string>() : expectFormat);
    EXPECT_EQ(src->list().size(), file["tensors"].size());
    for (const auto& t : file["tensors"]) {
      const std::string name = t["name"];
      SCOPED_TRACE(name);
      const TensorEntry* e = src->find(name);
      ASSERT_NE(e, nullptr) << "tensor missing from the listing";
      EXPECT_EQ(e->shape, t["shape"].get<Shape>());
      EXPECT_EQ(e->storedDtype, t["dtype"].get<std::string>());
      auto want = readF32(dir / t["expected"].get<std::string>());
      Tensor got = src->read(name);
      EXPECT_EQ(got.shape, t["shape"].get<Shape>());
      EXPECT_EQ(got.name, name);
      if (t.contains("expected_alt")) {
        // Either rounding of x*d + m (separate or fused) is llama.cpp's result.
        auto alt = readF32(dir / t["expected_alt"].get<std::string>());
        ASSERT_EQ(got.values.size(), want.size());
        for (size_t i = 0; i < want.size(); ++i)
          if (bits(got.values[i]) != bits(want[i]) && bits(got.values[i]) != bits(alt[i]))
            ADD_FAILURE() << "element " << i << ": got " << got.values[i] << " want " << want[i] << " or "
                          << alt[i];
      } else {
        EXPECT_TRUE(sameValues(got.values, want.data(), want.size()));
      }
      if (!got.shape.empty() && got.shape[0] >= 2) {
        const int64_t rows = got.shape[0];
        const size_t per = want.size() / size_t(rows);
        RowSlice s{1, rows == 2 ? 2 : rows - 1};
        Tensor part = src->readRows(name, s);
        EXPECT_EQ(part.shape[0], s.end - s.begin);
        if (!t.contains("expected_alt"))
          EXPECT_TRUE(
              sameValues(part.values, want.data() + per * size_t(s.begin), per * size_t(s.end - s.begin)));
        else
          EXPECT_EQ(part.values, std::vector<float>(got.values.begin() + std::ptrdiff_t(per) * s.begin,
                                                    got.values.begin() + std::ptrdiff_t(per) * s.end));
      }
    }
    auto meta = src->fileMetadata();
    for (const auto& [k, v] : file["metadata"].items()) {
      ASSERT_TRUE(meta.count(k)) << "metadata key " << k;
      EXPECT_EQ(meta[k], v.get<std::string>()) << "metadata key " << k;
    }
  }
}

// Expects openTensorFile (or `fn`) to throw qs::Error whose message names `path`
// and contains `fragment`.
template <typename Fn> void expectError(Fn&& fn, const std::string& path, const std::string& fragment) {
  try {
    fn();
    ADD_FAILURE() << "no error for " << path;
  } catch (const qs::Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << "message does not name the file: " << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << "expected '" << fragment << "' in: " << msg;
  }
}

inline void writeFile(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), std::streamsize(bytes.size()));
}

inline std::string readFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

} // namespace qs::test
