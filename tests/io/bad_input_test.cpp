// The bad-input corpus: one test per hostile or broken file. Each must give a
// qs::Error whose message names the file (and says what was wrong), never a
// crash. Files are written to QS_TEST_OUT_DIR/bad by the tests themselves
// (zip-based ones by tests/data/make_bad_zips.py).
#include "core/io/npy_format.h"
#include "io_test_util.h"

using namespace qs;
using namespace qs::test;

namespace {

std::filesystem::path badDir() {
  return outDir("bad");
}

std::filesystem::path put(const std::string& name, const std::string& bytes) {
  auto p = badDir() / name;
  writeFile(p, bytes);
  return p;
}

void expectOpenError(const std::filesystem::path& p, const std::string& fragment) {
  expectError([&] { openTensorFile(p)->list(); }, p.string(), fragment);
}

// Opens fine but reading `tensor` must fail.
void expectReadError(const std::filesystem::path& p, const std::string& tensor, const std::string& fragment) {
  auto src = openTensorFile(p);
  expectError([&] { src->read(tensor); }, p.string(), fragment);
}

std::string le64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i)
    s[size_t(i)] = char((v >> (8 * i)) & 0xff);
  return s;
}

// ---- .npy ---------------------------------------------------------------

std::string npy(const std::string& dict, const std::string& payload, int version = 1) {
  std::string h = dict;
  const size_t fixed = version == 1 ? 10 : 12;
  while ((fixed + h.size() + 1) % 64)
    h += ' ';
  h += '\n';
  std::string s = "\x93NUMPY";
  s += char(version);
  s += '\0';
  if (version == 1) {
    s += char(h.size() & 0xff);
    s += char(h.size() >> 8);
  } else {
    for (int i = 0; i < 4; ++i)
      s += char((h.size() >> (8 * i)) & 0xff);
  }
  return s + h + payload;
}

const std::string kF4x2 = std::string(8, '\0');

TEST(BadNpy, TruncatedMagic) {
  expectOpenError(put("truncated_magic.npy", "\x93NUM"), "truncated");
}

TEST(BadNpy, NotNumpyAtAllShowsItsFirstBytes) {
  // A zip (say, a PyTorch checkpoint renamed .npy) handed to the .npy parser:
  // what the file starts with, not a byte offset inside a magic it never had.
  const std::string zip("PK\x03\x04\x14\x00\x00\x00\x08\x00", 10);
  const std::vector<uint8_t> bytes(zip.begin(), zip.end());
  try {
    parseNpyHeader(bytes, "w.npy");
    FAIL() << "parsed a zip as .npy";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "w.npy: not a NumPy .npy file (its first bytes are 'PK\\x03\\x04\\x14\\x00\\x00\\x00'...)");
  }
  expectOpenError(put("text.npy", "hello, world"),
                  "not a NumPy .npy file (its first bytes are 'hello, w'...)");
}

TEST(BadNpy, UnknownVersion) {
  auto s = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", kF4x2);
  s[6] = 9;
  expectOpenError(put("version9.npy", s), "unsupported .npy version 9");
}

TEST(BadNpy, HeaderLengthBeyondFile) {
  auto s = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", kF4x2);
  s[8] = char(0xff);
  s[9] = char(0xff);
  expectOpenError(put("lying_header_len.npy", s), "header length 65535 exceeds");
}

TEST(BadNpy, UnterminatedTuple) {
  expectOpenError(
      put("unterminated.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, }", kF4x2)),
      "malformed .npy header");
}

TEST(BadNpy, ExtraKey) {
  expectOpenError(
      put("extra_key.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': True}", kF4x2)),
      "expected exactly the keys");
}

