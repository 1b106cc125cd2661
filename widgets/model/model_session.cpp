#include "widgets/model/model_session.h"

namespace qs {

ModelSession::ModelSession(QObject* parent) : QObject(parent) {
  qRegisterMetaType<ScannedTensor>();
  qRegisterMetaType<std::shared_ptr<const ModelPlan>>();
}

ModelSession::~ModelSession() = default;

void ModelSession::setSource(std::shared_ptr<const TensorSource> source, const QString& label) {
  scanJob_.discard();
  planJob_.discard();
  source_ = std::move(source);
  label_ = label;
  scan_ = ScanResult{};
  planned_.reset();
  plan_.reset();
  emit sourceChanged();
}

void ModelSession::startScan(const ScanOptions& options) {
  if (!source_)
    return;
  planJob_.discard();
  options_ = options;
  options_.imatrix = imatrix_.get();
  scan_ = ScanResult{};
  scan_.model = label_.toStdString();
  scan_.formats = options.formats;
  scan_.complete = false;
  planned_.reset();
  plan_.reset();

  JobHandlers<ScanResult> handlers;
  handlers.done = [this](ScanResult result) {
    scan_ = std::move(result);
    planned_ = std::make_shared<const ScanResult>(scan_);
    emit scanEnded(true, {});
  };
  handlers.cancelled = [this] {
    // The tensors posted so far stay; a plan of them is still a plan.
    scan_.complete = false;
    if (!scan_.tensors.empty())
      planned_ = std::make_shared<const ScanResult>(scan_);
    emit scanEnded(false, {});
  };
  handlers.failed = [this](const QString& message) {
    scan_.complete = false;
    emit scanEnded(false, message);
  };
  scanJob_.start<ScanResult>(
      [this, source = source_, options = options_, imatrix = imatrix_](JobControl& job) {
        return scanModel(*source, options, job.cancelFlag(),
                         [this, &job](const ScannedTensor& tensor, size_t done, size_t total) {
                           job.post([this, tensor, done, total] {
                             scan_.tensors.push_back(tensor);
                             emit tensorScanned(scan_.tensors.back(), static_cast<int>(done),
                                                static_cast<int>(total));
                           });
                         });
      },
      std::move(handlers));
  emit scanStarted(static_cast<int>(source_->list().size()));
}

void ModelSession::cancelScan() {
  scanJob_.cancel(); // still reports, as cancelled, after the tensors it posted
}

void ModelSession::setRequest(const PlanRequest& request) {
  request_ = request;
  if (planned_)
    runPlan();
}

void ModelSession::runPlan() {
  JobHandlers<std::shared_ptr<const ModelPlan>> handlers;
  handlers.done = [this](std::shared_ptr<const ModelPlan> plan) {
    plan_ = std::move(plan);
    emit planReady(plan_);
  };
  handlers.failed = [this](const QString& message) {
    plan_.reset(); // nothing stale stays on screen
    emit planFailed(message);
  };
  planJob_.start<std::shared_ptr<const ModelPlan>>(
      [scan = planned_, request = request_](JobControl&) {
        return std::make_shared<const ModelPlan>(planModel(*scan, request));
      },
      std::move(handlers));
}

void ModelSession::waitForWorkers() {
  scanJob_.waitForDone();
  planJob_.waitForDone();
}

} // namespace qs
