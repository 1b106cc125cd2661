// TensorSource::readWithProgress: npz members report bytes inflated as they
// inflate in chunks (deflated and stored), HDF5 reports its hyperslab chunks,
// cheap-row readers (npy) are read in row chunks, others report once. Values
// equal NumPy's and plain read()'s; cancel stops mid-read; bad data is a
// qs::Error.
#include "io_test_util.h"

using namespace qs;
using namespace qs::test;

namespace {

class ReadProgress : public ::testing::Test {
protected:
  static void SetUpTestSuite() { dir_ = generateFixtures("make_progress_fixtures.py", "progress"); }
  static std::filesystem::path dir_;
};
std::filesystem::path ReadProgress::dir_;

// Reads `name` with progress and checks the reports: in (0, 1], strictly
// increasing, the last exactly 1. Returns the tensor; `reports` gets them.
Tensor readChecked(const TensorSource& src, const std::string& name, std::vector<double>& reports) {
  reports.clear();
  Tensor t = src.readWithProgress(name, nullptr, [&](double f) { reports.push_back(f); });
  EXPECT_FALSE(reports.empty());
  double last = 0;
  for (double f : reports) {
    EXPECT_GT(f, last);
    EXPECT_LE(f, 1.0);
    last = f;
  }
  EXPECT_EQ(last, 1.0);
  return t;
}

TEST_F(ReadProgress, DeflatedNpzReportsInflatedBytesAndMatchesNumpy) {
  auto src = openTensorFile(dir_ / "deflated.npz");
  ASSERT_EQ(src->find("w")->metadata.at("compression"), "deflate");
  std::vector<double> reports;
  const Tensor w = readChecked(*src, "w", reports);
  // The 128-byte .npy header, then 4 MiB chunks of the 8 MiB payload: one
  // report between chunks, then 1 once all is read and the CRC checked.
  const double member = 128.0 + double(w.numel()) * 4;
  EXPECT_EQ(reports, (std::vector<double>{(128.0 + double(4 << 20)) / member, 1.0}));
  const std::vector<float> wantW = readF32(dir_ / "w.f32");
  EXPECT_EQ(w.shape, (Shape{1024, 2048}));
  EXPECT_TRUE(sameValues(w.values, wantW.data(), wantW.size()));

  const Tensor h = readChecked(*src, "h", reports);
  EXPECT_EQ(reports, (std::vector<double>{1.0})); // 4 MiB of float16: a single chunk
  const std::vector<float> wantH = readF32(dir_ / "h.f32");
  EXPECT_EQ(h.storedDtype, "float16");
  EXPECT_TRUE(sameValues(h.values, wantH.data(), wantH.size()));

  // read() and readRows take the same path without reports.
  EXPECT_TRUE(sameValues(src->read("w").values, wantW.data(), wantW.size()));
  const Tensor rows = src->readRows("h", {1000, 1003});
  EXPECT_TRUE(sameValues(rows.values, wantH.data() + 1000 * 1024, 3 * 1024));
}

TEST_F(ReadProgress, NpzRowSlicesAcrossChunkBoundaries) {
  auto src = openTensorFile(dir_ / "deflated.npz");
  // w: 512 rows per 4 MiB chunk, inflated straight into the tensor where a
  // chunk is wanted whole; d: big-endian float64, converted chunk by chunk.
  const std::vector<float> wantW = readF32(dir_ / "w.f32");
  const std::vector<float> wantD = readF32(dir_ / "d.f32");
  for (RowSlice s : {RowSlice{0, 1}, RowSlice{500, 1020}, RowSlice{511, 513}, RowSlice{512, 1024},
                     RowSlice{1023, 1024}, RowSlice{7, 7}}) {
    SCOPED_TRACE(std::to_string(s.begin) + ".." + std::to_string(s.end));
    EXPECT_TRUE(sameValues(src->readRows("w", s).values, wantW.data() + s.begin * 2048,
                           size_t(s.end - s.begin) * 2048));
    EXPECT_TRUE(sameValues(src->readRows("d", s).values, wantD.data() + s.begin * 1024,
                           size_t(s.end - s.begin) * 1024));
  }
  std::vector<double> reports;
  const Tensor d = readChecked(*src, "d", reports);
  EXPECT_EQ(d.storedDtype, "float64");
  EXPECT_EQ(reports.size(), 2u);
  EXPECT_TRUE(sameValues(d.values, wantD.data(), wantD.size()));
}

TEST_F(ReadProgress, StoredNpzReportsToo) {
  auto src = openTensorFile(dir_ / "stored.npz");
  ASSERT_EQ(src->find("w")->metadata.at("compression"), "stored");
  std::vector<double> reports;
  const Tensor w = readChecked(*src, "w", reports);
  EXPECT_EQ(reports.size(), 2u);
  const std::vector<float> want = readF32(dir_ / "w.f32");
  EXPECT_TRUE(sameValues(w.values, want.data(), want.size()));
}

TEST_F(ReadProgress, CancelStopsAnNpzReadBetweenChunks) {
  auto src = openTensorFile(dir_ / "deflated.npz");
  std::atomic<bool> cancel{false};
  std::vector<double> reports;
  EXPECT_THROW(src->readWithProgress("w", &cancel,
                                     [&](double f) {
                                       reports.push_back(f);
                                       cancel.store(true); // the user presses Cancel after the first chunk
                                     }),
               Cancelled);
  EXPECT_EQ(reports.size(), 1u);
  EXPECT_LT(reports[0], 0.51); // header and the first 4 MiB of 8
  // The archive is left usable: the next read is complete and exact.
  const std::vector<float> want = readF32(dir_ / "w.f32");
  EXPECT_TRUE(sameValues(src->read("w").values, want.data(), want.size()));
  cancel.store(true);
  EXPECT_THROW(src->readWithProgress("h", &cancel, {}), Cancelled);
}

TEST_F(ReadProgress, CorruptDeflateDataIsAnError) {
  std::ifstream in(dir_ / "deflated.npz", std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The member 'w' comes first: flip bits 1000 bytes into its compressed
  // data, which starts after the 30-byte local header, the name and the extra
  // field (the zip directory stays intact).
  auto u16 = [&](size_t at) { return size_t(uint8_t(bytes[at])) | size_t(uint8_t(bytes[at + 1])) << 8; };
  ASSERT_EQ(std::string(bytes.data() + 30, u16(26)), "w.npy");
  const size_t at = 30 + u16(26) + u16(28) + 1000;
  bytes[at] ^= 0x5a;
  bytes[at + 1] ^= 0xa5;
  const auto path = outDir("progress") / "corrupt.npz";
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
  auto src = openTensorFile(path);
  std::vector<double> reports;
  try {
    src->readWithProgress("w", nullptr, [&](double f) { reports.push_back(f); });
    FAIL() << "corrupt data was read without an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("member 'w.npy'"), std::string::npos)
        << e.what(); // CRC or zlib error
  }
  EXPECT_TRUE(reports.empty() || reports.back() < 1.0); // never claims to have finished
  expectError([&] { src->readWithProgress("nope", nullptr, {}); }, path.string(), "no tensor named 'nope'");
}

TEST_F(ReadProgress, CheapRowReadersReadInRowChunks) {
  auto src = openTensorFile(dir_ / "big.npy");
  ASSERT_TRUE(src->readsRowsCheaply());
  std::vector<double> reports;
  const Tensor chunked = readChecked(*src, "big", reports);
  EXPECT_EQ(reports, (std::vector<double>{0.25, 0.5, 0.75, 1.0})); // 16 MiB of float32 per chunk
  const Tensor whole = src->read("big");
  EXPECT_EQ(chunked.shape, whole.shape);
  EXPECT_EQ(chunked.storedDtype, "float16");
  EXPECT_TRUE(sameValues(chunked.values, whole.values.data(), whole.values.size()));
}

TEST_F(ReadProgress, OtherReadersReportOnce) {
  auto src = openTensorFile(dir_ / "fortran.npy");
  ASSERT_FALSE(src->readsRowsCheaply());
  std::vector<double> reports;
  const Tensor t = readChecked(*src, "fortran", reports);
  EXPECT_EQ(reports, (std::vector<double>{1.0}));
  const Tensor whole = src->read("fortran");
  EXPECT_TRUE(sameValues(t.values, whole.values.data(), whole.values.size()));
}

TEST_F(ReadProgress, Hdf5ReportsItsHyperslabChunks) {
  auto src = openTensorFile(dir_ / "big.h5");
  std::vector<double> reports;
  const Tensor t = readChecked(*src, "x", reports);
  EXPECT_EQ(reports, (std::vector<double>{2.0 / 3.0, 1.0})); // 2048 rows of 8 KiB, then 1024
  const Tensor whole = src->read("x");
  EXPECT_TRUE(sameValues(t.values, whole.values.data(), whole.values.size()));
  std::atomic<bool> cancel{false};
  EXPECT_THROW(src->readWithProgress("x", &cancel, [&](double) { cancel.store(true); }), Cancelled);
}

} // namespace
