#include "io_test_util.h"

#include <chrono>
#include <fcntl.h>
#include <unistd.h>

using namespace qs;
using namespace qs::test;

namespace {

TEST(Safetensors, EveryDtypeMatchesNumpyAndTorch) {
  auto dir = generateFixtures("make_safetensors_fixtures.py", "safetensors");
  checkManifest(dir, "safetensors");
}

TEST(Safetensors, MetadataAndListingDoNotNeedData) {
  auto dir = generateFixtures("make_safetensors_fixtures.py", "safetensors");
  auto src = openTensorFile(dir / "all_dtypes.safetensors");
  EXPECT_EQ(src->fileMetadata().at("format"), "pt");
  const TensorEntry* e = src->find("bf16");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->bytes, 5u * 7 * 2);
  EXPECT_EQ(src->list().front().name, "model.layers.0.weight"); // file order is kept
}

long rssKiB() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return -1;
}

// A 15 GB sparse file (holes read as zeros): listing must touch only the
// header, so it is fast and costs no memory.
TEST(Safetensors, ListingAFileLargerThanRamIsFastAndSmall) {
  auto path = outDir("safetensors") / "sparse_15g.safetensors";
  const int tensors = 448;
  const uint64_t each = 4096ull * 4096 * 2;
  std::string header = "{\"__metadata__\":{\"format\":\"pt\"}";
  for (int i = 0; i < tensors; ++i)
    header += ",\"model.layers." + std::to_string(i) +
              ".weight\":{\"dtype\":\"BF16\",\"shape\":[4096,4096]," + "\"data_offsets\":[" +
              std::to_string(i * each) + "," + std::to_string((i + 1) * each) + "]}";
  header += "}";
  std::string prefix(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i)
    prefix[size_t(i)] = char((n >> (8 * i)) & 0xff);
  writeFile(path, prefix + header);
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, off_t(8 + n + tensors * each)), 0);
  ::close(fd);

  const long rssBefore = rssKiB();
  auto t0 = std::chrono::steady_clock::now();
  auto src = openTensorFile(path);
  const auto& entries = src->list();
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const long rssAfter = rssKiB();
  ASSERT_EQ(entries.size(), size_t(tensors));
  EXPECT_EQ(entries[447].shape, (Shape{4096, 4096}));
  EXPECT_LT(ms, 200.0);
  EXPECT_LT(rssAfter, 200 * 1024);
  EXPECT_LT(rssAfter - rssBefore, 50 * 1024);
  std::cout << "listing 15 GB sparse safetensors: " << ms << " ms, RSS " << rssAfter / 1024 << " MiB\n";
  // A row slice deep inside reads only its pages.
  Tensor rows = src->readRows("model.layers.400.weight", {100, 102});
  EXPECT_EQ(rows.values.size(), 2u * 4096);
  EXPECT_EQ(rows.values[17], 0.0f);
  src.reset();
  std::filesystem::remove(path);
}

} // namespace
