// Registry: every name resolves, entries make their kernels, errors are clear.
#include "core/formats/format_registry.h"
#include "core/quant/format_config.h"

#include "core/error.h"
#include "core/formats/block_formats.h"
#include "core/formats/codebook.h"

#include <gtest/gtest.h>

#include <set>

namespace qs {
namespace {

TEST(FormatRegistry, AllRequiredNamesResolve) {
  const char* names[] = {
      "fp32",         "tf32",         "fp16",       "bf16",       "fp8_e4m3",   "fp8_e4m3fn",  "fp8_e5m2",
      "fp8_e4m3fnuz", "fp8_e5m2fnuz", "fp6_e3m2",   "fp6_e2m3",   "fp4_e2m1",   "e3m4",        "int1",
      "int2",         "int3",         "int4",       "int5",       "int6",       "int7",        "int8",
      "int16",        "binary",       "ternary",    "nf4",        "fp4_bnb",    "iq4_nl_grid", "codebook",
      "kmeans1",      "kmeans4",      "kmeans8",    "mxfp8_e4m3", "mxfp8_e5m2", "mxfp6_e3m2",  "mxfp6_e2m3",
      "mxfp4",        "mxint8",       "q8_0",       "q4_0",       "q4_1",       "q5_0",        "q5_1",
      "q4_k",         "q6_k",         "iq4_nl",     "iq4_xs",     "tq1_0",      "tq2_0",       "gguf:q8_0",
      "gguf:q4_0",    "gguf:q4_1",    "gguf:q5_0",  "gguf:q5_1",  "gguf:q4_k",  "gguf:q6_k",   "gguf:iq4_nl",
      "gguf:iq4_xs",  "gguf:tq1_0",   "gguf:tq2_0", "gguf:mxfp4", "gguf:nvfp4"};
  for (const char* n : names)
    EXPECT_NO_THROW(findFormat(n)) << n;
}

TEST(FormatRegistry, UniqueNamesAndFamilies) {
  std::set<std::string> seen;
  const std::set<std::string> families = {"float", "integer", "codebook", "block"};
  for (const FormatInfo& f : allFormats()) {
    EXPECT_TRUE(seen.insert(f.name).second) << f.name;
    for (const std::string& a : f.aliases)
      EXPECT_TRUE(seen.insert(a).second) << a;
    EXPECT_TRUE(families.count(f.family)) << f.name;
    EXPECT_FALSE(f.label.empty()) << f.name;
    EXPECT_GT(f.description.size(), 20u) << f.name;
    EXPECT_EQ(&findFormat(f.name), &f);
  }
}

std::unique_ptr<FormatKernel> kernelOf(const std::string& name) {
  QuantConfig c;
  c.format = name;
  return makeKernel(c);
}

// The smallest positive value of a kernel's grid at scale 1.
float smallestPositiveLevel(const FormatKernel& k) {
  for (float v : k.levels(SegmentParams{}, 0, 16))
    if (v > 0)
      return v;
  return 0;
}

TEST(FormatRegistry, EntriesMakeTheirKernels) {
  EXPECT_EQ(findFormat("fp8_e4m3fn").name, "fp8_e4m3");
  EXPECT_EQ(findFormat("float8_e5m2fnuz").name, "fp8_e5m2fnuz"); // torch dtype names
  EXPECT_EQ(findFormat("e4m3").name, "fp8_e4m3");                // not the user e4m3 (max 480)
  EXPECT_EQ(findFormat("mxfp8").name, "mxfp8_e4m3");
  EXPECT_EQ(kernelOf("FP8_E4M3")->castMax(), 448.0);
  EXPECT_EQ(findFormat("int4").family, "integer");
  EXPECT_EQ(kernelOf("int4")->codeBits(), 4);
  EXPECT_EQ(kernelOf("int16")->codeBits(), 16);
  EXPECT_EQ(findFormat("uint3").name, "int3"); // a spelling: signedness comes from the config
  EXPECT_EQ(findFormat("i8").name, "int8");
  EXPECT_EQ(kernelOf("nf4")->levels(SegmentParams{}, 0), nf4Codebook().levels);
  EXPECT_EQ(kernelOf("kmeans3")->codeCount(), 8);
  EXPECT_EQ(kernelOf("mxfp4")->codeBits(), mxElementBits(MxElement::Fp4E2M1));
  EXPECT_EQ(kernelOf("mxfp4")->fixedBlock(), kMxBlock);
  EXPECT_DOUBLE_EQ(findFormat("mxfp4").bitsPerElement, 4.25);
  EXPECT_EQ(kernelOf("Q4_0")->label(), "GGUF Q4_0");
  EXPECT_EQ(kernelOf("Q4_0")->fixedBlock(), ggufTypeInfo(GgufType::Q4_0).blockElements);
  EXPECT_DOUBLE_EQ(findFormat("q4_0").bitsPerElement, 4.5);
  EXPECT_DOUBLE_EQ(findFormat("q4_k").bitsPerElement, 4.5);
  EXPECT_DOUBLE_EQ(findFormat("q6_k").bitsPerElement, 6.5625);
  EXPECT_DOUBLE_EQ(findFormat("q8_0").bitsPerElement, 8.5);
}

TEST(FormatRegistry, GgufNamesAreTheLlamaCppTypes) {
  // Every GGUF entry: "gguf:" + llama.cpp's type name lowercased, its label
  // that name as llama.cpp writes it, the short name an alias (not for the
  // FP4 types, whose short names are the OCP/NVIDIA formats).
  int gguf = 0;
  for (const FormatInfo& f : allFormats()) {
    if (f.name.rfind("gguf:", 0) != 0)
      continue;
    ++gguf;
    std::string label = f.label;
    for (char& c : label)
      c = char(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(f.name, "gguf:" + label);
    EXPECT_EQ(kernelOf(f.name)->label(), "GGUF " + f.label);
  }
  EXPECT_GE(gguf, 13);
  EXPECT_EQ(findFormat("q4_k").name, "gguf:q4_k");
  EXPECT_EQ(findFormat("Q8_0").name, "gguf:q8_0");
  EXPECT_EQ(findFormat("gguf:Q6_K").label, "Q6_K");
  EXPECT_EQ(findFormat("iq4_nl").name, "gguf:iq4_nl"); // the grid-only codebook is iq4_nl_grid
  EXPECT_EQ(findFormat("iq4_nl_grid").family, "codebook");
  EXPECT_EQ(findFormat("mxfp4").name, "mxfp4"); // OCP MX, not llama.cpp's
  EXPECT_NE(&findFormat("mxfp4"), &findFormat("gguf:mxfp4"));
  EXPECT_THROW(findFormat("gguf:q3_x"), Error);
  // Real bits per element from the block sizes of ggml-common.h.
  EXPECT_DOUBLE_EQ(findFormat("gguf:iq4_nl").bitsPerElement, 4.5);  // 18 bytes / 32
  EXPECT_DOUBLE_EQ(findFormat("gguf:iq4_xs").bitsPerElement, 4.25); // 136 / 256
  EXPECT_DOUBLE_EQ(findFormat("gguf:tq1_0").bitsPerElement, 1.6875);
  EXPECT_DOUBLE_EQ(findFormat("gguf:tq2_0").bitsPerElement, 2.0625);
  EXPECT_DOUBLE_EQ(findFormat("gguf:mxfp4").bitsPerElement, 4.25);
  EXPECT_DOUBLE_EQ(findFormat("gguf:nvfp4").bitsPerElement, 4.5); // 36 / 64
  EXPECT_EQ(findFormat("gguf:nvfp4").fixedBlock, 64);
  EXPECT_EQ(findFormat("gguf:tq1_0").fixedBlock, 256);
  EXPECT_EQ(kernelOf("tq2_0")->codeCount(), 3);
  EXPECT_EQ(kernelOf("iq4_xs")->codeCount(), 16);
}

TEST(FormatRegistry, UserFloatIsParsed) {
  const FormatInfo& f = findFormat("e3m4");
  EXPECT_EQ(f.family, "float");
  const std::unique_ptr<FormatKernel> k = kernelOf("e3m4");
  EXPECT_EQ(smallestPositiveLevel(*k), 1.0f / 64); // bias 3, 4 mantissa bits: 2^(1-3) / 2^4
  EXPECT_EQ(f.bits, 8);
  EXPECT_DOUBLE_EQ(k->castMax(), 31.0); // 2^4 * (1 + 15/16)
  EXPECT_EQ(&findFormat("E3M4"), &f);   // cached, case-insensitive
  EXPECT_THROW(findFormat("e9m2"), Error);
}

TEST(FormatRegistry, UnknownNameListsKnownOnes) {
  try {
    findFormat("int99");
    FAIL();
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("unknown format 'int99'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("nf4"), std::string::npos) << msg;
  }
  EXPECT_FALSE(isKnownFormat("bogus"));
  EXPECT_TRUE(isKnownFormat("Q6_K"));
}

} // namespace
} // namespace qs