TEST(BadNpy, UnknownDtype) {
  expectOpenError(put("complex.npy", npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", kF4x2)),
                  "unsupported .npy dtype '<c8'");
}

TEST(BadNpy, StructuredDtype) {
  expectOpenError(
      put("structured.npy", npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", kF4x2)),
      "structured dtypes are not supported");
}

TEST(BadNpy, PayloadShorterThanShape) {
  expectOpenError(
      put("short.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000,), }", kF4x2)),
      "the header describes 4000 bytes");
}

TEST(BadNpy, DimsOverflowSizeT) {
  expectOpenError(put("overflow.npy", npy("{'descr': '<f8', 'fortran_order': False, "
                                          "'shape': (4294967296, 4294967296, 16), }",
                                          kF4x2)),
                  "too many elements");
}

TEST(BadNpy, DimsOverflowBytes) {
  expectOpenError(put("overflow_bytes.npy", npy("{'descr': '<f8', 'fortran_order': False, "
                                                "'shape': (4611686018427387904,), }",
                                                kF4x2)),
                  "too many elements");
}

TEST(BadNpy, NegativeDimension) {
  expectOpenError(
      put("negative.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", kF4x2)),
      "expected a non-negative integer dimension");
}

TEST(BadNpy, HugeDimensionDigits) {
  expectOpenError(
      put("huge_digits.npy",
          npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", kF4x2)),
      "dimension too large");
}

TEST(BadNpy, EmptyFileWithNpyExtension) {
  expectOpenError(put("empty.npy", ""), "truncated");
}

// ---- .npz / zip -----------------------------------------------------------

class BadZip : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir_ = outDir("bad/zip");
    ASSERT_EQ(runPython(std::string(QS_SOURCE_DIR) + "/tests/data/make_bad_zips.py " + dir_.string()), 0);
  }
  static std::filesystem::path dir_;
};
std::filesystem::path BadZip::dir_;

TEST_F(BadZip, ZipBombIsRefusedBeforeAllocating) {
  expectOpenError(dir_ / "bomb.npz", "zip bomb");
}
TEST_F(BadZip, MemberShorterThanHeader) {
  expectOpenError(dir_ / "short_member.npz", "the .npy header describes");
}
TEST_F(BadZip, CorruptCrc) {
  expectReadError(dir_ / "bad_crc.npz", "w", "CRC");
}
TEST_F(BadZip, TruncatedArchive) {
  expectOpenError(dir_ / "truncated.npz", "zip");
}
TEST_F(BadZip, PyTorchZipIsRefused) {
  expectOpenError(dir_ / "torch_zip.pt", "PyTorch zip checkpoint");
}
TEST_F(BadZip, RawPickleIsRefused) {
  expectOpenError(dir_ / "legacy.bin", "unpickling can run arbitrary code");
}
TEST_F(BadZip, ZipWithoutNpy) {
  expectOpenError(dir_ / "no_npy.npz", "no .npy members");
}

// ---- detection ------------------------------------------------------------

TEST(BadDetect, UnknownFormat) {
  expectOpenError(put("mystery.dat", "hello world, not a tensor"), "unrecognised");
}
TEST(BadDetect, EmptyUnknown) {
  expectOpenError(put("empty.dat", ""), "empty");
}
TEST(BadDetect, MissingFile) {
  expectOpenError(badDir() / "does_not_exist.npy", "no such file");
}
TEST(BadDetect, Directory) {
  expectOpenError(badDir(), "directory");
}
TEST(BadDetect, PtExtensionWithoutMagic) {
  expectOpenError(put("weights.pth", "xx"), "PyTorch pickle");
}

// ---- safetensors ----------------------------------------------------------

std::string st(const std::string& header, const std::string& data) {
  return le64(header.size()) + header + data;
}

TEST(BadSafetensors, Truncated) {
  expectOpenError(put("trunc.safetensors", "\x10\0\0"), "truncated");
}

TEST(BadSafetensors, HeaderLengthBeyondFile) {
  expectOpenError(put("lying_len.safetensors", le64(5000) + "{}"), "header length 5000 exceeds");
}

