// `quantscope-cli demo`: synthetic tensors x typical configs, one table each.
// What scripts/run.sh shows: how distribution shape, outliers, granularity
// and clipping change the error, without any file.
#include "app/cli/commands.h"
#include "app/cli/options.h"
#include "app/cli/table.h"
#include "core/demo/demo_tensors.h"
#include "core/pipeline/quantize.h"

#include <iostream>

namespace qs::cli {

namespace {

const std::string kUsage = R"(usage: quantscope-cli demo [--tensor KIND] [--rows R --cols C] [--seed S]
Builds deterministic synthetic tensors (gaussian, laplace, student_t3,
llm_weight, uniform, bimodal; [512, 1024] by default), quantizes each with a
few typical configs and prints the error of each.
  --tensor KIND          only this kind
  --rows R --cols C      shape of the tensors (default 512 x 1024)
  --seed S               generator seed (default 1)
)";

struct DemoConfig {
  const char* format;
  std::optional<Granularity> granularity;
  ClipMethod clip = ClipMethod::MinMax;
  double percentile = 99.99;
};

std::vector<DemoConfig> demoConfigs() {
  const Granularity channel{GranularityKind::Channel, 0, 128};
  const Granularity tensor{GranularityKind::Tensor, 0, 128};
  const Granularity group128{GranularityKind::Group, -1, 128};
  const Granularity group64{GranularityKind::Group, -1, 64};
  return {
      {"bf16", std::nullopt},
      {"fp8_e4m3", tensor},
      {"int8", tensor},
      {"int8", channel},
      {"int4", channel},
      {"int4", channel, ClipMethod::Percentile, 99.9},
      {"int4", channel, ClipMethod::Mse},
      {"int4", group128},
      {"nf4", group64},
      {"mxfp4", std::nullopt},
      {"q4_0", std::nullopt},
  };
}

} // namespace

int runDemo(const Args& argv) {
  const ParsedArgs a =
      parseArgs(argv, {{"tensor", true}, {"rows", true}, {"cols", true}, {"seed", true}}, kUsage);
  if (a.has("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (!a.positional.empty())
    throw UsageError("demo takes no FILE", kUsage);
  const int64_t rows = a.getInt("rows", 512), cols = a.getInt("cols", 1024);
  if (rows < 1 || cols < 1 || rows * cols > (int64_t{1} << 26))
    throw UsageError("--rows and --cols must be >= 1 with rows*cols <= 67108864", kUsage);
  std::vector<DemoKind> kinds = allDemoKinds();
  if (a.has("tensor"))
    kinds = {demoKindFromString(a.get("tensor"))};
  const uint64_t seed = a.getUnsigned("seed", 1);

  std::cout << "QuantScope demo: synthetic tensors [" << rows << ", " << cols
            << "], quantized and dequantized.\n"
            << "sqnr = 20 log10(||x|| / ||x - q||) in dB (higher is better; +6 dB per extra bit on a uniform "
               "grid),\n"
            << "bits/elem includes the scales, clipped = share of values outside the clip range.\n";
  AnalysisOptions opt;
  opt.keepCodes = false;
  opt.topK = 1;
  for (DemoKind kind : kinds) {
    const Tensor t = makeDemoTensor(kind, {rows, cols}, seed);
    std::cout << "\n== " << t.name << " ";
    bool first = true;
    Table table({"config", "bits/elem", "sqnr dB", "cosine", "max |err|", "clipped", "ms"});
    for (const DemoConfig& d : demoConfigs()) {
      QuantConfig c;
      c.format = d.format;
      c.granularity = d.granularity;
      c.clipping.method = d.clip;
      c.clipping.percentile = d.percentile;
      const auto r = quantize(t, c, opt);
      if (first) {
        const auto& h = r->channels;
        double kurt = 0;
        for (float k : h.kurtosis)
          kurt += k;
        std::cout << "(range [" << num(r->histOriginal.lo) << ", " << num(r->histOriginal.hi)
                  << "], mean excess kurtosis per row "
                  << fixed(h.kurtosis.empty() ? 0 : kurt / double(h.kurtosis.size()), 2) << ", outlier rows "
                  << h.outlierChannels.size() << ")\n";
        first = false;
      }
      const Metrics& m = r->metrics;
      table.add({r->formatLabel, fixed(m.bitsPerElement, 3), fixed(m.sqnrDb, 2), fixed(m.cosine, 6),
                 num(m.maxAbsError), percent(m.clippedFraction), fixed(r->quantizeMs + r->analyzeMs, 1)});
    }
    table.print(std::cout);
  }
  std::cout
      << "\nTry: quantscope-cli formats | quantscope-cli quantize FILE --format int4 --granularity group\n";
  return 0;
}

} // namespace qs::cli
