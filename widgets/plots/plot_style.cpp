#include "widgets/plots/plot_style.h"

#include "core/metrics/metric_table.h"

#include <QFont>
#include <QPalette>
#include <qcustomplot.h>

#include <cmath>

namespace qs::plotstyle {

QColor original() {
  return QColor(70, 110, 160);
}
QColor dequantized() {
  return QColor(230, 120, 20);
}
QColor error() {
  return QColor(200, 40, 40);
}
QColor clip() {
  return QColor(150, 40, 160);
}
QColor levels() {
  return QColor(160, 90, 0);
}
QColor outlier() {
  return QColor(215, 25, 28);
}
QColor reference() {
  return QColor(128, 128, 128);
}

const std::array<QColor, 4>& pinPalette() {
  // Colour-blind-safe (Okabe-Ito) hues distinct from the three roles above.
  static const std::array<QColor, 4> palette{QColor(0, 158, 115), QColor(86, 180, 233), QColor(204, 121, 167),
                                             QColor(120, 94, 240)};
  return palette;
}

static void styleAxis(QCPAxis* axis, const QColor& text, const QColor& grid) {
  QFont labelFont = axis->labelFont();
  labelFont.setPointSizeF(10);
  QFont tickFont = axis->tickLabelFont();
  tickFont.setPointSizeF(9);
  axis->setLabelFont(labelFont);
  axis->setTickLabelFont(tickFont);
  axis->setLabelColor(text);
  axis->setTickLabelColor(text);
  axis->setBasePen(QPen(text, 1));
  axis->setTickPen(QPen(text, 1));
  axis->setSubTickPen(QPen(text, 1));
  axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
  axis->grid()->setZeroLinePen(Qt::NoPen);
}

void applyPalette(QCustomPlot* plot) {
  applyPalette(plot, plot->palette());
}

void applyPalette(QCustomPlot* plot, const QPalette& pal) {
  const QColor text = pal.color(QPalette::WindowText);
  const QColor base = pal.color(QPalette::Base);
  QColor grid = text;
  grid.setAlpha(60);
  plot->setBackground(base);
  for (QCPAxisRect* rect : plot->axisRects())
    for (QCPAxis* axis : rect->axes())
      styleAxis(axis, text, grid);
  QColor legendBg = base;
  legendBg.setAlpha(220);
  plot->legend->setBrush(legendBg);
  plot->legend->setTextColor(text);
  for (int i = 0; i < plot->plottableCount(); ++i)
    if (auto* map = qobject_cast<QCPColorMap*>(plot->plottable(i)); map && map->colorScale())
      styleAxis(map->colorScale()->axis(), text, grid);
}

void applyBase(QCustomPlot* plot) {
  QFont legendFont = plot->font();
  legendFont.setPointSizeF(9);
  plot->legend->setFont(legendFont);
  plot->legend->setIconSize(18, 10);
  plot->setAntialiasedElements(QCP::aePlottables | QCP::aeItems);
  plot->setNoAntialiasingOnDrag(true);
  plot->setMinimumSize(320, 220);
  applyPalette(plot);
}

void setEmptyMessage(QCustomPlot* plot, const QString& text) {
  for (int i = plot->itemCount() - 1; i >= 0; --i)
    if (plot->item(i)->objectName() == QLatin1String("emptyMessage"))
      plot->removeItem(i);
  if (text.isEmpty())
    return;
  auto* label = new QCPItemText(plot);
  label->setObjectName(QStringLiteral("emptyMessage"));
  label->setClipToAxisRect(false);
  label->position->setType(QCPItemPosition::ptAxisRectRatio);
  label->position->setCoords(0.5, 0.5);
  label->setPositionAlignment(Qt::AlignCenter);
  label->setText(text);
  label->setColor(plot->palette().color(QPalette::PlaceholderText));
  QFont font = plot->font();
  font.setPointSizeF(11);
  label->setFont(font);
}

QString num(double value, int precision) {
  if (!std::isfinite(value))
    return std::isnan(value) ? QStringLiteral("NaN")
                             : (value > 0 ? QStringLiteral("+inf") : QStringLiteral("-inf"));
  return QString::number(value, 'g', precision);
}

QString metricDefinition(const QString& key) {
  const std::string k = key.toStdString();
  for (const MetricInfo& info : metricTable())
    if (k == info.key || k == info.field)
      return QString::fromUtf8(info.definition);
  return {};
}

namespace {

QCPColorGradient fiveStops(const std::array<QColor, 5>& stops) {
  QCPColorGradient g;
  g.clearColorStops();
  for (size_t i = 0; i < stops.size(); ++i)
    g.setColorStopAt(double(i) / double(stops.size() - 1), stops[i]);
  g.setLevelCount(256);
  return g;
}

} // namespace

QCPColorGradient sequentialGradient() {
  return fiveStops({QColor(255, 255, 229), QColor(254, 217, 118), QColor(253, 141, 60), QColor(227, 26, 28),
                    QColor(128, 0, 38)});
}

QCPColorGradient divergingGradient() {
  // Negative (q above x) blue, positive red.
  return fiveStops({QColor(5, 48, 97), QColor(67, 147, 195), QColor(247, 247, 247), QColor(214, 96, 77),
                    QColor(103, 0, 31)});
}

QCPColorGradient viridisGradient() {
  return fiveStops({QColor(68, 1, 84), QColor(59, 82, 139), QColor(33, 145, 140), QColor(94, 201, 98),
                    QColor(253, 231, 37)});
}

} // namespace qs::plotstyle
