// GUI latency probe: drives the real MainWindow offscreen on a 4096 x 4096
// tensor and measures
//   - config change -> every plot updated (edit pushed into the Document until
//     MainWindow::resultsShown for that config, i.e. after the repaints);
//   - the longest the GUI thread was busy with one event (notify() timing);
//   - the largest gap of a 1 ms timer (an event-loop latency probe that also
//     sees OS scheduling delays while the worker uses both cores).
// Two phases: discrete edits at a user's pace (format, bits, granularity,
// percentile) and a 1 s percentile-slider drag at 60 Hz. A third part times
// each view alone (setResult + replot) on real 4096 x 4096 results.
#include "widgets/analyzer.h"
#include "widgets/config_panel.h"
#include "widgets/document.h"
#include "widgets/main_window.h"
#include "widgets/plots/plot_view_base.h"
#include "widgets/view_factory.h"

#include <benchmark/benchmark.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSlider>
#include <QTimer>
#include <qcustomplot.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <random>

namespace {

using namespace qs;

double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Times every top-level event the GUI thread handles.
class TimedApplication : public QApplication {
public:
  using QApplication::QApplication;
  bool notify(QObject* receiver, QEvent* event) override {
    if (depth_++ > 0) {
      if (!recording || event->type() != QEvent::Paint) {
        const bool r = QApplication::notify(receiver, event);
        --depth_;
        return r;
      }
      QElapsedTimer t;
      t.start();
      const bool r = QApplication::notify(receiver, event);
      --depth_;
      paintMs[QString::fromLatin1(receiver->metaObject()->className())] +=
          static_cast<double>(t.nsecsElapsed()) / 1e6;
      return r;
    }
    // Read before delivery: the event may delete its receiver (DeferredDelete).
    const char* receiverClass = receiver->metaObject()->className();
    const int type = event->type();
    QElapsedTimer t;
    t.start();
    const double cpu0 = threadCpuMs();
    const bool r = QApplication::notify(receiver, event);
    --depth_;
    const double ms = static_cast<double>(t.nsecsElapsed()) / 1e6;
    if (recording) {
      const double cpu = threadCpuMs() - cpu0;
      maxEventCpuMs = std::max(maxEventCpuMs, cpu);
      double& kindMax =
          maxCpuByKind[QStringLiteral("type %1 to %2").arg(type).arg(QString::fromLatin1(receiverClass))];
      kindMax = std::max(kindMax, cpu);
    }
    if (recording && ms > maxEventMs) {
      maxEventMs = ms;
      maxEventType = type;
      maxEventReceiver = QString::fromLatin1(receiverClass);
    }
    return r;
  }
  bool recording = false;
  double maxEventMs = 0;
  int maxEventType = 0;
  QString maxEventReceiver;
  double maxEventCpuMs = 0;               // the same, in CPU time of the GUI thread (immune to other load)
  std::map<QString, double> maxCpuByKind; // largest CPU time per (event type, receiver class)
  std::map<QString, double> paintMs;      // total paint time per widget class while recording

private:
  int depth_ = 0;
};

class MemorySource : public TensorSource {
public:
  explicit MemorySource(Tensor t) : tensor_(std::move(t)) {
    TensorEntry e;
    e.name = tensor_.name;
    e.shape = tensor_.shape;
    e.storedDtype = "float32";
    e.bytes = static_cast<uint64_t>(tensor_.numel()) * 4;
    entries_.push_back(e);
  }
  std::string formatName() const override { return "memory"; }
  const std::filesystem::path& path() const override { return path_; }
  const std::vector<TensorEntry>& list() const override { return entries_; }
  Tensor read(const std::string&, const std::atomic<bool>*) const override { return tensor_; }

private:
  Tensor tensor_;
  std::filesystem::path path_{"memory"};
  std::vector<TensorEntry> entries_;
};

// An LLM-like weight: Gaussian rows, a few outlier input channels.
Tensor llmLikeWeight(int64_t rows, int64_t cols) {
  Tensor t;
  t.name = "layer.weight";
  t.shape = {rows, cols};
  t.values.resize(static_cast<size_t>(rows * cols));
  std::mt19937 rng(42);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  for (float& v : t.values)
    v = normal(rng);
  for (int64_t c = 0; c < cols; c += 397)
    for (int64_t r = 0; r < rows; ++r)
      t.values[static_cast<size_t>(r * cols + c)] *= 12.0f;
  return t;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * double(v.size() - 1) + 0.5));
  return v[i];
}

