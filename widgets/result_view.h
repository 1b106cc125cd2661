#pragma once
// ResultView: the contract between the main window (which owns the Document
// and the Analyzer) and every plot view in widgets/plots/.
//
// The main window creates the views, puts each in a dock or tab titled
// title(), and calls setResult() on the GUI thread whenever the Analyzer
// delivers a new result for the selected tensor and the current config.
// Everything heavy (histograms, pooled error maps, top-k) was already
// computed by the core on the worker thread: a view only draws what it gets.
#include "core/quant/quant_result.h"
#include "core/tensor.h"

#include <QColor>
#include <QList>
#include <QString>
#include <QWidget>

#include <memory>
#include <vector>

namespace qs {

// One pinned configuration, for overlays in compare mode (at most 4).
struct PinnedResult {
  QString label;                             // "P1 · INT4 sym group 128"
  QColor color;                              // the colour the compare table and all overlays use
  std::shared_ptr<const QuantResult> result; // null while computing or when not applicable
  QString notApplicable = {};                // why the core refused this config for the current tensor
};

class ResultView : public QWidget {
  Q_OBJECT
public:
  using QWidget::QWidget;

  // Short name for the dock/tab and for exported file names ("Histogram").
  virtual QString title() const = 0;
  // The plot tab's text: short, so every tab fits the tab bar at 1366 px wide.
  virtual QString tabTitle() const { return title(); }

  // A new result for the current config. `result` is null when there is no
  // tensor or the last job failed (the view then shows an empty state).
  // `original` is the tensor that was quantized (never modified; may be
  // null together with result). Called on the GUI thread only.
  virtual void setResult(std::shared_ptr<const QuantResult> result,
                         std::shared_ptr<const Tensor> original) = 0;

  // Pinned configurations of the same tensor, to overlay (empty = none).
  virtual void setPinned(const std::vector<PinnedResult>& pinned) { (void)pinned; }

  // The view is hidden (e.g. behind another tab) and a newer result exists:
  // drop the results and tensors it holds (hundreds of MB for a large tensor)
  // and keep what is drawn. The window calls setPinned() and setResult()
  // again before the view is shown.
  virtual void releaseResults() {}

  // What the view shows when it has no result: by default what to do with no
  // tensor open; the main window sets why the current config was refused.
  // Takes effect with the next setResult().
  void setEmptyText(const QString& text) { emptyText_ = text; }
  QString emptyText() const { return emptyText_; }
  static QString noTensorText() {
    return tr("Open a tensor file (File ▸ Open, or drop it here)\n"
              "or pick a demo tensor (File ▸ Open demo tensor)");
  }

  // Work the view owes its current result beyond setResult() (the Sweep runs
  // a job of its own, and only while shown): "Export all plots" asks a view
  // that is not caught up to catchUp() and writes once it emits caughtUp().
  virtual bool isCaughtUp() const { return true; }
  virtual void catchUp() {}

  // Widgets to export as images by "Export all plots" (QCustomPlot widgets
  // are saved with their own savePng/saveSvg, others are grabbed).
  // Default: the view itself.
  virtual QList<QWidget*> exportables() { return {this}; }

signals:
  // The user asked to locate an element (e.g. clicked a heat map cell or a
  // top-k row) in the 2-D view [rows = shape[0], cols = rest].
  void locateRequested(qint64 row, qint64 col);
  // The work catchUp() started has ended (done, failed or cancelled).
  void caughtUp();

private:
  QString emptyText_ = noTensorText();
};

} // namespace qs
