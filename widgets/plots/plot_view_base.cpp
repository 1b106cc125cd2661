#include "widgets/plots/plot_view_base.h"

#include "widgets/plots/plot_export.h"
#include "widgets/plots/plot_placement.h"
#include "widgets/plots/plot_style.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QVBoxLayout>
#include <qcustomplot.h>

namespace qs {

PlotViewBase::PlotViewBase(QWidget* parent) : ResultView(parent) {
  layout_ = new QVBoxLayout(this);
  layout_->setContentsMargins(4, 4, 4, 4);
  layout_->setSpacing(4);
  controls_ = new QHBoxLayout;
  controls_->setSpacing(8);
  layout_->addLayout(controls_);
  plot_ = new QCustomPlot(this);
  plot_->setObjectName(QStringLiteral("plot"));
  layout_->addWidget(plot_, 1);
  plot_->plotLayout()->insertRow(0);
  title_ = new QCPTextElement(plot_, QString(), QFont(plot_->font().family(), 10, QFont::Bold));
  plot_->plotLayout()->addElement(0, 0, title_);
  plotstyle::applyBase(plot_);
  plot_->legend->setVisible(false); // until a view shows it
  title_->setTextColor(plot_->palette().color(QPalette::WindowText));
}

QList<QWidget*> PlotViewBase::exportables() {
  return {plot_};
}

void PlotViewBase::setPlotTitle(const QString& text) {
  // Long tensor names wrap, shrink or elide to the plot's width at each layout.
  plotplace::setTitle(plot_, title_, text);
}

void PlotViewBase::installExport() {
  controls_->addStretch(1);
  plotexport::installExportMenu(plot_, title());
}

void PlotViewBase::showLegend() {
  plot_->legend->setVisible(true);
  plotplace::install(plot_);
}

void PlotViewBase::clearPlot() {
  plot_->clearItems();
  plot_->clearPlottables();
  plot_->legend->clearItems();
}

void PlotViewBase::changeEvent(QEvent* event) {
  if (event->type() == QEvent::PaletteChange) {
    plotstyle::applyPalette(plot_, palette());
    title_->setTextColor(palette().color(QPalette::WindowText));
    plot_->replot(QCustomPlot::rpQueuedReplot);
  }
  ResultView::changeEvent(event);
}

} // namespace qs
