// readImatrix: both forms llama-imatrix writes, checked value for value
// against what llama-quantize loads (NumPy reference), and the broken files.
#include "core/io/imatrix.h"
#include "io_test_util.h"

using namespace qs;
using namespace qs::test;

namespace {

namespace fs = std::filesystem;

fs::path fixtures() {
  return generateFixtures("make_imatrix_fixtures.py", "imatrix");
}

nlohmann::json expected() {
  std::ifstream f(fixtures() / "expected.json");
  return nlohmann::json::parse(f);
}

void checkEntries(const Imatrix& m, const nlohmann::json& want) {
  ASSERT_EQ(m.entries.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const auto& w = want[i];
    const ImatrixEntry& e = m.entries[i];
    SCOPED_TRACE(e.name);
    EXPECT_EQ(e.name, w["name"].get<std::string>());
    EXPECT_EQ(e.columns, w["columns"].get<int64_t>());
    EXPECT_EQ(e.experts, w["experts"].get<int64_t>());
    EXPECT_EQ(e.calls, w["calls"].get<double>());
    EXPECT_EQ(e.counts, w["counts"].get<std::vector<double>>());
    const auto weights = w["weights"].get<std::vector<float>>();
    EXPECT_EQ(int64_t(e.weights.size()), e.columns * e.experts);
    EXPECT_TRUE(sameValues(e.weights, weights.data(), weights.size()));
    EXPECT_EQ(m.find(e.name), &e);
  }
  EXPECT_EQ(m.find("blk.9.nothing.weight"), nullptr);
}

TEST(Imatrix, GgufFormIsWhatLlamaQuantizeLoads) {
  const auto want = expected()["gguf"];
  const Imatrix m = readImatrix(fixtures() / "imatrix.gguf");
  EXPECT_EQ(m.form, "gguf");
  EXPECT_EQ(m.path, fixtures() / "imatrix.gguf");
  checkEntries(m, want["entries"]);
  EXPECT_EQ(m.datasets, want["datasets"].get<std::vector<std::string>>());
  EXPECT_EQ(m.chunks, 7);
  EXPECT_EQ(m.chunkSize, 512);
  // The 3-D expert entry: 4 experts of 8 columns; the expert that saw no token weighs 1.
  const ImatrixEntry* x = m.find("blk.0.ffn_up_exps.weight");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->experts, 4);
  EXPECT_EQ(x->columns, 8);
  EXPECT_EQ(x->counts, (std::vector<double>{700, 300, 24, 0}));
  for (int j = 0; j < 8; ++j)
    EXPECT_EQ(x->weights[size_t(3 * 8 + j)], 1.0f);
  EXPECT_EQ(x->calls, 700);
}

TEST(Imatrix, LegacyFormIsWhatLlamaQuantizeLoads) {
  const auto want = expected()["dat"];
  const Imatrix m = readImatrix(fixtures() / "imatrix.dat");
  EXPECT_EQ(m.form, "dat");
  checkEntries(m, want["entries"]);
  EXPECT_EQ(m.datasets, (std::vector<std::string>{"calibration/wiki.train.raw"}));
  EXPECT_EQ(m.chunks, 7);
  EXPECT_EQ(m.chunkSize, 0);
  // The expert entry is one row of 4 × 8 values in this form.
  const ImatrixEntry* x = m.find("blk.0.ffn_up_exps.weight");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->experts, 1);
  EXPECT_EQ(x->columns, 32);

  const Imatrix old = readImatrix(fixtures() / "no_trailer.dat");
  checkEntries(old, want["entries"]);
  EXPECT_TRUE(old.datasets.empty());
  EXPECT_EQ(old.chunks, 0);
}

TEST(Imatrix, ZeroCountsAsLlamaQuantize) {
  // Legacy ncall 0: the values as stored.
  const Imatrix legacy = readImatrix(fixtures() / "ncall_zero.dat");
  ASSERT_EQ(legacy.entries.size(), 1u);
  EXPECT_EQ(legacy.entries[0].name, "w.abc");
  const auto want = expected()["ncall_zero"]["weights"].get<std::vector<float>>();
  EXPECT_TRUE(sameValues(legacy.entries[0].weights, want.data(), want.size()));
  EXPECT_EQ(legacy.entries[0].calls, 0);
  // GGUF count 0: every column weighs 1.
  const Imatrix gguf = readImatrix(fixtures() / "zero_count.gguf");
  ASSERT_EQ(gguf.entries.size(), 1u);
  EXPECT_EQ(gguf.entries[0].weights, std::vector<float>(4, 1.0f));
  EXPECT_EQ(gguf.entries[0].counts, std::vector<double>{0});
}

