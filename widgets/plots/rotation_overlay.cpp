#include "widgets/plots/rotation_overlay.h"

#include "widgets/plots/plot_data.h"
#include "widgets/plots/plot_style.h"

#include <qcustomplot.h>

#include <QCoreApplication>

namespace qs {

namespace {
QString tr(const char* text) {
  return QCoreApplication::translate("RotationOverlay", text);
}
} // namespace

double addRotatedInputHistogram(QCustomPlot* plot, const QuantResult& result, double floor) {
  const Histogram& h = result.rotation.histRotated;
  if (!result.rotation.applied || h.counts.empty())
    return 0;
  QCPGraph* g = plot->addGraph();
  g->setObjectName(QStringLiteral("rotatedInput"));
  g->setName(tr("rotated input R·x (what the format quantized)"));
  g->setLineStyle(QCPGraph::lsStepLeft);
  g->setPen(QPen(QColor(150, 50, 160), 1.4, Qt::DashLine));
  plotdata::setStepData(g, h, 1.0, floor);
  return plotdata::maxCount(h);
}

QString rotationSummary(const QuantResult& r) {
  const RotationReport& h = r.rotation;
  if (!h.applied)
    return {};
  QString s = tr("Hadamard rotation, block %1 of %2: excess kurtosis %3 → %4 · absmax %5 → %6 · "
                 "outlier channels %7 → %8")
                  .arg(h.block)
                  .arg(h.rowLength)
                  .arg(h.kurtosisOriginal, 0, 'f', 2)
                  .arg(h.kurtosisRotated, 0, 'f', 2)
                  .arg(plotstyle::num(h.absMaxOriginal, 4), plotstyle::num(h.absMaxRotated, 4))
                  .arg(r.channels.outlierChannels.size())
                  .arg(h.channelsRotated.outlierChannels.size());
  if (!h.note.empty())
    s += QStringLiteral(" (%1)").arg(QString::fromStdString(h.note));
  return s;
}

} // namespace qs
