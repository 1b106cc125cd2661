#pragma once
// ModelView: the whole model at once (docs/ARCHITECTURE.md, "The whole
// model"). A table of every tensor with one SQNR column per candidate format,
// filled as the scan goes (Scan / Cancel, per-tensor progress); a budget in
// bits per weight (or GB) planned live, the chosen format marked in each row;
// the Pareto curve of error against size; the error per block and role; pins
// and keeps. A double-click opens a tensor in the workbench with its format.
#include "core/model/imatrix_stats.h"
#include "core/model/model_plan.h"
#include "core/quant/quant_config.h"
#include "widgets/background_job.h"
#include "widgets/model/plan_exports.h"

#include <QString>
#include <QWidget>

#include <memory>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QSortFilterProxyModel;
class QTableView;

namespace qs {

class BlockProfilePlot;
class ImatrixStatsTable;
class ElidedLabel;
class FormatPicker;
class ModelSession;
class ModelTable;
class ParetoPlot;
class TensorSource;

class ModelView : public QWidget {
  Q_OBJECT
public:
  explicit ModelView(QWidget* parent = nullptr);
  ~ModelView() override;

  QString title() const { return tr("Model"); }

  // The imatrix (File ▸ Open imatrix) and its statistics: shown beside the
  // plots, and the scan weighs its errors with it (a loaded model is scanned again).
  void setImatrix(std::shared_ptr<const Imatrix> imatrix, std::vector<ImatrixTensorStats> stats);
  ImatrixStatsTable* imatrixTable() const { return imatrixTable_; }

  // A newly opened model: lists its tensors and starts the scan.
  void setModel(std::shared_ptr<const TensorSource> source, const QString& label);
  std::shared_ptr<const TensorSource> source() const;
  // Scans with the chosen formats and granularity (replaces a running scan).
  void startScan();
  void cancelScan();
  // The budget in bits per weight (the slider, the spin box and the request follow).
  void setBudget(double bitsPerWeight);
  double budget() const { return budget_; }
  // The request the plan is made of: budget, pins, keeps.
  PlanRequest request() const;
  // The scan ended complete, its plan for the current request is shown and no newer one is on its way.
  bool isSettled() const;
  QList<QWidget*> exportables() const;
  // Writes the shown plan as `kind` to `path` on a worker; exportFinished follows.
  void exportPlan(PlanExportKind kind, const QString& path);
  bool isExporting() const { return exports_.isBusy(); }
  // The plan's line under the budget: its numbers, or why there is no plan.
  QString planStatusText() const;

  ModelSession* session() const { return session_; }
  ModelTable* table() const { return table_; }
  QTableView* tableView() const { return view_; }
  QSortFilterProxyModel* proxy() const { return proxy_; }
  QSlider* budgetSlider() const { return slider_; }
  QLineEdit* filterEdit() const { return filter_; }
  QLineEdit* pinsEdit() const { return pins_; }
  QLineEdit* keepsEdit() const { return keeps_; }
  FormatPicker* formatPicker() const { return picker_; }
  QComboBox* granularityBox() const { return granularity_; }
  ParetoPlot* paretoPlot() const { return pareto_; }
  BlockProfilePlot* profilePlot() const { return profile_; }

signals:
  // Open `tensor` of the model in the workbench with `config`.
  void openInWorkbench(const QString& tensor, const qs::QuantConfig& config);
  // isSettled() became true (screenshots, tests).
  void settled();
  // An export ended: written (error empty), failed or cancelled (error says which).
  void exportFinished(const QString& path, const QString& error);

private:
  QWidget* buildScanRow();
  QWidget* buildBudgetRow();
  QWidget* buildPlanRow();
  void wire();
  void onScanEnded(bool complete, const QString& error);
  void onPlan(std::shared_ptr<const ModelPlan> plan);
  void requestPlan();
  void updateBudgetRange();
  void showBudget();
  void updateProfile();
  void updateFilter();
  void updateCount();
  void arrangeColumns();
  void activated(const QModelIndex& proxyIndex);
  QuantConfig baseConfig() const;

  ModelSession* session_;
  ModelTable* table_;
  QSortFilterProxyModel* proxy_;
  QTableView* view_ = nullptr;
  FormatPicker* picker_ = nullptr;
  QComboBox* granularity_ = nullptr;
  QPushButton* scan_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QProgressBar* progress_ = nullptr;
  ElidedLabel* scanStatus_ = nullptr;
  QSlider* slider_ = nullptr;
  QDoubleSpinBox* spin_ = nullptr;
  QComboBox* unit_ = nullptr;
  ElidedLabel* planStatus_ = nullptr;
  QLineEdit* pins_ = nullptr;
  QLineEdit* keeps_ = nullptr;
  QLineEdit* filter_ = nullptr;
  QLabel* count_ = nullptr;
  QPushButton* export_ = nullptr;
  QComboBox* profileOf_ = nullptr;
  ParetoPlot* pareto_ = nullptr;
  BlockProfilePlot* profile_ = nullptr;
  QWidget* imatrixBox_ = nullptr;
  QLabel* imatrixLabel_ = nullptr;
  ImatrixStatsTable* imatrixTable_ = nullptr;

  double budget_ = 4.5;                                       // bits per weight
  double rangeLo_ = 2, rangeHi_ = 9;                          // the slider's ends, bits per weight
  bool planPending_ = false;                                  // a request is out and its plan not shown yet
  BackgroundJob exports_{BackgroundJob::Policy::DeliverEach}; // every export reports
};

} // namespace qs