TEST(Imatrix, FromBytesAsFromTheFile) {
  const std::string dat = readFile(fixtures() / "imatrix.dat");
  const Imatrix m = readImatrixBytes(std::vector<uint8_t>(dat.begin(), dat.end()), "<test>");
  checkEntries(m, expected()["dat"]["entries"]);
  const std::string gguf = readFile(fixtures() / "imatrix.gguf");
  const Imatrix g = readImatrixBytes(std::vector<uint8_t>(gguf.begin(), gguf.end()), "<test gguf>");
  checkEntries(g, expected()["gguf"]["entries"]);
  expectError([] { readImatrixBytes({1, 0, 0}, "<cut>"); }, "<cut>", "truncated imatrix entry count");
}

TEST(Imatrix, BrokenFilesSayWhatAndWhere) {
  const std::pair<const char*, const char*> cases[] = {
      {"bad_zero_entries.dat", "entry count 0 is impossible"},
      {"bad_negative_entries.dat", "entry count -3 is impossible"},
      {"bad_huge_entries.dat", "entry count 2147483647 is impossible"},
      {"bad_negative_name.dat", "entry 1 of 1: name length -5 is impossible"},
      {"bad_huge_name.dat", "entry 1 of 1: name length 1073741824 is impossible"},
      {"bad_nul_name.dat", "entry 1 of 1: the name holds a NUL byte"},
      {"bad_negative_ncall.dat", "entry 1 of 1 ('a.weight'): negative call count -1"},
      {"bad_zero_nval.dat", "entry 1 of 1 ('a.weight'): value count 0 must be at least 1"},
      {"bad_huge_nval.dat", "the file ends within entry 1 of 1 ('a.weight'): 268435456 values need"},
      {"bad_nan_value.dat", "entry 1 of 1 ('a.weight'): value 1 is nan"},
      {"bad_negative_value.dat", "entry 1 of 1 ('a.weight'): value 1 is -2"},
      {"bad_duplicate.dat", "entry 2 of 2 ('a.weight'): the name appears twice"},
      {"bad_truncated_values.dat",
       "the file ends within entry 8 of 8 ('output.weight'): 16 values need 64 bytes"},
      {"bad_truncated_header.dat",
       "the file ends within entry 8 of 8 ('output.weight'), before its call count"},
      {"bad_truncated_trailer.dat", "the file ends within the chunk count and dataset name"},
      {"bad_trailer_length.dat", "dataset name length 1000 exceeds the 3 bytes left"},
      {"bad_trailing_bytes.dat", "3 unexpected bytes after the dataset name"},
      {"bad_empty.dat", "the file is empty, not an imatrix"},
      {"bad_no_counts.gguf", "imatrix entry 'a.weight': has .in_sum2 but no .counts"},
      {"bad_no_sums.gguf", "imatrix entry 'a.weight': has .counts but no .in_sum2"},
      {"bad_counts_size.gguf", "counts shape [3, 1] does not give one count per each of the 2 matrices"},
      {"bad_f16.gguf", "in_sum2 and counts must be F32, found F16 and F32"},
      {"bad_3d.gguf", "in_sum2 must have 1 or 2 dimensions (ne [n, n_mat]), found [2, 1, 2]"},
      {"bad_negative_count.gguf", "imatrix entry 'a.weight': count 0 is -2"},
      {"bad_fraction_count.gguf",
       "imatrix entry 'a.weight': count 0 is 0.000000 (a number of tokens: a whole number"},
      {"bad_nan_sum.gguf", "imatrix entry 'a.weight': in_sum2 value 1 is nan"},
      {"bad_no_metadata.gguf", "missing imatrix metadata 'imatrix.datasets'"},
      {"bad_chunk_type.gguf", "'imatrix.chunk_count' must be a non-negative integer, found 'seven'"},
      {"bad_model.gguf", "this GGUF file is not an imatrix"},
      {"bad_empty.gguf", "the GGUF file holds no tensors"},
  };
  for (const auto& [file, fragment] : cases) {
    SCOPED_TRACE(file);
    const fs::path p = fixtures() / file;
    expectError([&] { readImatrix(p); }, p.string(), fragment);
  }
  expectError([] { readImatrix(fixtures() / "absent.dat"); }, (fixtures() / "absent.dat").string(), "");
  expectError([] { readImatrix(fixtures()); }, fixtures().string(), "is a folder, not an imatrix file");
}

} // namespace
