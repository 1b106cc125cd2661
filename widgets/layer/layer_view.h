#pragma once
// LayerView: the layer workbench. The user picks a weight W and activations X
// from the open sources (or the synthetic demo layer), the weight and
// activation formats and the method options; the comparison of RTN,
// SmoothQuant, AWQ and GPTQ (core/layer/layer_compare.h) runs on a worker
// thread and can be cancelled. Shows the method table and plots: output error
// histogram, per-output-channel error, activation channel absmax before and
// after smoothing (outliers highlighted), per-token range, AWQ search curve.
#include "core/layer/layer_compare.h"

#include <QFutureWatcher>
#include <QString>
#include <QWidget>

#include <atomic>
#include <memory>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QTableWidget;

namespace qs {

class Document;

class LayerView : public QWidget {
  Q_OBJECT
public:
  explicit LayerView(Document* document, QWidget* parent = nullptr);
  ~LayerView() override; // cancels a running comparison and waits for it

  QString title() const { return tr("Layer"); }

  // The options the controls describe.
  LayerOptions options() const;
  // Starts a comparison with the current choices (cancels a running one).
  void run();
  void cancel();
  bool isRunning() const;
  std::shared_ptr<const LayerReport> report() const { return report_; }
  // Chooses operands by entry name (empty weight = the demo layer); false if not listed.
  bool selectOperands(const QString& weight, const QString& input);
  QList<QWidget*> exportables() const;

signals:
  // A run ended: ok with a new report, or not (error or cancelled; message says which).
  void finished(bool ok, const QString& message);

private:
  struct Outcome {
    std::shared_ptr<const LayerReport> report;
    QString how;    // how X was flattened
    QString source; // "file: W x X"
    QString error;  // empty on success
    bool cancelled = false;
  };

  void buildUi();
  void refillOperands();
  void weightChosen();
  void onFinished();
  void showReport();
  void fillTable();
  void plotErrorHistogram();
  void plotChannelError();
  void plotActivationAbsMax();
  void plotTokenRange();
  void plotAwqGrid();
  void setStatus(const QString& text);

  Document* document_;
  QComboBox* weightCombo_ = nullptr;
  QComboBox* inputCombo_ = nullptr;
  QComboBox* wFormat_ = nullptr;
  QComboBox* wGranularity_ = nullptr;
  QSpinBox* groupSize_ = nullptr;
  QCheckBox* wAsym_ = nullptr;
  QComboBox* aFormat_ = nullptr;
  QComboBox* aMode_ = nullptr;
  QComboBox* aClip_ = nullptr;
  QSlider* alpha_ = nullptr;
  QLabel* alphaLabel_ = nullptr;
  QDoubleSpinBox* calibFraction_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QCheckBox* actOrder_ = nullptr;
  QComboBox* outlierRule_ = nullptr;
  QCheckBox* methodBoxes_[4] = {};
  QPushButton* runButton_ = nullptr;
  QPushButton* cancelButton_ = nullptr;
  QLabel* status_ = nullptr;
  QLabel* summary_ = nullptr;
  QTableWidget* table_ = nullptr;
  QCustomPlot* errorHist_ = nullptr;
  QCustomPlot* channelError_ = nullptr;
  QCustomPlot* actAbsMax_ = nullptr;
  QCustomPlot* tokenRange_ = nullptr;
  QCustomPlot* awqGrid_ = nullptr;

  QFutureWatcher<Outcome> watcher_;
  std::shared_ptr<std::atomic<bool>> cancel_;
  bool rerun_ = false; // run() while busy: start again when the old job ends
  std::shared_ptr<const LayerReport> report_;
  QString how_, source_;
};

} // namespace qs