TEST(BadSafetensors, HeaderOver100MB) {
  expectOpenError(put("huge_len.safetensors", le64(200'000'000) + "{}"), "100 MB");
}

TEST(BadSafetensors, InvalidJson) {
  expectOpenError(put("badjson.safetensors", st("{\"a\":", "")), "not valid JSON");
}

TEST(BadSafetensors, NotAnObject) {
  expectOpenError(put("array.safetensors", st("[1,2,3]", "")), "JSON object");
}

TEST(BadSafetensors, OffsetsOutOfBounds) {
  expectOpenError(put("oob.safetensors",
                      st(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", std::string(8, 0))),
                  "outside the data buffer");
}

TEST(BadSafetensors, OverlappingOffsets) {
  expectOpenError(put("overlap.safetensors", st(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                                R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                                std::string(12, 0))),
                  "overlap");
}

TEST(BadSafetensors, GapBetweenTensors) {
  expectOpenError(put("gap.safetensors", st(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                            R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                                            std::string(12, 0))),
                  "gap");
}

TEST(BadSafetensors, TrailingBytesNotCovered) {
  expectOpenError(put("trailing.safetensors",
                      st(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", std::string(9, 0))),
                  "cover 4 bytes but the data buffer holds 9");
}

TEST(BadSafetensors, ShapeDoesNotMatchBytes) {
  expectOpenError(put("shape_bytes.safetensors",
                      st(R"({"a":{"dtype":"F16","shape":[3],"data_offsets":[0,4]}})", std::string(4, 0))),
                  "needs 6 bytes but data_offsets span 4");
}

TEST(BadSafetensors, UnknownDtype) {
  expectOpenError(put("dtype.safetensors",
                      st(R"({"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}})", std::string(8, 0))),
                  "unknown dtype 'C64'");
}

TEST(BadSafetensors, DimsOverflow) {
  expectOpenError(
      put("overflow.safetensors",
          st(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,0]}})", "")),
      "too many elements");
}

TEST(BadSafetensors, BytesOverflow) {
  expectOpenError(put("overflow_bytes.safetensors",
                      st(R"({"a":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,0]}})", "")),
                  "too many elements");
}

TEST(BadSafetensors, NegativeDimension) {
  expectOpenError(
      put("negdim.safetensors", st(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}})", "")),
      "non-negative integers");
}

TEST(BadSafetensors, MissingField) {
  expectOpenError(put("missing.safetensors", st(R"({"a":{"dtype":"F32","shape":[1]}})", std::string(4, 0))),
                  "data_offsets");
}

TEST(BadSafetensors, MetadataNotStrings) {
  expectOpenError(put("meta.safetensors", st(R"({"__metadata__":{"k":1}})", "")), "must be a string");
}

} // namespace

// ---- GGUF -----------------------------------------------------------------

namespace gguf {
std::string u32(uint32_t v) {
  return le64(v).substr(0, 4);
}
std::string str(const std::string& s) {
  return le64(s.size()) + s;
}
std::string header(uint64_t tensors, uint64_t kvs, uint32_t version = 3) {
  return "GGUF" + u32(version) + le64(tensors) + le64(kvs);
}
// One tensor info: name, dims (innermost first), type, offset.
std::string info(const std::string& name, std::vector<uint64_t> ne, uint32_t type, uint64_t offset) {
  std::string s = str(name) + u32(uint32_t(ne.size()));
  for (auto n : ne)
    s += le64(n);
  return s + u32(type) + le64(offset);
}
std::string pad(std::string s) {
  while (s.size() % 32)
    s += '\0';
  return s;
}
} // namespace gguf

TEST(BadGguf, Truncated) {
  expectOpenError(put("trunc.gguf", "GGUF\3\0"), "truncated");
}

TEST(BadGguf, UnsupportedVersion) {
  expectOpenError(put("v1.gguf", gguf::header(0, 0, 1)), "unsupported GGUF version 1");
}

