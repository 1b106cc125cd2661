// The ggml type table (ggml.h ids, ggml.c type_traits sizes), the read-only
// dispatch and the transcribed sign tables. Bit-exact values of the read-only
// dequantizers are checked in tests/io/gguf_types_test.cpp against NumPy.
#include "core/error.h"
#include "core/formats/block_formats.h"
#include "core/formats/format_registry.h"
#include "core/formats/gguf_iq_detail.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

using namespace qs;

namespace {

TEST(GgufTypeTable, SizesOfEveryTypeAsGgml) {
  struct Row {
    uint32_t id;
    const char* name;
    int elements, bytes;
  };
  // ggml.c type_traits: blck_size, type_size (sizeof block_*).
  const Row rows[] = {
      {0, "F32", 1, 4},         {1, "F16", 1, 2},         {2, "Q4_0", 32, 18},      {3, "Q4_1", 32, 20},
      {6, "Q5_0", 32, 22},      {7, "Q5_1", 32, 24},      {8, "Q8_0", 32, 34},      {9, "Q8_1", 32, 36},
      {10, "Q2_K", 256, 84},    {11, "Q3_K", 256, 110},   {12, "Q4_K", 256, 144},   {13, "Q5_K", 256, 176},
      {14, "Q6_K", 256, 210},   {15, "Q8_K", 256, 292},   {16, "IQ2_XXS", 256, 66}, {17, "IQ2_XS", 256, 74},
      {18, "IQ3_XXS", 256, 98}, {19, "IQ1_S", 256, 50},   {20, "IQ4_NL", 32, 18},   {21, "IQ3_S", 256, 110},
      {22, "IQ2_S", 256, 82},   {23, "IQ4_XS", 256, 136}, {24, "I8", 1, 1},         {25, "I16", 1, 2},
      {26, "I32", 1, 4},        {27, "I64", 1, 8},        {28, "F64", 1, 8},        {29, "IQ1_M", 256, 56},
      {30, "BF16", 1, 2},       {34, "TQ1_0", 256, 54},   {35, "TQ2_0", 256, 66},   {39, "MXFP4", 32, 17},
      {40, "NVFP4", 64, 36},    {41, "Q1_0", 128, 18},    {42, "Q2_0", 64, 18}};
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    const GgufTypeInfo* info = ggufTypeById(r.id);
    ASSERT_NE(info, nullptr);
    EXPECT_STREQ(info->name, r.name);
    EXPECT_EQ(info->blockElements, r.elements);
    EXPECT_EQ(info->blockBytes, r.bytes);
    EXPECT_EQ(ggufTypeName(r.id), r.name);
    EXPECT_FALSE(ggufTypeRemoved(r.id));
  }
  EXPECT_EQ(detail::kIq2xxsBytes, 66);
  EXPECT_EQ(detail::kIq2xsBytes, 74);
  EXPECT_EQ(detail::kIq2sBytes, 82);
  EXPECT_EQ(detail::kIq3xxsBytes, 98);
  EXPECT_EQ(detail::kIq3sBytes, 110);
  EXPECT_EQ(detail::kIq1sBytes, 50);
  EXPECT_EQ(detail::kIq1mBytes, 56);
  EXPECT_EQ(detail::kQ8_1Bytes, 36);
  EXPECT_EQ(detail::kQ8_KBytes, 292);
}

TEST(GgufTypeTable, RemovedAndUnknownIds) {
  for (uint32_t id : {4u, 5u, 31u, 32u, 33u, 36u, 37u, 38u}) {
    EXPECT_EQ(ggufTypeById(id), nullptr) << id;
    EXPECT_TRUE(ggufTypeRemoved(id)) << id;
    EXPECT_FALSE(ggufCanDequantize(id)) << id;
  }
  EXPECT_EQ(ggufTypeName(4), "Q4_2");
  EXPECT_EQ(ggufTypeName(38), "IQ4_NL_8_8");
  for (uint32_t id : {43u, 99u, 0xFFFFFFFFu}) {
    EXPECT_EQ(ggufTypeById(id), nullptr);
    EXPECT_FALSE(ggufTypeRemoved(id));
    EXPECT_FALSE(ggufCanDequantize(id));
  }
  EXPECT_EQ(ggufTypeName(99), "type 99");
  EXPECT_EQ(ggufTypeName(0xFFFFFFFFu), "type 4294967295");
}

