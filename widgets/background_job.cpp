#include "widgets/background_job.h"

#include <algorithm>

namespace qs {

void JobControl::throwIfCancelled() const {
  if (isCancelled())
    throw Cancelled();
}

void JobControl::progress(double fraction, const QString& text) {
  {
    // Readers report per chunk: finer steps would only flood the GUI thread's queue.
    std::lock_guard lock(mutex_);
    const int permille = static_cast<int>(fraction * 1000);
    if (permille <= shownPermille_ && fraction < 1.0 && text == shownText_)
      return;
    shownPermille_ = permille;
    shownText_ = text;
  }
  BackgroundJob* owner = owner_;
  QMetaObject::invokeMethod(
      owner,
      [owner, self = shared_from_this(), fraction, text] {
        owner->deliverProgress(self.get(), fraction, text);
      },
      Qt::QueuedConnection);
}

void JobControl::post(std::function<void()> what) {
  BackgroundJob* owner = owner_;
  QMetaObject::invokeMethod(
      owner,
      [owner, self = shared_from_this(), what = std::move(what)] {
        if (owner->isCurrent(self.get()))
          what();
      },
      Qt::QueuedConnection);
}

BackgroundJob::BackgroundJob(Policy policy, QObject* parent) : QObject(parent), policy_(policy) {
  pool_.setMaxThreadCount(1); // one job at a time; the core parallelises inside
}

BackgroundJob::~BackgroundJob() {
  for (Current& job : current_)
    job.control->requestCancel();
  current_.clear();
  pool_.waitForDone(); // events the worker posts meanwhile die with this object
}

std::shared_ptr<JobControl> BackgroundJob::begin(std::function<void(double, const QString&)> progress) {
  if (policy_ == Policy::LatestWins)
    discard();
  auto control = std::make_shared<JobControl>(this);
  current_.push_back({control, std::move(progress)});
  return control;
}

void BackgroundJob::queue(std::function<void()> work) {
  pool_.start(std::move(work));
}

bool BackgroundJob::cancel() {
  bool asked = false;
  for (Current& job : current_)
    asked = job.control->requestCancel() || asked;
  return asked;
}

void BackgroundJob::discard() {
  cancel();
  current_.clear();
}

void BackgroundJob::waitForDone() {
  pool_.waitForDone();
}

bool BackgroundJob::isCurrent(const JobControl* control) const {
  return std::any_of(current_.begin(), current_.end(),
                     [control](const Current& job) { return job.control.get() == control; });
}

bool BackgroundJob::end(const JobControl* control) {
  const auto it = std::find_if(current_.begin(), current_.end(),
                               [control](const Current& job) { return job.control.get() == control; });
  if (it == current_.end())
    return false;
  current_.erase(it);
  return true;
}

void BackgroundJob::deliverProgress(const JobControl* control, double fraction, const QString& text) {
  for (const Current& job : current_)
    if (job.control.get() == control && job.progress)
      job.progress(fraction, text);
}

} // namespace qs
