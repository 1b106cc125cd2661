#pragma once
// ModelSession: the state of the Model view. It holds the open model (a
// TensorSource from openModel, shared with the Document), runs the scan
// (core/model/scan.h) on a BackgroundJob tensor by tensor, and plans
// (core/model/model_plan.h) on another whenever the request changes; the
// newest request wins. The GUI thread only receives results.
#include "core/io/tensor_source.h"
#include "core/model/model_plan.h"
#include "core/model/scan.h"
#include "widgets/background_job.h"

#include <QObject>
#include <QString>

#include <memory>

namespace qs {

class ModelSession : public QObject {
  Q_OBJECT
public:
  explicit ModelSession(QObject* parent = nullptr);
  ~ModelSession() override; // the jobs cancel and wait

  // A new model: cancels a scan and forgets the scan and the plan.
  void setSource(std::shared_ptr<const TensorSource> source, const QString& label);
  std::shared_ptr<const TensorSource> source() const { return source_; }
  QString label() const { return label_; }

  // The importance matrix later scans weigh their errors with (null: none);
  // the session keeps it alive for them.
  void setImatrix(std::shared_ptr<const Imatrix> imatrix) { imatrix_ = std::move(imatrix); }
  std::shared_ptr<const Imatrix> imatrix() const { return imatrix_; }

  // Scans every tensor with `options` (replacing a scan in progress);
  // tensorScanned reports each, scanEnded the end.
  void startScan(const ScanOptions& options);
  void cancelScan();
  bool isScanning() const { return scanJob_.isBusy(); }
  // The tensors scanned so far (all of them once scanEnded said complete).
  const ScanResult& scan() const { return scan_; }
  const ScanOptions& scanOptions() const { return options_; }

  // The ended scan (complete or cancelled) plans are made of; null before.
  std::shared_ptr<const ScanResult> endedScan() const { return planned_; }

  // Plans the ended scan under `request` on the worker (a newer request
  // replaces an older one still running); planReady or planFailed follow.
  // Before a scan has ended the request is kept for later.
  void setRequest(const PlanRequest& request);
  const PlanRequest& request() const { return request_; }
  std::shared_ptr<const ModelPlan> plan() const { return plan_; }
  bool isPlanning() const { return planJob_.isBusy(); }

  void waitForWorkers(); // tests, --screenshot

signals:
  void sourceChanged();
  void scanStarted(int total);
  void tensorScanned(const qs::ScannedTensor& tensor, int done, int total);
  void scanEnded(bool complete, const QString& error);
  void planReady(std::shared_ptr<const qs::ModelPlan> plan);
  void planFailed(const QString& message);

private:
  void runPlan();

  std::shared_ptr<const TensorSource> source_;
  QString label_;
  ScanOptions options_;
  std::shared_ptr<const Imatrix> imatrix_;
  ScanResult scan_;
  std::shared_ptr<const ScanResult> planned_; // the finished scan the plans use
  PlanRequest request_;
  std::shared_ptr<const ModelPlan> plan_;
  BackgroundJob scanJob_, planJob_;
};

} // namespace qs
