#include "widgets/analyzer.h"

#include "core/error.h"
#include "core/util/large_alloc.h"

#include <tuple>
#include <utility>

namespace qs {

struct Analyzer::Job {
  quint64 generation = 0;
  std::shared_ptr<const Tensor> tensor;
  QuantConfig config;
  std::shared_ptr<const QuantResult> currentKnown; // reused when only pins changed
  std::vector<QuantConfig> pinnedConfigs;
  std::vector<std::shared_ptr<const QuantResult>> pinnedKnown; // null = compute
  std::vector<QString> pinnedKnownErrors;                      // refused before: not again
  AnalysisOptions options;
  double changeAtMs = 0;

  AnalysisOutput output;
  QString error; // the job failed as a whole (not a refused config)
  bool cancelled = false;

  // One config: its result, or null and the core's reason for refusing it.
  // Cancelled and other failures end the whole job.
  template <typename Compute>
  static std::shared_ptr<const QuantResult> attempt(Compute&& compute, QString& refusal) {
    try {
      return compute();
    } catch (const Error& e) {
      refusal = QString::fromUtf8(e.what());
      return nullptr;
    }
  }

  // Runs on the worker thread.
  void run(const std::atomic<bool>* cancel) {
    QElapsedTimer timer;
    timer.start();
    output.tensor = tensor;
    output.generation = generation;
    try {
      if (cancel->load())
        throw Cancelled();
      if (tensor) {
        output.current = currentKnown ? currentKnown
                                      : attempt([&] { return quantize(*tensor, config, options, cancel); },
                                                output.currentError);
        AnalysisOptions light = options;
        light.keepCodes = false; // pinned results only feed overlays and the table
        for (size_t i = 0; i < pinnedConfigs.size(); ++i) {
          QString refusal = pinnedKnownErrors[i];
          std::shared_ptr<const QuantResult> result;
          if (pinnedKnown[i] || !refusal.isEmpty())
            result = pinnedKnown[i];
          else if (pinnedConfigs[i] == config)
            std::tie(result, refusal) = std::pair(output.current, output.currentError);
          else
            result = attempt([&] { return quantize(*tensor, pinnedConfigs[i], light, cancel); }, refusal);
          output.pinned.push_back(result);
          output.pinnedErrors.push_back(refusal);
        }
      }
    } catch (const Cancelled&) {
      cancelled = true;
    } catch (const std::exception& e) {
      error = QString::fromStdString(e.what());
    }
    output.jobMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
  }
};

Analyzer::Analyzer(QObject* parent) : QObject(parent) {
  qRegisterMetaType<AnalysisOutput>();
  options_.keepCodes = false; // no view draws codes; the tensor export quantizes again with them
  clock_.start();
  debounce_.setSingleShot(true);
  debounce_.setInterval(30);
  connect(&debounce_, &QTimer::timeout, this, [this] {
    if (pending_ && !running_)
      launch();
  });
}

Analyzer::~Analyzer() = default; // worker_ cancels the job and waits

void Analyzer::waitForWorker() {
  worker_.waitForDone();
}

void Analyzer::setDebounceMs(int ms) {
  debounce_.setInterval(ms);
}

void Analyzer::setOptions(const AnalysisOptions& options) {
  options_ = options;
  summary_.reset();
  cache_.clear();
  lastCurrent_.reset();
  changed();
}

void Analyzer::setTensor(std::shared_ptr<const Tensor> tensor) {
  tensor_ = std::move(tensor);
  summary_.reset();
  cache_.clear();
  lastCurrent_.reset();
  changed();
}

void Analyzer::setConfig(const QuantConfig& config) {
  if (config == config_ && (running_ || pending_ || lastCurrent_))
    return;
  config_ = config;
  changed();
}

void Analyzer::setPinned(const std::vector<QuantConfig>& configs) {
  if (configs == pinnedConfigs_)
    return;
  pinnedConfigs_ = configs;
  changed();
}

void Analyzer::changed() {
  const bool wasBusy = isBusy();
  ++generation_;
  if (!pending_)
    firstPendingChangeMs_ = static_cast<double>(clock_.nsecsElapsed()) / 1e6;
  pending_ = true;
  if (running_ && worker_.cancel())
    ++jobsCancelled_; // its result would be stale
  if (!running_ && !debounce_.isActive())
    launch();        // the first change after a quiet period starts at once
  debounce_.start(); // later changes of a burst wait for the burst to end
  if (isBusy() != wasBusy)
    emit busyChanged(isBusy());
}

void Analyzer::launch() {
  auto job = std::make_shared<Job>();
  job->generation = generation_;
  job->tensor = tensor_;
  job->config = config_;
  job->options = options_;
  job->options.summary = summary_;
  job->changeAtMs = firstPendingChangeMs_;
  if (lastCurrent_ && lastConfig_ == config_)
    job->currentKnown = lastCurrent_;
  job->pinnedConfigs = pinnedConfigs_;
  for (const QuantConfig& pinned : pinnedConfigs_) {
    std::shared_ptr<const QuantResult> known;
    QString refusal;
    for (const CachedResult& cached : cache_)
      if (cached.config == pinned)
        std::tie(known, refusal) = std::pair(cached.result, cached.error);
    if (!known && refusal.isEmpty() && lastCurrent_ && lastConfig_ == pinned)
      known = lastCurrent_;
    job->pinnedKnown.push_back(known);
    job->pinnedKnownErrors.push_back(refusal);
  }
  pending_ = false;
  running_ = true;
  ++jobsStarted_;
  // The job keeps its own outcome (error, cancelled): one handler for every ending.
  JobHandlers<bool> handlers;
  handlers.done = [this, job](bool) { finished(job); };
  handlers.cancelled = [this, job] {
    job->cancelled = true;
    finished(job);
  };
  worker_.start<bool>(
      [job](JobControl& control) {
        job->run(control.cancelFlag());
        return true;
      },
      std::move(handlers));
}

void Analyzer::finished(const std::shared_ptr<Job>& job) {
  running_ = false;
  const bool stale = job->cancelled || job->generation != generation_;
  if (!stale) {
    if (!job->error.isEmpty()) {
      emit failed(job->error);
    } else {
      cache_.clear();
      for (size_t i = 0; i < job->pinnedConfigs.size(); ++i)
        cache_.push_back({job->pinnedConfigs[i], job->output.pinned[i], job->output.pinnedErrors[i]});
      if (job->output.current) {
        lastCurrent_ = job->output.current;
        lastConfig_ = job->config;
      }
      if (!summary_ && lastCurrent_) { // later jobs on this tensor skip the input-only analysis
        summary_ = TensorSummary::fromResult(*lastCurrent_, options_.topK);
        // The next result needs a second tensor-sized buffer while this one is
        // on screen: touch its pages now, while the user looks at the plots,
        // not inside the next edit's latency. Queued behind no job (one thread).
        const size_t n = size_t(job->tensor->numel());
        worker_.start<bool>(
            [n](JobControl&) {
              prewarmLarge<float>(n, 2);
              return true;
            },
            {});
      }
      job->output.latencyMs = static_cast<double>(clock_.nsecsElapsed()) / 1e6 - job->changeAtMs;
      last_ = job->output;
      emit resultReady(last_);
      if (!last_.currentError.isEmpty())
        emit failed(last_.currentError);
    }
  }
  if (pending_ && !debounce_.isActive())
    launch();
  if (!isBusy())
    emit busyChanged(false);
}

} // namespace qs