TEST(BadGguf, AbsurdTensorCount) {
  expectOpenError(put("count.gguf", gguf::header(1ull << 60, 0)), "tensor count");
}

TEST(BadGguf, AbsurdKvCount) {
  expectOpenError(put("kvcount.gguf", gguf::header(0, 1ull << 62)), "key/value count");
}

TEST(BadGguf, LyingStringLength) {
  expectOpenError(put("strlen.gguf", gguf::header(0, 1) + le64(1ull << 40) + "abcdefghijklmnop"),
                  "metadata key length");
}

TEST(BadGguf, UnknownValueType) {
  expectOpenError(put("vtype.gguf", gguf::header(0, 1) + gguf::str("k") + gguf::u32(99) + le64(0)),
                  "unknown metadata value type 99");
}

TEST(BadGguf, LyingArrayLength) {
  expectOpenError(put("arrlen.gguf", gguf::header(0, 1) + gguf::str("k") + gguf::u32(9) + gguf::u32(4) +
                                         le64(1ull << 50) + "xxxx"),
                  "array of");
}

TEST(BadGguf, ArraysNestedTooDeep) {
  std::string s = gguf::header(0, 1) + gguf::str("k") + gguf::u32(9);
  for (int i = 0; i < 10; ++i)
    s += gguf::u32(9) + le64(1);
  expectOpenError(put("deep.gguf", s + gguf::u32(0) + le64(0)), "nested deeper");
}

TEST(BadGguf, TooManyDims) {
  expectOpenError(put("dims.gguf", gguf::pad(gguf::header(1, 0) + gguf::info("w", {32, 1, 1, 1, 1}, 0, 0))),
                  "5 dimensions");
}

// A type QuantScope cannot read leaves the file open; reading that tensor fails.
TEST(BadGguf, UnknownTensorType) {
  expectReadError(put("ttype.gguf", gguf::pad(gguf::header(1, 0) + gguf::info("w", {32}, 77, 0))), "w",
                  "tensor 'w' is stored as GGUF type 77, which is not a ggml type");
}

// A type without a known size is still held to the alignment and the data section.
TEST(BadGguf, UnknownTensorTypeBadOffset) {
  expectOpenError(put("ttype_align.gguf", gguf::pad(gguf::header(1, 0) + gguf::info("w", {32}, 99, 4))),
                  "not a multiple of the alignment");
  expectOpenError(
      put("ttype_oob.gguf", gguf::pad(gguf::header(1, 0) + gguf::info("w", {32}, 99, 1ull << 40))),
      "lies beyond");
}

// A sized type QuantScope cannot dequantize (Q2_0, id 42) is sized and bounds-checked all the same.
TEST(BadGguf, UnreadableTypeChecked) {
  expectOpenError(put("q2_0_oob.gguf", gguf::pad(gguf::header(1, 0) + gguf::info("w", {64, 4}, 42, 0))),
                  "lies beyond");
  expectOpenError(put("q2_0_block.gguf", gguf::pad(gguf::header(1, 0) + gguf::info("w", {65}, 42, 0))),
                  "not a multiple of the Q2_0 block of 64");
  expectOpenError(put("iq1_overflow.gguf",
                      gguf::pad(gguf::header(1, 0) + gguf::info("w", {1ull << 32, 1ull << 28, 2}, 19, 0))),
                  "too many elements");
}

TEST(BadGguf, DimsOverflow) {
  expectOpenError(put("overflow.gguf",
                      gguf::pad(gguf::header(1, 0) + gguf::info("w", {1ull << 32, 1ull << 32, 16}, 0, 0))),
                  "too many elements");
}

TEST(BadGguf, RowNotMultipleOfBlock) {
  expectOpenError(put("block.gguf", gguf::pad(gguf::header(1, 0) + gguf::info("w", {33}, 8, 0))),
                  "not a multiple of the Q8_0 block of 32");
}