// Runs the event loop (never sleeps the GUI thread, unlike QTest::qWait) for
// `ms`, or until `done()` holds when given (checked every event-loop pass).
void spin(int ms, const std::function<bool()>& done = {}) {
  QEventLoop loop;
  QTimer deadline;
  deadline.setSingleShot(true);
  QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
  deadline.start(ms);
  QTimer poll; // 1 ms: close enough, and no busy loop stealing a core from the worker
  poll.setTimerType(Qt::PreciseTimer);
  if (done) {
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
      if (done())
        loop.quit();
    });
    poll.start(1);
  }
  loop.exec();
}

struct Probe {
  QTimer timer;
  QElapsedTimer clock;
  double last = -1, maxGapMs = 0;
  Probe() {
    timer.setTimerType(Qt::PreciseTimer);
    timer.setInterval(1);
    QObject::connect(&timer, &QTimer::timeout, &timer, [this] {
      const double now = static_cast<double>(clock.nsecsElapsed()) / 1e6;
      if (last >= 0)
        maxGapMs = std::max(maxGapMs, now - last);
      last = now;
    });
  }
  void start() {
    clock.start();
    last = -1;
    maxGapMs = 0;
    timer.start();
  }
  void stop() { timer.stop(); }
};

std::vector<QuantConfig> editSequence() {
  std::vector<QuantConfig> seq;
  auto add = [&](const char* format, std::optional<Granularity> g, ClipMethod clip = ClipMethod::MinMax,
                 double p = 99.99, bool sym = true) {
    QuantConfig c;
    c.format = format;
    c.granularity = g;
    c.clipping.method = clip;
    c.clipping.percentile = p;
    c.symmetric = sym;
    seq.push_back(c);
  };
  const Granularity channel{GranularityKind::Channel, 0, 128};
  const Granularity group128{GranularityKind::Group, 0, 128};
  const Granularity group32{GranularityKind::Group, 0, 32};
  const Granularity tensor{GranularityKind::Tensor, 0, 128};
  for (int round = 0; round < 3; ++round) {
    add("int8", std::nullopt);
    add("int4", channel);
    add("int4", group128);
    add("int4", group32);
    add("int4", group128, ClipMethod::MinMax, 99.99, false);
    add("int3", group128);
    add("int8", tensor, ClipMethod::Percentile, 99.9);
    add("int8", tensor, ClipMethod::Percentile, 99.99);
    add("int8", tensor, ClipMethod::Percentile, 99.999);
    add("fp8_e4m3", tensor);
    add("fp8_e5m2", tensor);
    add("nf4", Granularity{GranularityKind::Group, 0, 64});
    add("mxfp4", std::nullopt);
    add("q4_0", std::nullopt);
  }
  return seq;
}

struct Setup {
  TimedApplication* app;
  MainWindow* window;
};

Setup& setup() {
  static int argc = 1;
  static char arg0[] = "gui_latency_bench";
  static char* argv[] = {arg0, nullptr};
  // Both are deleted at the end of main(): Qt's own statics and the results'
  // buffers must still be alive when they go.
  static TimedApplication& app = *new TimedApplication(argc, argv);
  static MainWindow& window = *new MainWindow(MainWindow::Options{false});
  static bool ready = false;
  if (!ready) {
    window.resize(1600, 1000);
    window.show();
    Document* doc = window.document();
    const int index =
        doc->addSource(std::make_shared<MemorySource>(llmLikeWeight(4096, 4096)), "bench", "memory:bench");
    doc->selectTensor(index, "layer.weight");
    spin(120000, [&] { return doc->tensor() && !window.analyzer()->isBusy(); });
    if (!doc->tensor())
      std::fprintf(stderr, "gui_latency_bench: the tensor never loaded\n");
    spin(200);
    ready = true;
  }
  static Setup s{&app, &window};
  return s;
}

// Pushes `config` into the Document and waits until its plots are shown.
// Returns the latency in ms (negative on timeout).
double editAndWait(MainWindow& window, const QuantConfig& config, std::vector<double>* jobMs,
                   std::vector<double>* plotsMs) {
  double shownAt = -1;
  QElapsedTimer t;
  auto connection = QObject::connect(
      &window, &MainWindow::resultsShown, &window, [&](const AnalysisOutput& out, double plots) {
        if (out.current && out.current->config.format == config.format &&
            out.current->config.clipping == config.clipping && !window.analyzer()->isBusy()) {
          shownAt = static_cast<double>(t.nsecsElapsed()) / 1e6;
          if (jobMs)
            jobMs->push_back(out.jobMs);
          if (plotsMs)
            plotsMs->push_back(plots);
        }
      });
  t.start();
  window.document()->editConfig(config, QStringLiteral("bench"));
  spin(60000, [&] { return shownAt >= 0; });
  QObject::disconnect(connection);
  return shownAt;
}

