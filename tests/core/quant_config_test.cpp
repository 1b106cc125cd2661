// The quantscope.config/1 JSON: round trip, defaults, and one clear error per
// bad input (naming the key and its path).
#include "core/error.h"
#include "core/quant/quant_config.h"

#include <gtest/gtest.h>

#include <string>

namespace qs {
namespace {

std::string errorOf(const std::string& json) {
  try {
    configFromJson(json);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(QuantConfigJson, RoundTripEveryField) {
  QuantConfig c;
  c.format = "int4";
  c.symmetric = false;
  c.granularity = Granularity{GranularityKind::Group, 1, 64};
  c.clipping = {ClipMethod::Percentile, 99.9, true, -2.5, 3.25};
  c.rounding = Rounding::Stochastic;
  c.seed = 12345678901234ull;
  c.codebook = {-1.0f, -0.25f, 0.5f, 1.0f};
  c.overrides = {{"*.attn.*", "int8"}, {"lm_head?", "fp16"}};
  const std::string text = configToJson(c);
  EXPECT_EQ(configFromJson(text), c);
  EXPECT_EQ(configFromJson(configToJson(QuantConfig{})), QuantConfig{});
  for (auto k :
       {GranularityKind::None, GranularityKind::Tensor, GranularityKind::Channel, GranularityKind::Token}) {
    c.granularity = Granularity{k, 0, 1};
    EXPECT_EQ(configFromJson(configToJson(c, -1)), c);
  }
  for (auto m : {ClipMethod::MinMax, ClipMethod::Mse, ClipMethod::Kl, ClipMethod::Fixed}) {
    c.clipping.method = m;
    EXPECT_EQ(configFromJson(configToJson(c)), c);
  }
  c.granularity->axis = kAutoAxis;
  EXPECT_NE(configToJson(c).find(R"("axis": "auto")"), std::string::npos) << configToJson(c);
  EXPECT_EQ(configFromJson(configToJson(c)), c);
}

// In /1 a group's axis was the one its runs went along; in /2 it is the
// output-channel axis kept (the runs go along all the others).
TEST(QuantConfigJson, Schema1GroupAxesAreConverted) {
  auto groupAxis = [](const char* axis) {
    return configFromJson(
               std::string(R"({"schema": "quantscope.config/1", "granularity": {"kind": "group")") +
               (*axis ? std::string(R"(, "axis": )") + axis : "") + "}}")
        .granularity->axis;
  };
  EXPECT_EQ(groupAxis("1"), kAutoAxis);
  EXPECT_EQ(groupAxis("-1"), kAutoAxis);
  EXPECT_EQ(groupAxis("0"), 1);
  EXPECT_EQ(groupAxis(""), 1); // /1's default axis was 0
  EXPECT_THROW(groupAxis("2"), Error);
  // Channels meant the same in /1; a missing axis was 0.
  EXPECT_EQ(configFromJson(R"({"schema": "quantscope.config/1", "granularity": {"kind": "channel"}})")
                .granularity->axis,
            0);
  EXPECT_EQ(configFromJson(R"({"granularity": {"kind": "channel"}})").granularity->axis, kAutoAxis);
  EXPECT_EQ(configFromJson(R"({"granularity": {"kind": "group", "axis": "auto"}})").granularity->axis,
            kAutoAxis);
  EXPECT_THROW(configFromJson(R"({"granularity": {"kind": "group", "axis": "last"}})"), Error);
}

TEST(QuantConfigJson, ArchitectureExampleAndDefaults) {
  const QuantConfig c = configFromJson(R"({
      "schema": "quantscope.config/1",
      "format": "int4",
      "symmetric": true,
      "granularity": {"kind": "group", "axis": 1, "group_size": 128},
      "clipping": {"method": "percentile", "percentile": 99.99},
      "rounding": "nearest",
      "overrides": [{"match": "*.attn.*", "format": "int8"}]
    })");
  EXPECT_EQ(c.format, "int4");
  ASSERT_TRUE(c.granularity.has_value());
  EXPECT_EQ(*c.granularity, (Granularity{GranularityKind::Group, kAutoAxis, 128}));
  EXPECT_EQ(c.clipping.method, ClipMethod::Percentile);
  EXPECT_EQ(c.clipping.twoSided, false);
  EXPECT_EQ(c.overrides.size(), 1u);
  const QuantConfig d = configFromJson("{}");
  EXPECT_EQ(d, QuantConfig{});
  EXPECT_FALSE(d.granularity.has_value());
  EXPECT_EQ(configFromJson(R"({"granularity": {"kind": "channel"}})").granularity->groupSize, 128);
}

TEST(QuantConfigJson, ErrorsNameTheKeyAndPath) {
  EXPECT_EQ(errorOf(R"({"formt": "int8"})"), "config: unknown key 'formt'");
  EXPECT_EQ(errorOf(R"({"clipping": {"method": "percentile", "percentil": 99}})"),
            "config: unknown key 'clipping.percentil'");
  EXPECT_EQ(errorOf(R"({"granularity": {"kind": "group", "size": 4}})"),
            "config: unknown key 'granularity.size'");
  EXPECT_EQ(errorOf(R"({"overrides": [{"match": "a", "format": "int8", "x": 1}]})"),
            "config: unknown key 'overrides[0].x'");
  EXPECT_EQ(errorOf(R"({"symmetric": "yes"})"), "config: 'symmetric' must be true or false");
  EXPECT_EQ(errorOf(R"({"format": 8})"), "config: 'format' must be a string");
  EXPECT_EQ(errorOf(R"({"granularity": {"axis": 1.5}})"), "config: 'granularity.axis' must be an integer");
  EXPECT_EQ(errorOf(R"({"granularity": {"kind": "row"}})"),
            "unknown granularity 'row' (expected none, tensor, channel, group, token or block)");
  EXPECT_EQ(errorOf(R"({"granularity": {"group_size": 0}})"),
            "config: 'granularity.group_size' must be >= 1");
  EXPECT_EQ(errorOf(R"({"clipping": {"percentile": 101}})"),
            "config: 'clipping.percentile' must be in [0, 100]");
  EXPECT_EQ(errorOf(R"({"rounding": "up"})"), "unknown rounding 'up' (expected nearest or stochastic)");
  EXPECT_EQ(errorOf(R"({"seed": -1})"), "config: 'seed' must be a non-negative integer");
  EXPECT_EQ(errorOf(R"({"schema": "quantscope.config/3"})"),
            "config: unsupported schema 'quantscope.config/3' (expected quantscope.config/2 or "
            "quantscope.config/1)");
  EXPECT_EQ(errorOf(R"({"codebook": [1, "a"]})"), "config: 'codebook' must be an array of numbers");
  EXPECT_EQ(errorOf(R"({"overrides": [{"match": "a"}]})"),
            "config: 'overrides[0]' needs 'match' and 'format'");
  EXPECT_EQ(errorOf("[1, 2]"), "config: the top level must be a JSON object");
  EXPECT_EQ(errorOf(R"({"clipping": 3})"), "config: 'clipping' must be a JSON object");
  EXPECT_NE(errorOf("{").find("config: invalid JSON"), std::string::npos);
  // A number too large for a double is nlohmann's out_of_range, not a parse_error (found by fuzzing).
  EXPECT_NE(errorOf(R"({"format": "int8", "seed": 1e999})").find("config: invalid JSON"), std::string::npos);
}

TEST(QuantConfigJson, ResolveWithWildcards) {
  QuantConfig c;
  c.format = "int4";
  c.overrides = {{"*.attn.*", "int8"}, {"layer?.mlp", "fp8_e4m3"}, {"*", "nf4"}};
  EXPECT_EQ(resolveForTensor(c, "model.attn.q_proj").format, "int8");
  EXPECT_EQ(resolveForTensor(c, "layer3.mlp").format, "fp8_e4m3");
  EXPECT_EQ(resolveForTensor(c, "layer12.mlp").format, "nf4"); // '?' is one character
  c.overrides.pop_back();
  EXPECT_EQ(resolveForTensor(c, "layer12.mlp").format, "int4");
  EXPECT_EQ(resolveForTensor(c, "attn").format, "int4");
  EXPECT_TRUE(wildcardMatches("a*b*c", "aXXbYYc"));
  EXPECT_TRUE(wildcardMatches("*", ""));
  EXPECT_FALSE(wildcardMatches("a*b", "aXXc"));
  EXPECT_TRUE(wildcardMatches("**a", "bba"));
  EXPECT_FALSE(wildcardMatches("?", ""));
}

TEST(QuantConfigJson, ToStringNames) {
  EXPECT_STREQ(toString(GranularityKind::Group), "group");
  EXPECT_STREQ(toString(ClipMethod::Kl), "kl");
  EXPECT_STREQ(toString(Rounding::Stochastic), "stochastic");
  EXPECT_EQ(clipMethodFromString("mse"), ClipMethod::Mse);
}

} // namespace
} // namespace qs