TEST(BadGguf, DataBeyondFile) {
  expectOpenError(put("oob.gguf", gguf::pad(gguf::header(1, 0) + gguf::info("w", {64, 64}, 0, 0))),
                  "lies beyond");
}

TEST(BadGguf, MisalignedOffset) {
  expectOpenError(
      put("align.gguf", gguf::pad(gguf::header(1, 0) + gguf::info("w", {8}, 0, 4)) + std::string(64, 0)),
      "not a multiple of the alignment");
}

TEST(BadGguf, BadAlignmentValue) {
  expectOpenError(put("alignval.gguf",
                      gguf::header(0, 1) + gguf::str("general.alignment") + gguf::u32(4) + gguf::u32(48)),
                  "not a power of two");
}

TEST(BadGguf, DuplicateTensorNames) {
  expectOpenError(put("dup.gguf", gguf::pad(gguf::header(2, 0) + gguf::info("w", {8}, 0, 0) +
                                            gguf::info("w", {8}, 0, 32)) +
                                      std::string(64, 0)),
                  "duplicate tensor name");
}

// ---- ONNX (hand-built protobuf) ------------------------------------------

namespace pbw {
std::string varint(uint64_t v) {
  std::string s;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    s += char(b | (v ? 0x80 : 0));
  } while (v);
  return s;
}
std::string len(uint32_t field, const std::string& payload) {
  return varint(uint64_t(field) << 3 | 2) + varint(payload.size()) + payload;
}
std::string var(uint32_t field, uint64_t v) {
  return varint(uint64_t(field) << 3) + varint(v);
}
// A model whose graph holds one initializer.
std::string model(const std::string& tensor) {
  return var(1, 8) + len(7, len(5, tensor));
}
std::string tensor(const std::string& name, std::vector<uint64_t> dims, int type, const std::string& rest) {
  std::string s;
  for (auto d : dims)
    s += var(1, d);
  return s + var(2, uint64_t(type)) + len(8, name) + rest;
}
} // namespace pbw

TEST(BadOnnx, DeepSubgraphNesting) {
  // graph{node{attribute{g: graph{...}}}} 40 levels deep.
  std::string g = pbw::len(5, pbw::tensor("w", {1}, 1, pbw::len(9, std::string(4, 0))));
  for (int i = 0; i < 40; ++i)
    g = pbw::len(1, pbw::len(4, "If") + pbw::len(5, pbw::len(1, "then_branch") + pbw::len(6, g)));
  expectOpenError(put("deep.onnx", pbw::var(1, 8) + pbw::len(7, g)), "nested deeper than 32");
}

TEST(BadOnnx, TruncatedVarint) {
  expectOpenError(put("varint.onnx", "\x08\xff\xff"), "truncated");
}

TEST(BadOnnx, OverlongVarint) {
  expectOpenError(put("overlong.onnx", "\x08" + std::string(11, char(0xff)) + "\x01"), "varint");
}

TEST(BadOnnx, LyingLength) {
  expectOpenError(put("length.onnx", pbw::varint(7 << 3 | 2) + pbw::varint(100000) + "abc"),
                  "claims 100000 bytes");
}

TEST(BadOnnx, GroupWireType) {
  expectOpenError(put("group.onnx", pbw::varint(7 << 3 | 3)), "wire type 3");
}

TEST(BadOnnx, NoGraph) {
  expectOpenError(put("nograph.onnx", pbw::var(1, 8)), "no graph");
}

TEST(BadOnnx, RawDataSizeMismatch) {
  expectOpenError(
      put("rawsize.onnx", pbw::model(pbw::tensor("w", {3, 3}, 1, pbw::len(9, std::string(8, 0))))),
      "raw_data holds 8 bytes");
}

