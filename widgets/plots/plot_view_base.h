#pragma once
// PlotViewBase: a ResultView made of a row of controls above one QCustomPlot
// with a title line, the shared style, the "Export…" context menu and
// dark/light palette tracking. Most plot views derive from it.
#include "widgets/result_view.h"

class QCustomPlot;
class QCPTextElement;
class QHBoxLayout;
class QVBoxLayout;

namespace qs {

class PlotViewBase : public ResultView {
  Q_OBJECT
public:
  explicit PlotViewBase(QWidget* parent = nullptr);

  QCustomPlot* plot() const { return plot_; }
  QList<QWidget*> exportables() override;

protected:
  // Controls go here (above the plot); it ends with a stretch.
  QHBoxLayout* controls() const { return controls_; }
  QVBoxLayout* mainLayout() const { return layout_; }
  // "tensor — INT4 sym · group 128" over the plot.
  void setPlotTitle(const QString& text);
  // Call at the end of the most-derived constructor (title() is virtual).
  void installExport();
  // Shows the legend where it covers no data: a free corner of the axes, else
  // a row under them (plot_placement.h decides at every layout).
  void showLegend();
  // Removes every graph, plottable and item (the title stays).
  void clearPlot();
  void changeEvent(QEvent* event) override;

private:
  QVBoxLayout* layout_ = nullptr;
  QHBoxLayout* controls_ = nullptr;
  QCustomPlot* plot_ = nullptr;
  QCPTextElement* title_ = nullptr;
};

} // namespace qs
