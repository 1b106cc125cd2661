// The whole-model scan against one read-and-convert pass over the same files,
// and its peak memory (README "Performance"). Generates once a Llama-shaped
// model of 1.1 B parameters (TinyLlama's shapes: 22 blocks, hidden 2048,
// MLP 5632, 4 KV heads, vocabulary 32000) stored as BF16 in five safetensors
// shards with a Hugging Face index, then times, each the median of a few runs
// with the files in the page cache:
//   read   every tensor read and converted to float32, then dropped
//   scan   quantscope's scan with one candidate format (it reads too)
// and prints scan / read and the scan's peak RSS against the bound
// 3 × the largest tensor in float32 + 300 MB.
// Usage: scan_bench [DIR] [--formats a,b,...] [--runs N]
#include "core/formats/float_format.h"
#include "core/io/model_source.h"
#include "core/io/tensor_writer.h"
#include "core/model/scan.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

using namespace qs;
namespace fs = std::filesystem;

namespace {

struct Spec {
  std::string name;
  Shape shape;
};

std::vector<Spec> llamaTensors() {
  const int64_t hidden = 2048, mlp = 5632, kv = 256, vocab = 32000;
  std::vector<Spec> s{{"model.embed_tokens.weight", {vocab, hidden}}};
  for (int b = 0; b < 22; ++b) {
    const std::string p = "model.layers." + std::to_string(b) + ".";
    s.push_back({p + "input_layernorm.weight", {hidden}});
    s.push_back({p + "self_attn.q_proj.weight", {hidden, hidden}});
    s.push_back({p + "self_attn.k_proj.weight", {kv, hidden}});
    s.push_back({p + "self_attn.v_proj.weight", {kv, hidden}});
    s.push_back({p + "self_attn.o_proj.weight", {hidden, hidden}});
    s.push_back({p + "post_attention_layernorm.weight", {hidden}});
    s.push_back({p + "mlp.gate_proj.weight", {mlp, hidden}});
    s.push_back({p + "mlp.up_proj.weight", {mlp, hidden}});
    s.push_back({p + "mlp.down_proj.weight", {hidden, mlp}});
  }
  s.push_back({"model.norm.weight", {hidden}});
  s.push_back({"lm_head.weight", {vocab, hidden}});
  return s;
}

// Weight-like BF16 values: roughly normal (sum of four uniforms), a per-row
// scale, and every 97th input column 20× larger (activation-outlier channels).
ArrayToWrite bf16Array(const Spec& spec, uint64_t seed) {
  ArrayToWrite a;
  a.name = spec.name;
  a.shape = spec.shape;
  a.dtype = DType::BF16;
  const int64_t n = shapeNumel(spec.shape);
  const int64_t cols = spec.shape.back();
  a.bytes.resize(size_t(n) * 2);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return double(x >> 11) * 0x1.0p-53;
  };
  for (int64_t i = 0; i < n; ++i) {
    const int64_t row = i / cols, col = i % cols;
    double v = spec.shape.size() == 1
                   ? 1.0 + 0.05 * (next() - 0.5)
                   : (next() + next() + next() + next() - 2.0) * 0.035 * (1.0 + (row % 7) * 0.1);
    if (spec.shape.size() > 1 && col % 97 == 0)
      v *= 20;
    const uint16_t b = floatToBf16Bits(float(v));
    a.bytes[size_t(i) * 2] = uint8_t(b);
    a.bytes[size_t(i) * 2 + 1] = uint8_t(b >> 8);
  }
  return a;
}

void generate(const fs::path& dir) {
  if (fs::exists(dir / "model.safetensors.index.json"))
    return;
  fs::create_directories(dir);
  const std::vector<Spec> specs = llamaTensors();
  const int shards = 5;
  nlohmann::json map = nlohmann::json::object();
  std::cerr << "generating " << dir << " ...\n";
  for (int s = 0; s < shards; ++s) {
    char name[64];
    std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", s + 1, shards);
    std::vector<ArrayToWrite> arrays;
    for (size_t i = size_t(s); i < specs.size(); i += shards) {
      arrays.push_back(bf16Array(specs[i], i + 1));
      map[specs[i].name] = name;
    }
    writeSafetensors(dir / name, arrays, {{"format", "pt"}});
  }
  std::ofstream(dir / "model.safetensors.index.json")
      << nlohmann::json{{"metadata", {}}, {"weight_map", map}}.dump(1);
  std::ofstream(dir / "config.json") << R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama"})";
}

double seconds(const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Peak resident set since the last reset (Linux: VmHWM, reset by clear_refs 5).
void resetPeak() {
  std::ofstream("/proc/self/clear_refs") << "5";
}
double peakMb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0)
      return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');)
    out.push_back(item);
  return out;
}

} // namespace

int main(int argc, char** argv) {
  fs::path dir = fs::path(QS_TEST_OUT_DIR) / "bench" / "scan_model_1b";
  std::vector<std::string> formats{"int8", "int4", "fp8_e4m3", "nf4", "mxfp4",
                                   "q8_0", "q4_0", "q4_k",     "q6_k"};
  int runs = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--formats" && i + 1 < argc)
      formats = split(argv[++i]);
    else if (a == "--runs" && i + 1 < argc)
      runs = std::max(1, std::atoi(argv[++i]));
    else
      dir = a;
  }
  generate(dir);
  std::unique_ptr<TensorSource> model;
  const double openS = seconds([&] { model = openModel({dir}); });
  int64_t params = 0, largest = 0;
  for (const TensorEntry& e : model->list()) {
    params += shapeNumel(e.shape);
    largest = std::max(largest, shapeNumel(e.shape));
  }
  const double boundMb = 3.0 * double(largest) * 4 / 1048576.0 + 300;
  std::printf("model: %zu tensors, %.3f B parameters, BF16 in %s; opened in %.1f ms\n", model->list().size(),
              double(params) / 1e9, model->formatName().c_str(), openS * 1e3);

  std::vector<double> reads;
  for (int r = 0; r < runs + 1; ++r) { // the first run fills the page cache
    const double t = seconds([&] {
      for (const TensorEntry& e : model->list())
        (void)model->read(e.name);
    });
    if (r > 0)
      reads.push_back(t);
  }
  const double read = median(reads);
  std::printf("read-and-convert pass: %.2f s (median of %d)\n\n", read, runs);
  std::printf("%-10s %10s %12s %14s %16s\n", "format", "scan s", "scan / read", "peak RSS MB", "bound MB");
  for (const std::string& f : formats) {
    ScanOptions o;
    o.formats = {f};
    o.base.format = f;
    std::vector<double> times;
    double peak = 0;
    for (int r = 0; r < runs; ++r) {
      resetPeak();
      times.push_back(seconds([&] { (void)scanModel(*model, o); }));
      peak = std::max(peak, peakMb());
    }
    const double t = median(times);
    std::printf("%-10s %10.2f %12.2f %14.0f %16.0f\n", f.c_str(), t, t / read, peak, boundMb);
    std::fflush(stdout);
  }
  return 0;
}
