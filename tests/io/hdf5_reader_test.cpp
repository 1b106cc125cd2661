#include "io_test_util.h"

#include <thread>

using namespace qs;
using namespace qs::test;

namespace {

class Hdf5Fixtures : public ::testing::Test {
protected:
  static void SetUpTestSuite() { dir_ = generateFixtures("make_hdf5_fixtures.py", "hdf5"); }
  static std::filesystem::path dir_;
};
std::filesystem::path Hdf5Fixtures::dir_;

TEST_F(Hdf5Fixtures, EveryDatasetMatchesH5py) {
  checkManifest(dir_, "hdf5");
}

TEST_F(Hdf5Fixtures, AttributesChunksAndSkippedDatasets) {
  auto src = openTensorFile(dir_ / "nested.h5");
  const TensorEntry* w = src->find("encoder/layer0/weight");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->metadata.at("units"), "none");
  EXPECT_EQ(w->metadata.at("fan_in"), "48");
  EXPECT_EQ(w->metadata.at("hdf5 chunks"), "[16, 16]");
  EXPECT_EQ(w->metadata.at("hdf5 filters"), "gzip(6)");
  EXPECT_LT(w->bytes, 64u * 48 * 4); // on-disk size: gzip shrinks the exponent bytes a little
  EXPECT_EQ(src->find("labels"), nullptr);
  EXPECT_EQ(src->fileMetadata().at("skipped datasets (not numeric)"), "[labels]");
  EXPECT_EQ(src->find("bigendian")->metadata.at("byte order"), "big-endian");
}

TEST_F(Hdf5Fixtures, ConcurrentReadsAreSerialisedSafely) {
  auto src = openTensorFile(dir_ / "nested.h5");
  Tensor ref = src->read("all_half");
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      for (int k = 0; k < 5; ++k) {
        Tensor t = src->readRows("all_half", {k * 10, k * 10 + 50});
        for (size_t j = 0; j < t.values.size(); ++j)
          if (bits(t.values[j]) != bits(ref.values[size_t(k * 10 * 256) + j]) &&
              !(std::isnan(t.values[j]) && std::isnan(ref.values[size_t(k * 10 * 256) + j])))
            ++mismatches;
      }
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_F(Hdf5Fixtures, CancelStopsARead) {
  auto src = openTensorFile(dir_ / "nested.h5");
  std::atomic<bool> cancel{true};
  EXPECT_THROW(src->read("all_half", &cancel), Cancelled);
}

TEST(Hdf5Bad, TruncatedFile) {
  auto dir = generateFixtures("make_hdf5_fixtures.py", "hdf5");
  std::string bytes = readFile(dir / "nested.h5");
  auto p = outDir("bad") / "truncated.h5";
  writeFile(p, bytes.substr(0, 3000));
  expectError([&] { openTensorFile(p); }, p.string(), "HDF5");
}

TEST(Hdf5Bad, ExtensionWithoutHdf5) {
  auto p = outDir("bad") / "not_really.h5";
  writeFile(p, "just text");
  expectError([&] { openTensorFile(p); }, p.string(), "not an HDF5 file");
}

} // namespace

namespace {

// A dataset may declare 2^40 elements without storing any (HDF5 fill
// values): listing works, reading is refused before allocating.
TEST(Hdf5Bad, HugeUnallocatedDatasetIsRefusedOnRead) {
  auto p = outDir("bad") / "huge_unallocated.h5";
  ASSERT_EQ(runPython("-c \"import h5py,sys; f=h5py.File(sys.argv[1],'w'); "
                      "f.create_dataset('big', shape=(2**40,), dtype='f4', chunks=(2**20,)); f.close()\" " +
                      p.string()),
            0);
  auto src = openTensorFile(p);
  ASSERT_NE(src->find("big"), nullptr);
  EXPECT_EQ(src->find("big")->shape, (Shape{int64_t(1) << 40}));
  expectError([&] { src->read("big"); }, p.string(), "do not fit in memory");
  Tensor part = src->readRows("big", {5, 9}); // a hyperslab of fill values is fine
  EXPECT_EQ(part.values, std::vector<float>(4, 0.0f));
}

} // namespace
