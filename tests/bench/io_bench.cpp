// Reader throughput: bytes of stored data converted to float32 per second
// (files are in the page cache after the first iteration, so this measures
// the conversion, which is what a user waits for on a second look).
#include "core/formats/block_formats.h"
#include "core/io/tensor_source.h"
#include "core/io/tensor_writer.h"

#include <benchmark/benchmark.h>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

using namespace qs;

namespace {

std::filesystem::path benchDir() {
  auto p = std::filesystem::path(QS_TEST_OUT_DIR) / "bench";
  std::filesystem::create_directories(p);
  return p;
}

// A safetensors file with one [rows, 4096] tensor of `dtype` (random bits
// for 16-bit types, random normals for float32).
std::filesystem::path makeFile(DType dtype, int64_t rows) {
  auto path =
      benchDir() / (std::string("read_") + dtypeName(dtype) + "_" + std::to_string(rows) + ".safetensors");
  if (std::filesystem::exists(path))
    return path;
  ArrayToWrite a;
  a.name = "w";
  a.shape = {rows, 4096};
  a.dtype = dtype;
  a.bytes.resize(size_t(rows * 4096) * dtypeSize(dtype));
  std::mt19937_64 rng(1);
  for (size_t i = 0; i + 8 <= a.bytes.size(); i += 8) {
    uint64_t v = rng();
    if (dtype == DType::F32) { // keep floats finite: clear the top exponent bit of both halves
      v &= ~((uint64_t(1) << 62) | (uint64_t(1) << 30));
    }
    std::memcpy(a.bytes.data() + i, &v, 8);
  }
  writeSafetensors(path, {a}, {});
  return path;
}

void readSafetensors(benchmark::State& state, DType dtype) {
  const int64_t rows = state.range(0);
  auto src = openTensorFile(makeFile(dtype, rows));
  const uint64_t bytes = src->list()[0].bytes;
  for (auto _ : state) {
    Tensor t = src->read("w");
    benchmark::DoNotOptimize(t.values.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes));
  state.counters["out_GBps"] =
      benchmark::Counter(double(state.iterations()) * double(rows) * 4096 * 4, benchmark::Counter::kIsRate);
}

void BM_SafetensorsF32(benchmark::State& s) {
  readSafetensors(s, DType::F32);
}
void BM_SafetensorsF16(benchmark::State& s) {
  readSafetensors(s, DType::F16);
}
void BM_SafetensorsBF16(benchmark::State& s) {
  readSafetensors(s, DType::BF16);
}
void BM_SafetensorsI8(benchmark::State& s) {
  readSafetensors(s, DType::I8);
}
BENCHMARK(BM_SafetensorsF32)->Arg(16384)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SafetensorsF16)->Arg(16384)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SafetensorsBF16)->Arg(16384)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SafetensorsI8)->Arg(16384)->Unit(benchmark::kMillisecond)->UseRealTime();

// Listing a 15 GB sparse file: only the header is touched.
void BM_ListSparse15GB(benchmark::State& state) {
  auto path = benchDir() / "sparse_15g.safetensors";
  const int tensors = 448;
  const uint64_t each = 4096ull * 4096 * 2;
  std::string header = "{";
  for (int i = 0; i < tensors; ++i)
    header += std::string(i ? "," : "") + "\"model.layers." + std::to_string(i) +
              ".weight\":{\"dtype\":\"BF16\",\"shape\":[4096,4096],\"data_offsets\":[" +
              std::to_string(i * each) + "," + std::to_string((i + 1) * each) + "]}";
  header += "}";
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    uint64_t n = header.size();
    std::fwrite(&n, 8, 1, f);
    std::fwrite(header.data(), 1, header.size(), f);
    std::fclose(f);
    std::filesystem::resize_file(path, 8 + n + tensors * each);
  }
  for (auto _ : state) {
    auto src = openTensorFile(path);
    benchmark::DoNotOptimize(src->list().size());
  }
  std::filesystem::remove(path);
}
BENCHMARK(BM_ListSparse15GB)->Unit(benchmark::kMillisecond);

// GGUF Q4_K dequantization through the reader.
void BM_GgufQ4K(benchmark::State& state) {
  auto path = benchDir() / "q4k.gguf";
  const int64_t rows = 4096, cols = 4096;
  if (!std::filesystem::exists(path)) {
    std::vector<float> x(size_t(rows * cols));
    std::mt19937 rng(2);
    std::normal_distribution<float> d;
    for (auto& v : x)
      v = d(rng);
    const auto& info = ggufTypeInfo(GgufType::Q4_K);
    std::vector<uint8_t> blocks(size_t(rows * cols / info.blockElements * info.blockBytes));
    ggufQuantizeRow(GgufType::Q4_K, x.data(), blocks.data(), rows * cols);
    std::string out = "GGUF";
    auto put = [&](uint64_t v, int n) {
      for (int i = 0; i < n; ++i)
        out += char((v >> (8 * i)) & 0xff);
    };
    put(3, 4), put(1, 8), put(0, 8);
    put(1, 8), out += "w", put(2, 4), put(cols, 8), put(rows, 8), put(12, 4), put(0, 8);
    while (out.size() % 32)
      out += '\0';
    out.append(reinterpret_cast<const char*>(blocks.data()), blocks.size());
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(out.data(), 1, out.size(), f);
    std::fclose(f);
  }
  auto src = openTensorFile(path);
  for (auto _ : state) {
    Tensor t = src->read("w");
    benchmark::DoNotOptimize(t.values.data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(src->list()[0].bytes));
  state.counters["out_GBps"] =
      benchmark::Counter(double(state.iterations()) * double(rows * cols) * 4, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GgufQ4K)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
