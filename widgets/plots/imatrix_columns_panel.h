#pragma once
// ImatrixColumnsPanel: the Outliers tab's per-input-column view of the
// current tensor against the loaded imatrix (core/model/imatrix_columns.h):
// the imatrix weight E[x²] of each input column (log axis) with the weight's
// own column absmax max_i |W_ij| over it (right log axis), the columns where
// both are large marked and listed ("activation outliers hit these weight
// columns"), and the importance-weighted error of the current config beside
// its plain SSE. Computed on its own BackgroundJob; when no imatrix entry
// fits the tensor, one line says why.
#include "core/io/imatrix.h"
#include "core/model/imatrix_columns.h"
#include "core/quant/quant_result.h"
#include "widgets/background_job.h"

#include <QWidget>

#include <memory>
#include <optional>

class QCustomPlot;
class QCPGraph;
class QLabel;
class QTableWidget;

namespace qs {

class ImatrixColumnsPanel : public QWidget {
  Q_OBJECT
public:
  static constexpr int kMaxListed = 200; // rows of the hit list

  explicit ImatrixColumnsPanel(QWidget* parent = nullptr);
  ~ImatrixColumnsPanel() override;

  void setImatrix(std::shared_ptr<const Imatrix> imatrix);
  // The current result and the tensor it quantized (both may be null).
  void setTensor(std::shared_ptr<const QuantResult> result, std::shared_ptr<const Tensor> original);
  // Drops the tensor (the view is hidden); what is drawn stays.
  void release();

  bool isBusy() const { return job_.isBusy(); }
  void waitForDone() { job_.waitForDone(); }
  // The plot and list are shown (an entry fits and its columns are computed).
  bool hasColumns() const { return columns_.has_value(); }
  const ImatrixColumns* columns() const { return columns_ ? &*columns_ : nullptr; }
  QString statusText() const;
  QString tensorName() const; // of the result it was given; empty: none
  QString errorText() const;
  QCustomPlot* plot() const { return plot_; }
  QCPGraph* importanceGraph() const { return importance_; }
  QCPGraph* absMaxGraph() const { return absMax_; }
  QCPGraph* hitGraph() const { return hits_; }
  QTableWidget* hitTable() const { return table_; }

protected:
  void resizeEvent(QResizeEvent* event) override;

signals:
  // A computation ended (done, failed or cancelled) or nothing was to compute.
  void updated();

private:
  void recompute();
  void showStatus(const QString& text); // one line instead of the plot
  void fitCollapsed();                  // without the plot, as high as the line
  void draw();

  std::shared_ptr<const Imatrix> imatrix_;
  std::shared_ptr<const QuantResult> result_;
  std::shared_ptr<const Tensor> original_;
  std::optional<ImatrixColumns> columns_;
  QLabel* status_ = nullptr;
  QLabel* error_ = nullptr;
  QWidget* body_ = nullptr;
  QCustomPlot* plot_ = nullptr;
  QCPGraph *importance_ = nullptr, *absMax_ = nullptr, *hits_ = nullptr;
  QTableWidget* table_ = nullptr;
  BackgroundJob job_;
};

} // namespace qs
