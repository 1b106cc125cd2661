#include "core/demo/demo_source.h"

#include "core/demo/demo_tensors.h"
#include "core/error.h"

namespace qs {

namespace {

// The core's demo set (the same shape and seed as `quantscope-cli demo`, so
// the GUI shows the numbers the CLI prints), plus the LLM-like weight at
// 4096 x 4096 for feeling the speed. Values are generated on read, on the
// loader's worker thread.
struct DemoEntry {
  DemoKind kind;
  std::string name;
  Shape shape;
  const char* description;
};

const char* describe(DemoKind kind) {
  switch (kind) {
  case DemoKind::Gaussian:
    return "N(0, 1): the textbook case";
  case DemoKind::Laplace:
    return "Laplace with unit variance: heavier tails, like many trained weights";
  case DemoKind::StudentT:
    return "Student-t with 3 degrees of freedom: rare, very large values";
  case DemoKind::LlmWeight:
    return "A transformer weight: N(0, 0.02) with a few large output channels and input columns";
  case DemoKind::Uniform:
    return "U(-1, 1): where a uniform grid is optimal";
  case DemoKind::Bimodal:
    return "Two Gaussians at ±2: levels near zero are wasted";
  }
  return "";
}

const std::vector<DemoEntry>& entries() {
  static const std::vector<DemoEntry> list = [] {
    std::vector<DemoEntry> out;
    for (DemoKind kind : allDemoKinds())
      out.push_back({kind, toString(kind), {512, 1024}, describe(kind)});
    out.push_back({DemoKind::LlmWeight,
                   std::string(toString(DemoKind::LlmWeight)) + "_4096",
                   {4096, 4096},
                   "The transformer weight at 4096 × 4096 (16.7 M values)"});
    return out;
  }();
  return list;
}

class DemoSource : public TensorSource {
public:
  DemoSource() {
    for (const DemoEntry& d : entries()) {
      TensorEntry e;
      e.name = d.name;
      e.shape = d.shape;
      e.storedDtype = "float32";
      e.bytes = static_cast<uint64_t>(shapeNumel(d.shape)) * sizeof(float);
      e.metadata["description"] = d.description;
      list_.push_back(std::move(e));
    }
  }
  std::string formatName() const override { return "demo"; }
  const std::filesystem::path& path() const override { return path_; }
  const std::vector<TensorEntry>& list() const override { return list_; }

  Tensor read(const std::string& name, const std::atomic<bool>* cancel) const override {
    for (const DemoEntry& d : entries()) {
      if (d.name != name)
        continue;
      if (cancel && cancel->load())
        throw Cancelled();
      Tensor t = makeDemoTensor(d.kind, d.shape);
      t.name = d.name;
      return t;
    }
    throw Error("demo: no tensor named '" + name + "'");
  }

private:
  std::filesystem::path path_{"demo:"};
  std::vector<TensorEntry> list_;
};

} // namespace

std::shared_ptr<const TensorSource> makeDemoSource() {
  return std::make_shared<DemoSource>();
}

std::vector<std::string> demoTensorNames() {
  std::vector<std::string> names;
  for (const DemoEntry& d : entries())
    names.push_back(d.name);
  return names;
}

std::string defaultDemoTensor() {
  return toString(DemoKind::LlmWeight);
}

} // namespace qs
