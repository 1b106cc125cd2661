#pragma once
// Analyzer: runs qs::quantize for the current tensor and config (and the
// pinned configs) on a worker thread, so the GUI thread only draws.
//
// Change coalescing: the first change after a quiet period starts a job at
// once; further changes within `debounceMs` of each other cancel the running
// (now stale) job through its atomic flag and restart a single-shot timer, so
// a burst ends with exactly one job for the last state. Results of stale jobs
// are dropped. Jobs run one at a time on a BackgroundJob thread (the core uses
// OpenMP inside), and the destructor cancels and waits for them.
#include "core/pipeline/quantize.h"
#include "widgets/background_job.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>
#include <vector>

namespace qs {

// What a finished job hands to the GUI thread.
struct AnalysisOutput {
  std::shared_ptr<const Tensor> tensor;
  // Each config succeeds or fails on its own: a config the core refuses for
  // this tensor (qs::Error, e.g. an axis it does not have) leaves its result
  // null and says why, and the others are still computed.
  std::shared_ptr<const QuantResult> current;
  QString currentError;                                   // why `current` is null ("" = it is not)
  std::vector<std::shared_ptr<const QuantResult>> pinned; // same order as setPinned()
  std::vector<QString> pinnedErrors;                      // same order; "" = the pin applies
  double jobMs = 0;                                       // wall time of the job on the worker
  double latencyMs = 0;                                   // from the change that triggered it to delivery
  quint64 generation = 0;
};

class Analyzer : public QObject {
  Q_OBJECT
public:
  explicit Analyzer(QObject* parent = nullptr);
  ~Analyzer() override;

  void setDebounceMs(int ms);
  void setOptions(const AnalysisOptions& options);

  void setTensor(std::shared_ptr<const Tensor> tensor);
  void setConfig(const QuantConfig& config);
  void setPinned(const std::vector<QuantConfig>& configs);

  bool isBusy() const { return running_ || pending_; }
  const AnalysisOutput& last() const { return last_; }
  quint64 jobsStarted() const { return jobsStarted_; }
  quint64 jobsCancelled() const { return jobsCancelled_; }

  // Blocks until the worker is idle (tests and --screenshot only).
  void waitForWorker();

signals:
  void busyChanged(bool busy);
  // Every finished job for the current state, refused configs included (see
  // AnalysisOutput): the views always show the current tensor.
  void resultReady(const qs::AnalysisOutput& output);
  // The current config was refused (after its resultReady), or the job failed
  // as a whole (then no resultReady; views keep the last result).
  void failed(const QString& message);

private:
  struct Job;
  void changed();
  void launch();
  void finished(const std::shared_ptr<Job>& job);

  std::shared_ptr<const Tensor> tensor_;
  QuantConfig config_;
  std::vector<QuantConfig> pinnedConfigs_;
  AnalysisOptions options_;

  // Results kept across jobs for the current tensor: the pinned ones (their
  // configs do not change when the current config does) and the last current
  // one (pinning it, or undoing back to it, costs nothing).
  struct CachedResult {
    QuantConfig config;
    std::shared_ptr<const QuantResult> result;
    QString error; // a refused pin stays refused until the tensor changes
  };
  std::vector<CachedResult> cache_;
  std::shared_ptr<const QuantResult> lastCurrent_;
  QuantConfig lastConfig_;
  std::shared_ptr<const TensorSummary> summary_; // input-only analysis of tensor_

  QTimer debounce_;
  // Every job reports (a cancelled one too): the next starts when it has.
  BackgroundJob worker_{BackgroundJob::Policy::DeliverEach};
  bool running_ = false;
  bool pending_ = false;
  quint64 generation_ = 0;
  double firstPendingChangeMs_ = 0;
  QElapsedTimer clock_;
  AnalysisOutput last_;
  quint64 jobsStarted_ = 0, jobsCancelled_ = 0;
};

} // namespace qs
