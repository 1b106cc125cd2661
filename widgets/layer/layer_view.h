#pragma once
// LayerView: the layer workbench. It puts together the operand picker and
// the options panel (both show and edit the Document's layer settings), the
// Compare / Cancel buttons, the results table and the plots, and runs a
// comparison: W and X are read through the Document (its progress and
// Cancel), then RTN, SmoothQuant, AWQ and GPTQ (core/layer/layer_compare.h)
// are compared on a BackgroundJob.
#include "core/layer/layer_compare.h"
#include "widgets/background_job.h"
#include "widgets/layer/layer_settings.h"

#include <QString>
#include <QWidget>

#include <memory>

class QLabel;
class QPushButton;

namespace qs {

class Document;
class LayerOperandPicker;
class LayerPlots;
class LayerResultsView;
struct LayerRun;

class LayerView : public QWidget {
  Q_OBJECT
public:
  explicit LayerView(Document* document, QWidget* parent = nullptr);
  ~LayerView() override; // cancels a running comparison and waits for it

  QString title() const { return tr("Layer"); }

  // The core's options for the Document's layer settings.
  LayerOptions options() const;
  // Starts a comparison with the current settings (replaces a running one).
  void run();
  void cancel();
  bool isRunning() const { return reading_ || comparison_.isBusy(); }
  std::shared_ptr<const LayerReport> report() const { return report_; }
  // Chooses operands by entry name (empty weight = the demo layer); false if not listed.
  bool selectOperands(const QString& weight, const QString& input);
  QList<QWidget*> exportables() const;

signals:
  // A run ended: ok with a new report, or not (error or cancelled; message says which).
  void finished(bool ok, const QString& message);

private:
  QWidget* buildControls();
  bool startRead(); // false when the settings name no usable input
  void startComparison(std::shared_ptr<const LayerTensors> operands);
  void showRun(const LayerRun& run);
  void fail(const QString& status, const QString& message);

  Document* document_;
  LayerOperandPicker* operands_ = nullptr;
  QPushButton* runButton_ = nullptr;
  QPushButton* cancelButton_ = nullptr;
  QLabel* status_ = nullptr;
  LayerResultsView* results_ = nullptr;
  LayerPlots* plots_ = nullptr;

  LayerOptions pending_; // the options of the run whose operands are being read
  bool reading_ = false; // waiting for the Document's read of W and X
  BackgroundJob comparison_;
  std::shared_ptr<const LayerReport> report_;
};

} // namespace qs