void BM_ConfigChangeToPlots(benchmark::State& state) {
  Setup& s = setup();
  const auto sequence = editSequence();
  std::vector<double> latency, job, plots;
  std::vector<std::pair<double, QString>> slowest; // latency and the config's label
  Probe probe;
  s.app->maxEventMs = 0;
  s.app->maxEventCpuMs = 0;
  s.app->maxCpuByKind.clear();
  size_t i = 0;
  for (auto _ : state) {
    const QuantConfig& config = sequence[i++ % sequence.size()];
    spin(120); // a user's pace: the previous change has settled
    probe.start();
    s.app->recording = true;
    const double ms = editAndWait(*s.window, config, &job, &plots);
    s.app->recording = false;
    probe.stop();
    state.SetIterationTime(ms / 1e3);
    latency.push_back(ms);
    const auto& shown = s.window->analyzer()->last().current;
    slowest.push_back({ms, shown ? QString::fromStdString(shown->formatLabel) : QString()});
  }
  std::sort(slowest.rbegin(), slowest.rend());
  QStringList worst;
  for (size_t k = 0; k < std::min<size_t>(4, slowest.size()); ++k)
    worst << QStringLiteral("%1 ms %2").arg(slowest[k].first, 0, 'f', 1).arg(slowest[k].second);
  std::fprintf(stderr, "slowest edits: %s\n", qPrintable(worst.join(QStringLiteral("; "))));
  std::fprintf(stderr, "last view updates: %s\n", qPrintable(s.window->viewTimings()));
  std::vector<std::pair<double, QString>> painters;
  for (const auto& [name, ms] : s.app->paintMs)
    painters.push_back({ms, name});
  std::sort(painters.rbegin(), painters.rend());
  QStringList top;
  for (size_t k = 0; k < std::min<size_t>(6, painters.size()); ++k)
    top << QStringLiteral("%1 %2 ms")
               .arg(painters[k].second)
               .arg(painters[k].first / double(latency.size()), 0, 'f', 1);
  std::fprintf(stderr, "paint time per edit: %s\n", qPrintable(top.join(", ")));
  std::vector<std::pair<double, QString>> kinds;
  for (const auto& [kind, ms] : s.app->maxCpuByKind)
    kinds.push_back({ms, kind});
  std::sort(kinds.rbegin(), kinds.rend());
  QStringList heavy;
  for (size_t k = 0; k < std::min<size_t>(6, kinds.size()); ++k)
    heavy << QStringLiteral("%1 %2 ms").arg(kinds[k].second).arg(kinds[k].first, 0, 'f', 1);
  std::fprintf(stderr, "longest GUI events by CPU: %s\n", qPrintable(heavy.join(", ")));
  state.counters["p50_ms"] = percentile(latency, 50);
  state.counters["p95_ms"] = percentile(latency, 95);
  state.counters["max_ms"] = percentile(latency, 100);
  state.counters["quantize_p50_ms"] = percentile(job, 50);
  state.counters["plots_p50_ms"] = percentile(plots, 50);
  state.counters["plots_p95_ms"] = percentile(plots, 95);
  state.counters["max_event_ms"] = s.app->maxEventMs;
  state.counters["max_event_cpu_ms"] = s.app->maxEventCpuMs;
  state.counters["max_timer_gap_ms"] = probe.maxGapMs;
  std::fprintf(stderr,
               "config->plots: p50 %.1f ms, p95 %.1f ms, max %.1f ms (quantize p50 %.1f ms, plots "
               "p50 %.1f / p95 %.1f ms); GUI thread: longest event %.1f ms (type %d to %s; %.1f ms of "
               "CPU), largest 1 ms timer gap %.1f ms\n",
               percentile(latency, 50), percentile(latency, 95), percentile(latency, 100),
               percentile(job, 50), percentile(plots, 50), percentile(plots, 95), s.app->maxEventMs,
               s.app->maxEventType, qPrintable(s.app->maxEventReceiver), s.app->maxEventCpuMs,
               probe.maxGapMs);
}
BENCHMARK(BM_ConfigChangeToPlots)->UseManualTime()->Iterations(42)->Unit(benchmark::kMillisecond);

