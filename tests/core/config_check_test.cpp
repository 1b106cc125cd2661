// One config validation (core/quant/config_check.h) behind the config file
// parser, the CLI and the GUI's config panel: each problem with its message.
#include "core/error.h"
#include "core/quant/config_check.h"

#include <gtest/gtest.h>

#include <limits>

using namespace qs;

namespace {

std::vector<std::string> messages(const std::vector<ConfigProblem>& problems) {
  std::vector<std::string> out;
  for (const ConfigProblem& p : problems)
    out.push_back(p.message());
  return out;
}

QuantConfig grouped(int axis, int64_t groupSize) {
  QuantConfig c;
  c.format = "int4";
  c.granularity = Granularity{GranularityKind::Group, axis, groupSize};
  return c;
}

TEST(ConfigCheck, DefaultConfigIsValid) {
  EXPECT_TRUE(configProblems(QuantConfig{}).empty());
  EXPECT_TRUE(configProblems(QuantConfig{}, Shape{4, 8}).empty());
  EXPECT_NO_THROW(validateConfig(grouped(-1, 32), Shape{4, 64}));
}

TEST(ConfigCheck, ValueProblemsAndMessages) {
  QuantConfig c = grouped(70, 0);
  c.format = "";
  c.clipping.percentile = 101;
  c.clipping.method = ClipMethod::Fixed;
  c.clipping.fixedMin = 2;
  c.clipping.fixedMax = 1;
  c.overrides.push_back({"*.bias", ""});
  EXPECT_EQ(messages(configValueProblems(c)),
            (std::vector<std::string>{"'format' must not be empty", "'granularity.axis' out of range: 70",
                                      "'granularity.group_size' must be >= 1",
                                      "'clipping.percentile' must be in [0, 100]",
                                      "'clipping.min' must not exceed 'clipping.max'",
                                      "'overrides[0]' needs 'match' and 'format'"}));
}

TEST(ConfigCheck, FormatsAndCodebooks) {
  QuantConfig c;
  c.format = "int99";
  c.overrides.push_back({"*.bias", "fp99"});
  const auto p = configProblems(c);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].key, "format");
  EXPECT_NE(p[0].message().find("unknown format 'int99'"), std::string::npos) << p[0].message();
  EXPECT_EQ(p[1].key, "overrides[0].format");
  EXPECT_TRUE(configValueProblems(c).empty()); // a file may name any format; use looks it up

  c = QuantConfig{};
  c.format = "codebook";
  EXPECT_NE(configProblems(c).at(0).message().find("needs levels"), std::string::npos);
  c.codebook = {1.0f};
  EXPECT_NE(configProblems(c).at(0).message().find("at least 2 levels"), std::string::npos);
  c.codebook = {-1.0f, 0.0f, 1.0f};
  EXPECT_TRUE(configProblems(c).empty());
}

TEST(ConfigCheck, AxisAgainstTheTensor) {
  EXPECT_EQ(messages(configProblems(grouped(2, 32), Shape{4, 64})),
            (std::vector<std::string>{"'granularity.axis' 2 is out of range for a tensor of shape [4, 64]"}));
  EXPECT_TRUE(configProblems(grouped(-2, 32), Shape{4, 64}).empty());
  EXPECT_TRUE(configProblems(grouped(0, 32), Shape{}).empty()); // a scalar counts as one axis
  QuantConfig mx = grouped(5, 32);
  mx.format = "mxfp4"; // blocks keep an output-channel axis too
  EXPECT_EQ(configProblems(mx, Shape{4, 64}).size(), 1u);
  mx.granularity->axis = kAutoAxis;
  EXPECT_TRUE(configProblems(mx, Shape{4, 64}).empty());
  try {
    validateConfig(grouped(3, 32), Shape{4, 64});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "'granularity.axis' 3 is out of range for a tensor of shape [4, 64]");
  }
}

TEST(ConfigCheck, TheParserReportsThem) {
  try {
    configFromJson(R"({"clipping": {"method": "fixed", "min": 3, "max": 1}})");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "config: 'clipping.min' must not exceed 'clipping.max'");
  }
  EXPECT_NO_THROW(configFromJson(R"({"format": "from_a_newer_version"})"));
}

// A level beyond float32 would be written back as JSON null (a double beyond
// range fails the JSON parser already): refused when read, so that every
// accepted config saves and loads.
TEST(ConfigCheck, NumbersWithoutAJsonSpellingAreRefused) {
  try {
    configFromJson(
        R"({"format": "codebook", "codebook": [-0.5, 0, 0.5, 1222222222222222222222222222222222222222]})");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "config: 'codebook[3]' must be a finite float32 level");
  }
  try {
    configFromJson(R"({"clipping": {"method": "fixed", "min": -1e400, "max": 1}})");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "config: invalid JSON: [json.exception.out_of_range.406] number overflow parsing '-1e400'");
  }
  QuantConfig c;
  c.clipping.fixedMax = std::numeric_limits<double>::infinity();
  EXPECT_EQ(messages(configValueProblems(c)),
            std::vector<std::string>{"'clipping.max' must be a finite number"});
}

} // namespace