TEST(BadOnnx, UnknownDataType) {
  expectOpenError(put("dtype.onnx", pbw::model(pbw::tensor("w", {1}, 99, ""))), "unknown ONNX data type 99");
}

TEST(BadOnnx, DimsOverflow) {
  expectOpenError(put("dims.onnx", pbw::model(pbw::tensor("w", {1ull << 32, 1ull << 32, 16}, 1, ""))),
                  "too many elements");
}

TEST(BadOnnx, TypedCountMismatch) {
  // float_data packed with 2 floats for a [3] tensor.
  expectReadError(
      put("typedcount.onnx", pbw::model(pbw::tensor("w", {3}, 1, pbw::len(4, std::string(8, 0))))), "w",
      "float_data holds 2 values");
}

TEST(BadOnnx, TypedFieldOfWrongKind) {
  expectReadError(put("typedkind.onnx", pbw::model(pbw::tensor("w", {1}, 1, pbw::var(7, 5)))), "w",
                  "onnx.proto says float_data");
}

TEST(BadOnnx, ExternalWithoutLocation) {
  expectOpenError(put("extloc.onnx", pbw::model(pbw::tensor("w", {1}, 1, pbw::var(14, 1)))),
                  "external data without a location");
}

TEST(BadOnnx, ExternalBeyondFile) {
  auto dir = outDir("bad");
  writeFile(dir / "tiny_weights.bin", std::string(16, 0));
  std::string ext = pbw::len(13, pbw::len(1, "location") + pbw::len(2, "tiny_weights.bin")) +
                    pbw::len(13, pbw::len(1, "offset") + pbw::len(2, "8")) + pbw::var(14, 1);
  expectReadError(put("extbeyond.onnx", pbw::model(pbw::tensor("w", {4}, 1, ext))), "w", "lies beyond");
}

TEST(BadOnnx, ExternalSymlinkEscape) {
  auto dir = outDir("bad");
  std::filesystem::remove(dir / "escape_link");
  std::filesystem::create_directory_symlink("/etc", dir / "escape_link");
  std::string ext =
      pbw::len(13, pbw::len(1, "location") + pbw::len(2, "escape_link/passwd")) + pbw::var(14, 1);
  expectReadError(put("symlink.onnx", pbw::model(pbw::tensor("w", {4}, 1, ext))), "w",
                  "resolves outside the model's directory");
}

TEST(BadOnnx, TypedShapeLargerThanData) {
  // A billion-element typed tensor without data must fail before any allocation.
  expectOpenError(
      put("typedhuge.onnx", pbw::model(pbw::tensor("w", {1000000000}, 1, pbw::len(4, std::string(8, 0))))),
      "holds at most 8");
}

TEST(BadSafetensors, DuplicateKeys) {
  expectOpenError(put("dupkey.safetensors", st(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                               R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                                               std::string(4, 0))),
                  "names 'a' twice");
}

// A zero dimension makes the element count 0, but the other dimensions must
// still not overflow (found by fuzz_npy: the row size overflowed).
TEST(BadNpy, ZeroDimensionWithOverflowingRest) {
  expectOpenError(put("zero_overflow.npy", npy("{'descr': '<f8', 'fortran_order': False, "
                                               "'shape': (0, 955, 9551615, 300, 55, 9551615, 300, 8), }",
                                               "")),
                  "too many elements");
}

TEST(BadSafetensors, ZeroDimensionWithOverflowingRest) {
  expectOpenError(
      put("zero_overflow.safetensors",
          st(R"({"a":{"dtype":"F32","shape":[0,4294967296,4294967296],"data_offsets":[0,0]}})", "")),
      "too many elements");
}

TEST(BadGguf, ZeroDimensionWithOverflowingRest) {
  expectOpenError(put("zero_overflow.gguf",
                      gguf::pad(gguf::header(1, 0) + gguf::info("w", {1ull << 40, 1ull << 40, 0}, 0, 0))),
                  "too many elements");
}