// One view on its own, shown: setResult() plus a synchronous replot, for two
// real 4096 x 4096 results in turn (so every iteration draws new data): INT4
// group 32 (524 k scales) and INT8 per channel, in CPU time of the GUI
// thread. Arg = the view's index in createPlotViews().
void BM_ViewRedraw(benchmark::State& state) {
  Setup& s = setup();
  static std::shared_ptr<const QuantResult> results[2];
  if (!results[0]) {
    QuantConfig a = s.window->document()->config();
    a.format = "int4";
    a.granularity = Granularity{GranularityKind::Group, 0, 32};
    QuantConfig b = a;
    b.format = "int8";
    b.granularity = Granularity{GranularityKind::Channel, 0, 128};
    editAndWait(*s.window, a, nullptr, nullptr);
    results[0] = s.window->analyzer()->last().current;
    editAndWait(*s.window, b, nullptr, nullptr);
    results[1] = s.window->analyzer()->last().current;
  }
  const auto tensor = s.window->analyzer()->last().tensor;
  QWidget host;
  host.resize(1000, 700);
  auto views = createPlotViews(&host);
  ResultView* view = views[size_t(state.range(0))];
  for (ResultView* other : views)
    other->setVisible(other == view);
  view->resize(host.size());
  host.show();
  spin(50);
  auto* plotView = qobject_cast<PlotViewBase*>(view);
  std::vector<double> cpu, setCpu, replotCpu;
  size_t i = 0;
  for (auto _ : state) {
    const double c0 = threadCpuMs();
    view->setResult(results[i++ % 2], tensor);
    const double c1 = threadCpuMs();
    if (plotView)
      plotView->plot()->replot();
    const double c2 = threadCpuMs();
    cpu.push_back(c2 - c0);
    setCpu.push_back(c1 - c0);
    replotCpu.push_back(c2 - c1);
    state.SetIterationTime((c2 - c0) / 1e3);
    spin(2); // the queued replot (a no-op now) and the repaint
  }
  state.SetLabel(view->title().toStdString());
  state.counters["cpu_p50_ms"] = percentile(cpu, 50);
  state.counters["cpu_max_ms"] = percentile(cpu, 100);
  state.counters["set_p50_ms"] = percentile(setCpu, 50);
  state.counters["replot_p50_ms"] = percentile(replotCpu, 50);
  state.counters["replot_max_ms"] = percentile(replotCpu, 100);
}
BENCHMARK(BM_ViewRedraw)->DenseRange(0, 7)->UseManualTime()->Iterations(20)->Unit(benchmark::kMillisecond);

void BM_PercentileSliderDrag(benchmark::State& state) {
  Setup& s = setup();
  QSlider* slider = s.window->configPanel()->percentileSlider();
  QuantConfig start = s.window->document()->config();
  start.format = "int8";
  start.granularity = Granularity{GranularityKind::Tensor, 0, 128};
  start.clipping.method = ClipMethod::Percentile;
  editAndWait(*s.window, start, nullptr, nullptr);
  std::vector<double> settle;
  Probe probe;
  s.app->maxEventMs = 0;
  s.app->maxEventCpuMs = 0;
  double maxGap = 0;
  for (auto _ : state) {
    spin(120);
    probe.start();
    s.app->recording = true;
    emit slider->sliderPressed();
    int position = 400;
    for (int step = 0; step < 60; ++step) { // 1 s at 60 Hz
      position += (step % 20 < 10) ? 7 : -5;
      slider->setValue(position);
      spin(16);
    }
    emit slider->sliderReleased();
    QElapsedTimer t;
    t.start();
    const double target = ConfigPanel::sliderToPercentile(position);
    spin(60000, [&] {
      const auto& out = s.window->analyzer()->last();
      return !s.window->analyzer()->isBusy() && out.current &&
             out.current->config.clipping.percentile == target;
    });
    const double ms = static_cast<double>(t.nsecsElapsed()) / 1e6;
    spin(30); // the repaints after the last result
    s.app->recording = false;
    probe.stop();
    maxGap = std::max(maxGap, probe.maxGapMs);
    settle.push_back(ms);
    state.SetIterationTime(ms / 1e3);
  }
  state.counters["settle_p50_ms"] = percentile(settle, 50);
  state.counters["max_event_ms"] = s.app->maxEventMs;
  state.counters["max_event_cpu_ms"] = s.app->maxEventCpuMs;
  state.counters["max_timer_gap_ms"] = maxGap;
  std::fprintf(stderr,
               "slider drag (60 moves at 60 Hz): result after release p50 %.1f ms; GUI thread: "
               "longest event %.1f ms (type %d to %s; %.1f ms of CPU), largest 1 ms timer gap %.1f ms\n",
               percentile(settle, 50), s.app->maxEventMs, s.app->maxEventType,
               qPrintable(s.app->maxEventReceiver), s.app->maxEventCpuMs, maxGap);
}
BENCHMARK(BM_PercentileSliderDrag)->UseManualTime()->Iterations(5)->Unit(benchmark::kMillisecond);

} // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  benchmark::Initialize(&argc, argv);
  setup();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  Setup& s = setup();
  delete s.window;
  delete s.app;
  return 0;
}
