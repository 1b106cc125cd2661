#pragma once
// Exceptions must not leave an OpenMP region: run() keeps the first one and
// rethrow() throws it after the region; the other iterations see stop() and
// skip their work. A set cancel flag ends the loop the same way (qs::Cancelled).
#include "core/error.h"

#include <atomic>
#include <exception>
#include <mutex>

namespace qs {

class ParallelErrors {
public:
  explicit ParallelErrors(const std::atomic<bool>* cancel) : cancel_(cancel) {}
  bool stop() const {
    return failed_.load(std::memory_order_relaxed) || (cancel_ && cancel_->load(std::memory_order_relaxed));
  }
  template <class F> void run(F&& f) {
    if (stop())
      return;
    try {
      f();
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_)
        error_ = std::current_exception();
      failed_ = true;
    }
  }
  void rethrow() const {
    if (error_)
      std::rethrow_exception(error_);
    if (cancel_ && cancel_->load())
      throw Cancelled();
  }

private:
  const std::atomic<bool>* cancel_;
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::exception_ptr error_;
};

} // namespace qs
