#include "widgets/layer/layer_view.h"

#include "widgets/document.h"
#include "widgets/layer/layer_comparison.h"
#include "widgets/layer/layer_operand_picker.h"
#include "widgets/layer/layer_options_panel.h"
#include "widgets/layer/layer_plots.h"
#include "widgets/layer/layer_results_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

namespace qs {

namespace {

int sourceOf(const Document& document, const QString& path, const QString& name) {
  return name.isEmpty() ? -1 : document.indexOfPath(path);
}

} // namespace

LayerView::LayerView(Document* document, QWidget* parent) : QWidget(parent), document_(document) {
  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(buildControls());
  plots_ = new LayerPlots(this);
  splitter->addWidget(plots_);
  splitter->setStretchFactor(0, 2);
  splitter->setStretchFactor(1, 3);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(splitter);
  connect(document_, &Document::layerOperandsRead, this, [this](std::shared_ptr<const LayerTensors> ops) {
    if (reading_)
      startComparison(std::move(ops));
  });
  connect(document_, &Document::layerReadFailed, this, [this](const QString& message, bool cancelled) {
    if (!reading_)
      return;
    reading_ = false;
    if (cancelled)
      fail(tr("Cancelled"), tr("Cancelled"));
    else
      fail(tr("Error: %1").arg(message), message);
  });
}

LayerView::~LayerView() = default; // comparison_ cancels and waits

QWidget* LayerView::buildControls() {
  auto* top = new QWidget(this);
  auto* layout = new QVBoxLayout(top);
  layout->setContentsMargins(4, 4, 4, 4);
  operands_ = new LayerOperandPicker(document_, top);
  layout->addWidget(operands_);
  layout->addWidget(new LayerOptionsPanel(document_, top));
  auto* buttons = new QHBoxLayout;
  runButton_ = new QPushButton(tr("Compare"), top);
  cancelButton_ = new QPushButton(tr("Cancel"), top);
  cancelButton_->setEnabled(false);
  status_ = new QLabel(top);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  buttons->addWidget(runButton_);
  buttons->addWidget(cancelButton_);
  buttons->addWidget(status_, 1);
  layout->addLayout(buttons);
  results_ = new LayerResultsView(top);
  layout->addWidget(results_, 1);
  connect(runButton_, &QPushButton::clicked, this, &LayerView::run);
  connect(cancelButton_, &QPushButton::clicked, this, &LayerView::cancel);
  return top;
}

LayerOptions LayerView::options() const {
  return document_->layerSettings().toOptions();
}

bool LayerView::selectOperands(const QString& weight, const QString& input) {
  return operands_->select(weight, input);
}

QList<QWidget*> LayerView::exportables() const {
  return plots_->exportables();
}

void LayerView::run() {
  comparison_.discard(); // a run in progress is replaced
  if (reading_) {
    reading_ = false;
    document_->cancelLayerRead();
  }
  try {
    pending_ = options();
  } catch (const Error& e) {
    fail(QString::fromUtf8(e.what()), QString::fromUtf8(e.what()));
    return;
  }
  if (pending_.methods.empty()) {
    fail(tr("Choose at least one method"), tr("Choose at least one method"));
    return;
  }
  const LayerSettings& s = document_->layerSettings();
  if (sourceOf(*document_, s.weightPath, s.weightName) < 0) { // the demo layer
    startComparison(nullptr);
    return;
  }
  if (!startRead())
    fail(tr("Choose the input activations X"), tr("Choose the input activations X"));
}

bool LayerView::startRead() {
  const LayerSettings& s = document_->layerSettings();
  const int xs = sourceOf(*document_, s.inputPath, s.inputName);
  if (xs < 0)
    return false;
  reading_ = true;
  cancelButton_->setEnabled(true);
  status_->setText(tr("Reading the layer…"));
  document_->readLayerOperands(document_->indexOfPath(s.weightPath), s.weightName, xs, s.inputName);
  return true;
}

void LayerView::startComparison(std::shared_ptr<const LayerTensors> operands) {
  reading_ = false;
  cancelButton_->setEnabled(true);
  status_->setText(operands ? tr("Comparing…") : tr("Reading the layer…"));
  JobHandlers<LayerRun> handlers;
  handlers.progress = [this](double, const QString& text) { status_->setText(text); };
  handlers.done = [this](LayerRun run) { showRun(run); };
  handlers.failed = [this](const QString& message) { fail(tr("Error: %1").arg(message), message); };
  handlers.cancelled = [this] { fail(tr("Cancelled"), tr("Cancelled")); };
  comparison_.start<LayerRun>([operands = std::move(operands), options = pending_](
                                  JobControl& job) { return compareLayer(operands, options, job); },
                              std::move(handlers));
}

void LayerView::cancel() {
  if (reading_)
    document_->cancelLayerRead(); // reports through layerReadFailed
  comparison_.cancel();
}

void LayerView::fail(const QString& status, const QString& message) {
  cancelButton_->setEnabled(false);
  status_->setText(status);
  emit finished(false, message);
}

void LayerView::showRun(const LayerRun& run) {
  cancelButton_->setEnabled(false);
  report_ = run.report;
  status_->setText(tr("Done in %1 s").arg(report_->totalMs / 1000.0, 0, 'f', 2));
  results_->showReport(*report_, run.source, run.how);
  plots_->showReport(*report_);
  emit finished(true, QString());
}

} // namespace qs
