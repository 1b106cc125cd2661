#include "widgets/plots/plot_view_base.h"

#include "widgets/plots/plot_export.h"
#include "widgets/plots/plot_placement.h"
#include "widgets/plots/plot_style.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QVBoxLayout>
#include <qcustomplot.h>

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
