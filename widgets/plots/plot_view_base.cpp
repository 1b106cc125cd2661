#include "widgets/plots/plot_view_base.h"

#include "widgets/plots/plot_export.h"
#include "widgets/plots/plot_style.h"

#include <QEvent>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>

namespace qs {

namespace {

// The title line(s), elided in the middle to the width the plot is drawn at
// (on screen, or exported at another size while hidden), so a long tensor
// name never cuts a line or widens the layout.
class ElidedTitle : public QCPTextElement {
public:
  using QCPTextElement::QCPTextElement;

protected:
  QSize minimumOuterSizeHint() const override {
    QSize size = QCPTextElement::minimumOuterSizeHint();
    size.setWidth(0);
    return size;
  }
  void draw(QCPPainter* painter) override {
    const QString full = mText;
    const QFontMetrics metrics(mainFont());
    QStringList lines = full.split(QLatin1Char('\n'));
    for (QString& line : lines)
      line = metrics.elidedText(line, Qt::ElideMiddle, std::max(40, mRect.width() - 16));
    mText = lines.join(QLatin1Char('\n'));
    QCPTextElement::draw(painter);
    mText = full;
  }
};

} // namespace

PlotViewBase::PlotViewBase(QWidget* parent) : ResultView(parent) {
  layout_ = new QVBoxLayout(this);
  layout_->setContentsMargins(4, 4, 4, 4);
  layout_->setSpacing(4);
  controls_ = new QHBoxLayout;
  controls_->setSpacing(8);
  layout_->addLayout(controls_);
  plot_ = new QCustomPlot(this);
  plot_->setObjectName(QLatin1String(plotexport::kMainPlotName));
  layout_->addWidget(plot_, 1);
  plot_->plotLayout()->insertRow(0);
  title_ = new ElidedTitle(plot_, QString(), QFont(plot_->font().family(), 10, QFont::Bold));
  plot_->plotLayout()->addElement(0, 0, title_);
  plotstyle::applyBase(plot_);
  title_->setTextColor(plot_->palette().color(QPalette::WindowText));
}

QList<QWidget*> PlotViewBase::exportables() {
  return {plot_};
}

void PlotViewBase::setPlotTitle(const QString& text) {
  title_->setText(text); // elided when drawn
}

void PlotViewBase::installExport() {
  controls_->addStretch(1);
  plotexport::installExportMenu(plot_, title());
}

void PlotViewBase::legendBelow(int columns) {
  QCPLegend* legend = plot_->legend;
  legend->setVisible(true);
  if (plot_->axisRect()->insetLayout()->take(legend))
    plot_->axisRect()->insetLayout()->simplify();
  QCPLayoutGrid* layout = plot_->plotLayout();
  layout->addElement(layout->rowCount(), 0, legend);
  layout->setRowStretchFactor(layout->rowCount() - 1, 0.001);
  // A layout column is no wider than its narrowest element allows, and an
  // empty legend (no tensor yet) allows only its margins: the axes would
  // shrink to a strip. The legend leaves the layout while it is empty.
  connect(plot_, &QCustomPlot::beforeReplot, this, [layout, legend] {
    const bool inLayout = legend->layout() == layout;
    if (legend->itemCount() == 0 && inLayout) {
      layout->take(legend);
      layout->simplify();
    } else if (legend->itemCount() > 0 && !inLayout) {
      layout->addElement(layout->rowCount(), 0, legend);
      layout->setRowStretchFactor(layout->rowCount() - 1, 0.001);
    }
  });
  legend->setFillOrder(QCPLegend::foColumnsFirst);
  legend->setWrap(columns);
  legend->setBorderPen(Qt::NoPen);
  legend->setMargins(QMargins(6, 2, 6, 2));
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
