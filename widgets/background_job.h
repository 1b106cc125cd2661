#pragma once
// BackgroundJob: the one way the GUI runs work off its thread (tensor reads,
// analysis, sweep, error-map pooling, export, layer comparison); see
// docs/ARCHITECTURE.md.
//
// - The work gets a JobControl: a cancel flag to poll (core calls take
//   cancelFlag()), progress() and post() callable from the worker.
// - Policy::LatestWins: start() makes the running job stale (cancelled, its
//   outcome dropped). Policy::DeliverEach: every job reports.
// - cancel() asks the current jobs to stop; they still report, as cancelled.
//   discard() cancels them and drops what they would report.
// - Outcomes, progress (throttled: a report reaches the GUI thread when its
//   text changed or the fraction moved by 0.1 %, and 1 always) and posts
//   arrive through queued events, in order, never synchronously inside
//   start(), and only while the job is current and this object lives. Own
//   it by value (or as a child) in the receiver.
// - Jobs run one at a time, in start order, on an owned thread; a job made
//   stale before it began does not run. The destructor cancels and waits.
#include "core/error.h"

#include <QObject>
#include <QString>
#include <QThreadPool>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace qs {

class BackgroundJob;

class JobControl : public std::enable_shared_from_this<JobControl> {
public:
  explicit JobControl(BackgroundJob* owner) : owner_(owner) {}

  bool isCancelled() const { return cancel_.load(std::memory_order_relaxed); }
  const std::atomic<bool>* cancelFlag() const { return &cancel_; }
  void throwIfCancelled() const;
  // Any thread. Finer steps than 0.1 % with the same text are not delivered.
  void progress(double fraction, const QString& text = {});
  // Any thread. Runs `what` on the GUI thread, in order, while the job is current.
  void post(std::function<void()> what);

private:
  friend class BackgroundJob;
  bool requestCancel() { return !cancel_.exchange(true); }

  BackgroundJob* owner_; // outlives the work: its destructor waits for the worker
  std::atomic<bool> cancel_{false};
  std::mutex mutex_;      // guards the last delivered step
  int shownPermille_ = 0; // below 0.1 % is not worth showing
  QString shownText_;
};

template <class Result> struct JobHandlers {
  std::function<void(Result)> done;
  std::function<void(const QString& message)> failed; // a std::exception from the work
  std::function<void()> cancelled;                    // qs::Cancelled, or cancel() was asked
  std::function<void(double fraction, const QString& text)> progress;
};

class BackgroundJob : public QObject {
  Q_OBJECT
public:
  enum class Policy { LatestWins, DeliverEach };

  explicit BackgroundJob(Policy policy = Policy::LatestWins, QObject* parent = nullptr);
  ~BackgroundJob() override;

  template <class Result> void start(std::function<Result(JobControl&)> work, JobHandlers<Result> handlers);

  // True when a job that had not been asked to stop was asked now.
  bool cancel();
  void discard();
  // A current job has not reported yet.
  bool isBusy() const { return !current_.empty(); }
  // Blocks until the worker is idle (tests, --screenshot).
  void waitForDone();

private:
  friend class JobControl;
  struct Current {
    std::shared_ptr<JobControl> control;
    std::function<void(double, const QString&)> progress;
  };

  std::shared_ptr<JobControl> begin(std::function<void(double, const QString&)> progress);
  bool isCurrent(const JobControl* control) const;
  bool end(const JobControl* control); // false: stale, nothing to deliver
  void deliverProgress(const JobControl* control, double fraction, const QString& text);
  void queue(std::function<void()> work);

  Policy policy_;
  std::vector<Current> current_;
  QThreadPool pool_;
};

template <class Result>
void BackgroundJob::start(std::function<Result(JobControl&)> work, JobHandlers<Result> handlers) {
  auto control = begin(std::move(handlers.progress));
  queue([this, control, work = std::move(work), handlers = std::move(handlers)]() mutable {
    auto value = std::make_shared<std::optional<Result>>();
    auto error = std::make_shared<std::optional<QString>>();
    try {
      control->throwIfCancelled(); // made stale while queued
      value->emplace(work(*control));
    } catch (const Cancelled&) {
    } catch (const std::exception& e) {
      error->emplace(QString::fromUtf8(e.what()));
    }
    QMetaObject::invokeMethod(
        this,
        [this, control, value, error, handlers = std::move(handlers)] {
          if (!end(control.get()))
            return;
          if (control->isCancelled() || (!*value && !*error)) {
            if (handlers.cancelled)
              handlers.cancelled();
          } else if (*error) {
            if (handlers.failed)
              handlers.failed(**error);
          } else if (handlers.done) {
            handlers.done(std::move(**value));
          }
        },
        Qt::QueuedConnection);
  });
}

} // namespace qs
