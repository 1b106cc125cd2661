// The llama-quantize export (core/model/export_llama_quantize.h): the script is
// parsed back and llama-quantize's rule applied to every GGUF tensor — patterns
// lowercased, the first std::regex_search match wins, tensors it never
// quantizes stay as stored — and each must get exactly its planned type.
#include "core/error.h"
#include "core/model/export_llama_quantize.h"
#include "core/model/tensor_role.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>

namespace {

using namespace qs;

ScannedTensor tensor(const std::string& name, Shape shape, const std::string& dtype = "bfloat16") {
  ScannedTensor t;
  t.name = name;
  t.shape = shape;
  t.params = 1;
  for (int64_t d : shape)
    t.params *= d;
  t.storedDtype = dtype;
  t.keep = shape.size() < 2;
  return t;
}

// The plan giving tensor i format formats[i] ("" keeps it).
ModelPlan planOf(const ScanResult& scan, const std::vector<std::string>& formats) {
  ModelPlan p;
  p.model = scan.model;
  for (size_t i = 0; i < scan.tensors.size(); ++i)
    p.tensors.push_back({scan.tensors[i].name, formats[i], scan.tensors[i].params, 0, 0});
  return p;
}

struct Parsed {
  std::vector<std::pair<std::regex, std::string>> patterns;
  std::string base;
  bool pure = false;
};

Parsed parseScript(const std::string& script) {
  Parsed p;
  static const std::regex option(R"(--tensor-type '([^']*)')");
  for (auto it = std::sregex_iterator(script.begin(), script.end(), option); it != std::sregex_iterator();
       ++it) {
    std::string arg = (*it)[1].str();
    const size_t eq = arg.find('='); // llama-quantize splits at the first '='
    std::string pattern = arg.substr(0, eq);
    std::transform(pattern.begin(), pattern.end(), pattern.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    p.patterns.emplace_back(std::regex(pattern), arg.substr(eq + 1));
  }
  std::smatch m;
  static const std::regex last(R"re("\$in" "\$out" (\S+)\n)re");
  if (std::regex_search(script, m, last))
    p.base = m[1].str();
  p.pure = script.find(" --pure ") != std::string::npos;
  return p;
}

// What llama-quantize gives each GGUF tensor of the scan.
std::map<std::string, std::string> simulate(const Parsed& p, const ScanResult& scan) {
  std::map<std::string, std::string> out;
  for (const ScannedTensor& t : scan.tensors) {
    const std::string g = tensorRole(t.name).ggufName;
    if (g.empty() || !llamaQuantizes(g, t.shape.size()))
      continue;
    std::string type = "<base " + p.base + ">";
    for (const auto& [re, ty] : p.patterns)
      if (std::regex_search(g, re)) {
        type = ty;
        break;
      }
    out[g] = type;
  }
  return out;
}

ScanResult ggufScan() {
  ScanResult s;
  s.model = "model.gguf";
  s.tensors = {tensor("token_embd.weight", {512, 256}, "F16"),
               tensor("blk.0.attn_norm.weight", {256}, "F32"),
               tensor("blk.0.attn_q.weight", {256, 256}, "F16"),
               tensor("blk.0.ffn_down.weight", {256, 512}, "F16"),
               tensor("blk.1.attn_q.weight", {256, 256}, "F16"),
               tensor("blk.1.ffn_down.weight", {256, 512}, "F16"),
               tensor("blk.2.attn_q.weight", {256, 256}, "F16"),
               tensor("blk.2.ffn_down.weight", {256, 512}, "F16"),
               tensor("blk.2.ffn_gate_inp.weight", {4, 256}, "F32"),
               tensor("output_norm.weight", {256}, "F32"),
               tensor("output.weight", {512, 256}, "F16")};
  return s;
}

TEST(LlamaQuantizeExport, TypeNamesOfGgufFormats) {
  EXPECT_EQ(llamaTypeName("gguf:q4_k"), "q4_K");
  EXPECT_EQ(llamaTypeName("q4_k"), "q4_K"); // the alias of earlier versions
  EXPECT_EQ(llamaTypeName("Q8_0"), "q8_0");
  EXPECT_EQ(llamaTypeName("gguf:iq4_xs"), "iq4_xs");
  EXPECT_EQ(llamaTypeName("iq4_nl"), "iq4_nl");
  EXPECT_EQ(llamaTypeName("tq1_0"), "tq1_0");
  EXPECT_EQ(llamaTypeName("gguf:mxfp4"), "mxfp4");
  EXPECT_EQ(llamaTypeName("gguf:nvfp4"), "nvfp4");
  EXPECT_EQ(llamaTypeName("mxfp4"), "");       // OCP MX rounds ties to even: not llama.cpp's
  EXPECT_EQ(llamaTypeName("iq4_nl_grid"), ""); // absmax scaling, not llama.cpp's search
  EXPECT_EQ(llamaTypeName("fp16"), "f16");
  EXPECT_EQ(llamaTypeName("int4"), "");
}

TEST(LlamaQuantizeExport, EveryTensorGetsItsPlannedType) {
  const ScanResult scan = ggufScan();
  const std::vector<std::string> formats = {"",     "",     "q4_k", "q6_k", "q4_k", "q8_0",
                                            "q4_k", "q6_k", "",     "",     "q8_0"};
  const ModelPlan plan = planOf(scan, formats);
  const LlamaQuantizeExport e = exportLlamaQuantize(plan, scan);
  const Parsed parsed = parseScript(e.script);
  EXPECT_EQ(parsed.base, "Q4_K_M"); // q4_K is the most common type
  EXPECT_EQ(e.baseType, "Q4_K_M");
  EXPECT_TRUE(parsed.pure);
  EXPECT_EQ(parsed.patterns.size(), e.options.size());
  const auto got = simulate(parsed, scan);
  const std::map<std::string, std::string> want = {
      {"token_embd.weight", "f16"}, // kept: its stored type, so the base cannot touch it
      {"blk.0.attn_q.weight", "q4_K"},   {"blk.0.ffn_down.weight", "q6_K"}, {"blk.1.attn_q.weight", "q4_K"},
      {"blk.1.ffn_down.weight", "q8_0"}, {"blk.2.attn_q.weight", "q4_K"},   {"blk.2.ffn_down.weight", "q6_K"},
      {"output.weight", "q8_0"}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(e.script.find("--allow-requantize"), std::string::npos); // every stored type is F16/F32
  // A tensor stored quantized that changes type needs --allow-requantize.
  ScanResult quantized = scan;
  quantized.tensors[3].storedDtype = "Q8_0";
  EXPECT_NE(exportLlamaQuantize(plan, quantized).script.find(" --pure --allow-requantize \\\n"),
            std::string::npos);
  quantized.tensors[3].storedDtype = "Q6_K"; // planned q6_K: kept as it is
  EXPECT_EQ(exportLlamaQuantize(plan, quantized).script.find("--allow-requantize"), std::string::npos);
  // Consecutive blocks of one role and type share one pattern.
  int attnQ = 0;
  for (const auto& o : e.options)
    attnQ += o.pattern.find("attn_q") != std::string::npos;
  EXPECT_EQ(attnQ, 1);
  // Every pattern names exactly its own tensors: no tensor matches two.
  for (const ScannedTensor& t : scan.tensors) {
    int hits = 0;
    for (const auto& [re, ty] : parsed.patterns)
      hits += std::regex_search(t.name, re);
    EXPECT_LE(hits, 1) << t.name;
  }
  // A name that merely contains a planned one is not caught.
  for (const auto& [re, ty] : parsed.patterns) {
    EXPECT_FALSE(std::regex_search(std::string("blk.10.attn_q.weight"), re));
    EXPECT_FALSE(std::regex_search(std::string("blk.0.attn_q.weight.extra"), re));
  }
}

TEST(LlamaQuantizeExport, HuggingFaceNamesAndExperts) {
  ScanResult s;
  s.model = "hf";
  s.tensors = {tensor("model.embed_tokens.weight", {256, 64}),
               tensor("model.layers.0.input_layernorm.weight", {64}),
               tensor("model.layers.0.self_attn.q_proj.weight", {64, 64}),
               tensor("model.layers.0.block_sparse_moe.experts.0.w2.weight", {64, 128}),
               tensor("model.layers.0.block_sparse_moe.experts.1.w2.weight", {64, 128}),
               tensor("lm_head.weight", {256, 64})};
  const ModelPlan plan = planOf(s, {"q8_0", "", "q4_0", "q5_1", "q5_1", "fp16"});
  const auto e = exportLlamaQuantize(plan, s);
  const auto got = simulate(parseScript(e.script), s);
  const std::map<std::string, std::string> want = {{"token_embd.weight", "q8_0"},
                                                   {"blk.0.attn_q.weight", "q4_0"},
                                                   {"blk.0.ffn_down_exps.weight", "q5_1"},
                                                   {"output.weight", "f16"}};
  EXPECT_EQ(got, want);

  // Experts of one GGUF tensor in different formats cannot be written.
  const ModelPlan mixed = planOf(s, {"q8_0", "", "q4_0", "q5_1", "q8_0", "fp16"});
  try {
    exportLlamaQuantize(mixed, s);
    ADD_FAILURE();
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("blk.0.ffn_down_exps.weight"), std::string::npos) << err.what();
  }
}

void expectError(const ModelPlan& plan, const ScanResult& scan, const std::string& part) {
  try {
    exportLlamaQuantize(plan, scan);
    ADD_FAILURE() << "expected an error with '" << part << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(LlamaQuantizeExport, WhatCannotBeWrittenExactlyIsAnError) {
  ScanResult s;
  s.model = "m";
  s.tensors = {tensor("vision.proj.weight", {64, 64}), tensor("blk.0.attn_q.weight", {64, 64}),
               tensor("blk.0.attn_k.weight", {64, 48}), tensor("blk.0.attn_norm.weight", {64})};
  expectError(planOf(s, {"", "q4_0", "q4_0", ""}), s, "no GGUF name is known for: vision.proj.weight");
  s.tensors[0] = tensor("blk.0.attn_v.weight", {64, 64});
  expectError(planOf(s, {"q4_0", "int8", "q8_0", ""}), s, "blk.0.attn_q.weight (int8)");
  expectError(planOf(s, {"q4_0", "q4_0", "q4_k", ""}), s, "blk.0.attn_k.weight (row 48, q4_k block 256)");
  expectError(planOf(s, {"q4_0", "q4_0", "q8_0", "q8_0"}), s,
              "never quantizes (keep them): blk.0.attn_norm.weight");
  // Kept, a 2-D weight stays at its stored type through its own pattern.
  const auto ok = exportLlamaQuantize(planOf(s, {"q4_0", "q4_0", "", ""}), s);
  const auto got = simulate(parseScript(ok.script), s);
  EXPECT_EQ(got.at("blk.0.attn_k.weight"), "bf16");
  EXPECT_EQ(got.at("blk.0.attn_q.weight"), "q4_0");
  EXPECT_EQ(ok.baseType, "Q4_0");
  s.complete = false;
  expectError(planOf(s, {"q4_0", "q4_0", "", ""}), s, "cancelled");
}

} // namespace
