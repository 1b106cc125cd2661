#include "core/io/metrics_writer.h"
#include "core/io/result_writer.h"
#include "core/pipeline/quantize.h"
#include "io_test_util.h"

#include <random>

using namespace qs;
using namespace qs::test;

namespace {

Tensor randomTensor(const std::string& name, Shape shape, uint32_t seed) {
  Tensor t;
  t.name = name;
  t.shape = shape;
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  t.values.resize(size_t(shapeNumel(shape)));
  for (auto& v : t.values)
    v = d(rng);
  t.values[7] = 9.5f; // an outlier
  return t;
}

QuantConfig config(const std::string& format, bool symmetric, std::optional<Granularity> g) {
  QuantConfig c;
  c.format = format;
  c.symmetric = symmetric;
  c.granularity = g;
  return c;
}

ResultList sampleResults() {
  ResultList r;
  r.push_back(quantize(randomTensor("layers.0/int8 asym", {16, 64}, 1),
                       config("int8", false, Granularity{GranularityKind::Channel, 0, 128})));
  r.push_back(quantize(randomTensor("layers.0.int4_group", {8, 96}, 2),
                       config("int4", true, Granularity{GranularityKind::Group, 0, 32})));
  r.push_back(quantize(randomTensor("fp8", {4, 4, 8}, 3), config("fp8_e4m3fn", true, std::nullopt)));
  r.push_back(quantize(randomTensor("nf4", {4, 64}, 4), config("nf4", true, std::nullopt)));
  r.push_back(quantize(randomTensor("q4_1", {2, 64}, 5), config("q4_1", false, std::nullopt)));
  return r;
}

void expectRoundTrip(const std::filesystem::path& path, const ResultList& results, char sep) {
  auto src = openTensorFile(path);
  EXPECT_EQ(src->fileMetadata().at("quantscope.schema"), quantResultSchema());
  for (const auto& r : results) {
    SCOPED_TRACE(r->tensorName);
    const std::string p = r->tensorName + sep;
    Tensor deq = src->read(p + "dequantized");
    EXPECT_EQ(deq.shape, r->shape);
    EXPECT_TRUE(sameValues(deq.values, r->dequantized.data(), r->dequantized.size()));
    if (!r->codes.empty()) {
      Tensor codes = src->read(p + "codes");
      ASSERT_EQ(codes.values.size(), r->codes.size());
      for (size_t i = 0; i < r->codes.size(); ++i)
        ASSERT_EQ(codes.values[i], float(r->codes[i])) << i;
    }
    Tensor scales = src->read(p + "scales");
    EXPECT_TRUE(sameValues(scales.values, r->scales.data(), r->scales.size()));
    if (!r->zeroPoints.empty()) {
      Tensor zp = src->read(p + "zero_points");
      ASSERT_EQ(zp.values.size(), r->zeroPoints.size());
      for (size_t i = 0; i < zp.values.size(); ++i)
        EXPECT_EQ(zp.values[i], float(r->zeroPoints[i]));
    }
  }
}

TEST(ResultWriter, SafetensorsAndHdf5RoundTripBitExactly) {
  auto results = sampleResults();
  auto dir = outDir("writer");
  auto st = dir / "results.safetensors", h5 = dir / "results.h5";
  writeQuantResults(st, results);
  writeQuantResults(h5, results);
  expectRoundTrip(st, results, '.');
  expectRoundTrip(h5, results, '/');
  // Config and labels are stored as metadata.
  auto src = openTensorFile(st);
  EXPECT_EQ(configFromJson(src->fileMetadata().at("fp8.config")), results[2]->config);
  EXPECT_EQ(src->find("layers.0.int4_group.codes")->storedDtype, "int8");
  EXPECT_EQ(src->find("layers.0/int8 asym.codes")->storedDtype, "uint8");
  auto h = openTensorFile(h5);
  EXPECT_EQ(h->fileMetadata().at("fp8/format_label"), results[2]->formatLabel);
  // An independent reader (manual safetensors parsing, h5py) agrees and
  // recomputes int and FP8 dequantization from codes and scales.
  EXPECT_EQ(runPython(std::string(QS_SOURCE_DIR) + "/tests/data/check_result_files.py '" + st.string() +
                      "' '" + h5.string() + "'"),
            0);
}

TEST(ResultWriter, OptionsAndErrors) {
  auto results = sampleResults();
  auto dir = outDir("writer");
  ResultWriteOptions o;
  o.includeDequantized = false;
  writeQuantResults(dir / "codes_only.safetensors", results, o);
  auto src = openTensorFile(dir / "codes_only.safetensors");
  EXPECT_EQ(src->find("fp8.dequantized"), nullptr);
  EXPECT_NE(src->find("fp8.codes"), nullptr);
  expectError([&] { writeQuantResults(dir / "x.txt", results); }, (dir / "x.txt").string(),
              "unsupported output");
  ResultList dup{results[0], results[0]};
  expectError([&] { writeQuantResults(dir / "dup.safetensors", dup); }, (dir / "dup.safetensors").string(),
              "two results");
  EXPECT_FALSE(std::filesystem::exists(dir / "dup.safetensors.tmp"));
  expectError([&] { writeQuantResults(dir / "no_such_dir" / "a.h5", results); }, "no_such_dir",
              "cannot create");
}

TEST(MetricsWriter, CsvAndJsonAgreeWithTheResults) {
  auto results = sampleResults();
  auto dir = outDir("writer");
  writeMetrics(dir / "m.csv", results);
  writeMetrics(dir / "m.json", results);
  auto j = nlohmann::json::parse(readFile(dir / "m.json"));
  ASSERT_EQ(j["results"].size(), results.size());
  EXPECT_EQ(j["schema"], "quantscope.metrics/1");
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(j["results"][i]["tensor"], results[i]->tensorName);
    EXPECT_EQ(j["results"][i]["metrics"]["mse"].get<double>(), results[i]->metrics.mse);
    EXPECT_EQ(j["results"][i]["metrics"]["sqnr_db"].get<double>(), results[i]->metrics.sqnrDb);
    EXPECT_EQ(j["results"][i]["config"]["format"], results[i]->config.format);
  }
  // Python's csv module reads the quoted name and the shortest round-trip numbers back.
  std::string script = "-c \"import csv,json,sys; rows=list(csv.DictReader(open(sys.argv[1]))); "
                       "js=json.load(open(sys.argv[2]))['results']; "
                       "assert len(rows)==len(js); "
                       "assert all(r['tensor']==j['tensor'] and float(r['mse'])==j['metrics']['mse'] and "
                       "float(r['cosine'])==j['metrics']['cosine'] and r['shape']==str(j['shape']) "
                       "for r,j in zip(rows,js)), rows\" " +
                       (dir / "m.csv").string() + " " + (dir / "m.json").string();
  EXPECT_EQ(runPython(script), 0);
  expectError([&] { writeMetrics(dir / "m.xml", results); }, (dir / "m.xml").string(),
              "unsupported metrics format");
}

TEST(MetricsWriter, NonFiniteNumbers) {
  auto r = std::make_shared<QuantResult>();
  r->tensorName = "with,comma \"q\"";
  r->shape = {2};
  r->metrics.sqnrDb = std::numeric_limits<double>::infinity();
  ResultList list{r};
  std::string csv = metricsToCsv(list);
  EXPECT_NE(csv.find("\"with,comma \"\"q\"\"\""), std::string::npos) << csv;
  EXPECT_NE(csv.find(",inf,"), std::string::npos) << csv;
  auto j = nlohmann::json::parse(metricsToJson(list));
  EXPECT_TRUE(j["results"][0]["metrics"]["sqnr_db"].is_null());
}

} // namespace