// The table and the quantizers' own rows agree wherever both exist, and every
// type QuantScope says it can dequantize really dequantizes.
TEST(GgufTypeTable, AgreesWithTheDispatch) {
  int dequantizable = 0;
  for (uint32_t id = 0; id < 64; ++id) {
    if (!ggufCanDequantize(id))
      continue;
    ++dequantizable;
    const GgufTypeInfo* row = ggufTypeById(id);
    ASSERT_NE(row, nullptr) << id;
    const GgufTypeInfo& info = ggufTypeInfo(static_cast<GgufType>(id));
    EXPECT_STREQ(info.name, row->name);
    EXPECT_EQ(info.blockElements, row->blockElements) << row->name;
    EXPECT_EQ(info.blockBytes, row->blockBytes) << row->name;
    // Two blocks of zero bytes: every type decodes them to zeros.
    std::vector<uint8_t> blocks(size_t(2 * row->blockBytes), 0);
    std::vector<float> y(size_t(2 * row->blockElements), 1.0f);
    ggufDequantizeRow(static_cast<GgufType>(id), blocks.data(), y.data(), int64_t(y.size()));
    for (float v : y)
      EXPECT_EQ(v, 0.0f) << row->name;
  }
  EXPECT_GE(dequantizable, 10 + 14); // the simulated types and the 14 read-only ones
}

TEST(GgufTypeTable, ReadOnlyTypesAreNotFormats) {
  for (uint32_t id : {9u, 15u, 16u, 17u, 18u, 19u, 21u, 22u, 24u, 25u, 26u, 27u, 28u, 29u}) {
    SCOPED_TRACE(ggufTypeName(id));
    EXPECT_TRUE(ggufTypeReadOnly(id));
    EXPECT_TRUE(ggufCanDequantize(id));
    EXPECT_FALSE(ggufTypeSupported(id));
    const GgufTypeInfo& info = ggufTypeInfo(static_cast<GgufType>(id));
    std::vector<float> x(size_t(info.blockElements), 0.5f);
    std::vector<uint8_t> out(size_t(info.blockBytes));
    try {
      ggufQuantizeRow(static_cast<GgufType>(id), x.data(), out.data(), int64_t(x.size()));
      ADD_FAILURE() << "quantized a read-only type";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("read-only"), std::string::npos) << e.what();
    }
    // Not selectable: there is no quantizer ("I8" names the unrelated int8 format).
    if (info.blockElements > 1) {
      EXPECT_FALSE(isKnownFormat(ggufTypeName(id)));
    }
  }
}

// ksigns_iq2xs[i] is i with an 8th bit that makes the count of set bits even
// (the sign of the 8th value follows from the parity); kmask_iq2xs[j] = 1 << j.
TEST(GgufIqTables, SignTablesFollowTheirDefinition) {
  for (int j = 0; j < 8; ++j)
    EXPECT_EQ(detail::kMaskIq2xs[j], 1 << j);
  for (int i = 0; i < 128; ++i)
    EXPECT_EQ(detail::kSignsIq2xs[i], i | ((std::popcount(unsigned(i)) & 1) << 7)) << i;
}

// The grids hold lattice points: IQ2 coordinates in {8, 25, 43}, IQ3_XXS in
// {4, 12, ..., 62} (odd multiples of 2 up to 62), IQ1 in {-1, 0, 1}; spot
// entries as published (first and last of each table).
TEST(GgufIqTables, GridsHoldTheirLatticePoints) {
  auto bytesIn = [](uint64_t entry, int n, std::initializer_list<int> allowed, bool isSigned) {
    for (int j = 0; j < n; ++j) {
      const uint8_t b = static_cast<uint8_t>(entry >> (8 * j));
      const int v = isSigned ? static_cast<int8_t>(b) : b;
      if (std::find(allowed.begin(), allowed.end(), v) == allowed.end())
        return false;
    }
    return true;
  };
  for (uint64_t e : detail::kIq2xxsGrid)
    EXPECT_TRUE(bytesIn(e, 8, {8, 25, 43}, false)) << std::hex << e;
  for (uint64_t e : detail::kIq2xsGrid)
    EXPECT_TRUE(bytesIn(e, 8, {8, 25, 43}, false)) << std::hex << e;
  for (uint64_t e : detail::kIq2sGrid)
    EXPECT_TRUE(bytesIn(e, 8, {8, 25, 43}, false)) << std::hex << e;
  for (uint64_t e : detail::kIq1sGrid)
    EXPECT_TRUE(bytesIn(e, 8, {-1, 0, 1}, true)) << std::hex << e;
  EXPECT_EQ(detail::kIq2xxsGrid[0], 0x0808080808080808ull);
  EXPECT_EQ(detail::kIq2xxsGrid[255], 0x2b2b2b1908081908ull);
  EXPECT_EQ(detail::kIq2xsGrid[511], 0x2b2b2b2b2b2b2b2bull);
  EXPECT_EQ(detail::kIq2sGrid[1023], 0x2b2b2b2b2b2b2b2bull);
  EXPECT_EQ(detail::kIq3xxsGrid[0], 0x04040404u);
  EXPECT_EQ(detail::kIq3sGrid[0], 0x01010101u);
  EXPECT_EQ(detail::kIq1sGrid[0], 0xffffffffffffffffull);
  EXPECT_EQ(detail::kIq1sGrid[2047], 0x0101010101010101ull);
  EXPECT_FLOAT_EQ(detail::kIq1sDelta, 0.125f);
}

} // namespace
