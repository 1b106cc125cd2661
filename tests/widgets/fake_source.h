#pragma once
// An in-memory TensorSource for the widget tests: tensors whose value at
// flat index i is value(i), optional blocking reads (to test cancel), and a
// readRows that counts calls (to test chunked reading).
#include "core/error.h"
#include "core/io/tensor_source.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

namespace qs::test {

class FakeSource : public TensorSource {
public:
  explicit FakeSource(std::string format = "npy") : format_(std::move(format)) {}

  void add(const std::string& name, Shape shape) {
    TensorEntry e;
    e.name = name;
    e.shape = shape;
    e.storedDtype = "float32";
    e.bytes = static_cast<uint64_t>(shapeNumel(shape)) * 4;
    entries_.push_back(e);
  }
  // Lists the tensor as one QuantScope cannot read (TensorEntry::unreadable).
  void markUnreadable(const std::string& name, const std::string& reason) {
    for (auto& e : entries_)
      if (e.name == name)
        e.unreadable = reason;
  }
  static float value(int64_t i) { return static_cast<float>((i * 7919) % 1001 - 500) / 100.0f; }

  std::string formatName() const override { return format_; }
  bool readsRowsCheaply() const override { return cheapRows; }
  const std::filesystem::path& path() const override { return path_; }
  const std::vector<TensorEntry>& list() const override { return entries_; }

  Tensor read(const std::string& name, const std::atomic<bool>* cancel) const override {
    const TensorEntry* e = find(name);
    if (!e)
      throw Error("fake: no tensor named '" + name + "'");
    return readRows(name, {0, e->shape.empty() ? 1 : e->shape[0]}, cancel);
  }
  Tensor readRows(const std::string& name, RowSlice slice, const std::atomic<bool>* cancel) const override {
    const TensorEntry* e = find(name);
    if (!e)
      throw Error("fake: no tensor named '" + name + "'");
    ++rowReads;
    // A "slow" source: waits until cancelled (or gives up after 10 s).
    if (blockUntilCancelled) {
      for (int i = 0; i < 10000 && !(cancel && cancel->load()); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (cancel && cancel->load())
        throw Cancelled();
    }
    const int64_t numel = shapeNumel(e->shape);
    const int64_t rows = e->shape.empty() ? 1 : e->shape[0];
    const int64_t rowElems = rows ? numel / rows : 0;
    Tensor t;
    t.name = name;
    t.shape = e->shape;
    if (!t.shape.empty())
      t.shape[0] = slice.end - slice.begin;
    t.values.resize(static_cast<size_t>((slice.end - slice.begin) * rowElems));
    for (int64_t i = 0; i < static_cast<int64_t>(t.values.size()); ++i)
      t.values[static_cast<size_t>(i)] = value(slice.begin * rowElems + i);
    return t;
  }

  bool blockUntilCancelled = false;
  bool cheapRows = true; // false: whole-tensor reads go through read() in one go
  mutable std::atomic<int> rowReads{0};

private:
  std::string format_;
  std::filesystem::path path_{"fake.npy"};
  std::vector<TensorEntry> entries_;
};

} // namespace qs::test
