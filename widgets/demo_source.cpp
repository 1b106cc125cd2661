#include "widgets/demo_source.h"

#include "core/error.h"

#include <cmath>
#include <functional>
#include <random>

namespace qs {

namespace {

// Each demo tensor is generated on read (on the loader's worker thread) from
// a fixed seed, so the same name always gives the same values.
struct DemoSpec {
  std::string name;
  std::string description;
  Shape shape;
  std::function<void(std::mt19937_64&, const Shape&, std::vector<float>&)> fill;
};

void fillIid(std::vector<float>& v, std::mt19937_64& rng,
             const std::function<float(std::mt19937_64&)>& draw) {
  for (float& x : v)
    x = draw(rng);
}

// A transformer weight [out, in]: N(0, 0.02) scaled per output row by a
// log-normal factor, 0.5 % of the rows (channels along axis 0) ten times
// larger, and a handful of single weights 10 to 17 sigma out.
void fillLlmWeight(std::mt19937_64& rng, const Shape& shape, std::vector<float>& v) {
  const int64_t rows = shape[0], cols = shape[1];
  std::normal_distribution<float> normal(0.0f, 0.02f);
  std::lognormal_distribution<float> rowScale(0.0f, 0.25f);
  std::uniform_int_distribution<int64_t> anyRow(0, rows - 1), anyCol(0, cols - 1);
  for (int64_t r = 0; r < rows; ++r) {
    const float s = rowScale(rng);
    for (int64_t c = 0; c < cols; ++c)
      v[static_cast<size_t>(r * cols + c)] = s * normal(rng);
  }
  for (int64_t k = 0; k < std::max<int64_t>(1, rows / 200); ++k) {
    const int64_t r = anyRow(rng);
    for (int64_t c = 0; c < cols; ++c)
      v[static_cast<size_t>(r * cols + c)] *= 10.0f;
  }
  for (int k = 0; k < 16; ++k)
    v[static_cast<size_t>(anyRow(rng) * cols + anyCol(rng))] = (k % 2 ? -1.0f : 1.0f) * (0.2f + 0.01f * k);
}

const std::vector<DemoSpec>& specs() {
  static const std::vector<DemoSpec> list = {
      {"llm_weight",
       "A transformer weight: Gaussian rows of varying scale with outlier channels",
       {1024, 1024},
       fillLlmWeight},
      {"gaussian",
       "N(0, 1): the textbook case",
       {1024, 1024},
       [](std::mt19937_64& rng, const Shape&, std::vector<float>& v) {
         std::normal_distribution<float> d(0.0f, 1.0f);
         fillIid(v, rng, [&d](std::mt19937_64& g) { return d(g); });
       }},
      {"laplace",
       "Laplace(0, 1): heavier tails, like many trained weights",
       {1024, 1024},
       [](std::mt19937_64& rng, const Shape&, std::vector<float>& v) {
         std::exponential_distribution<float> e(1.0f);
         std::bernoulli_distribution sign(0.5);
         fillIid(v, rng, [&](std::mt19937_64& g) { return sign(g) ? e(g) : -e(g); });
       }},
      {"student_t3",
       "Student-t with 3 degrees of freedom: rare, very large values",
       {1024, 1024},
       [](std::mt19937_64& rng, const Shape&, std::vector<float>& v) {
         std::student_t_distribution<float> d(3.0f);
         fillIid(v, rng, [&d](std::mt19937_64& g) { return d(g); });
       }},
      {"uniform",
       "Uniform(-1, 1): where a uniform grid is optimal",
       {1024, 1024},
       [](std::mt19937_64& rng, const Shape&, std::vector<float>& v) {
         std::uniform_real_distribution<float> d(-1.0f, 1.0f);
         fillIid(v, rng, [&d](std::mt19937_64& g) { return d(g); });
       }},
      {"bimodal",
       "Two Gaussians at ±2: levels near zero are wasted",
       {1024, 1024},
       [](std::mt19937_64& rng, const Shape&, std::vector<float>& v) {
         std::normal_distribution<float> d(0.0f, 0.5f);
         std::bernoulli_distribution side(0.5);
         fillIid(v, rng, [&](std::mt19937_64& g) { return (side(g) ? 2.0f : -2.0f) + d(g); });
       }},
      {"llm_weight_4096",
       "The transformer weight at 4096 × 4096 (16.7 M values)",
       {4096, 4096},
       fillLlmWeight},
  };
  return list;
}

class DemoSource : public TensorSource {
public:
  DemoSource() {
    for (const DemoSpec& spec : specs()) {
      TensorEntry e;
      e.name = spec.name;
      e.shape = spec.shape;
      e.storedDtype = "float32";
      e.bytes = static_cast<uint64_t>(shapeNumel(spec.shape)) * sizeof(float);
      e.metadata["description"] = spec.description;
      entries_.push_back(std::move(e));
    }
  }
  std::string formatName() const override { return "demo"; }
  const std::filesystem::path& path() const override { return path_; }
  const std::vector<TensorEntry>& list() const override { return entries_; }

  Tensor read(const std::string& name, const std::atomic<bool>* cancel) const override {
    for (size_t i = 0; i < specs().size(); ++i) {
      const DemoSpec& spec = specs()[i];
      if (spec.name != name)
        continue;
      if (cancel && cancel->load())
        throw Cancelled();
      Tensor t;
      t.name = spec.name;
      t.shape = spec.shape;
      t.values.resize(static_cast<size_t>(shapeNumel(spec.shape)));
      std::mt19937_64 rng(0x5153'0000 + i); // fixed per tensor
      spec.fill(rng, spec.shape, t.values);
      return t;
    }
    throw Error("demo: no tensor named '" + name + "'");
  }

private:
  std::filesystem::path path_{"demo:"};
  std::vector<TensorEntry> entries_;
};

} // namespace

std::shared_ptr<const TensorSource> makeDemoSource() {
  return std::make_shared<DemoSource>();
}

QStringList demoTensorNames() {
  QStringList names;
  for (const DemoSpec& spec : specs())
    names << QString::fromStdString(spec.name);
  return names;
}

QString defaultDemoTensor() {
  return QStringLiteral("llm_weight");
}

} // namespace qs
