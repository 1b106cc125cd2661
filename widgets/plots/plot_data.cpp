#include "widgets/plots/plot_data.h"

#include <qcustomplot.h>

#include <algorithm>

namespace qs::plotdata {

void setStepData(QCPGraph* graph, const Histogram& hist, double scale, double floor) {
  const size_t n = hist.counts.size();
  QVector<double> keys(static_cast<qsizetype>(n + 1)), values(static_cast<qsizetype>(n + 1));
  const double w = hist.binWidth();
  for (size_t i = 0; i < n; ++i) {
    keys[qsizetype(i)] = hist.lo + double(i) * w;
    values[qsizetype(i)] = std::max(hist.counts[i] * scale, floor);
  }
  if (n > 0) {
    keys[qsizetype(n)] = hist.hi;
    values[qsizetype(n)] = values[qsizetype(n - 1)];
  }
  graph->setData(keys, values, true);
}

void setImpulseData(QCPGraph* graph, const Histogram& hist, double scale) {
  QVector<double> keys, values;
  const double w = hist.binWidth();
  for (size_t i = 0; i < hist.counts.size(); ++i) {
    if (hist.counts[i] <= 0)
      continue;
    keys.push_back(hist.lo + (double(i) + 0.5) * w);
    values.push_back(hist.counts[i] * scale);
  }
  graph->setData(keys, values, true);
}

double maxCount(const Histogram& hist) {
  return hist.counts.empty() ? 0.0 : *std::max_element(hist.counts.begin(), hist.counts.end());
}

bool clipNearData(const QuantResult& r, double& lo, double& hi) {
  if (r.clipLo.empty() || r.clipHi.empty() || !(r.clipLo.front() < r.clipHi.front()))
    return false;
  lo = r.clipLo.front();
  hi = r.clipHi.front();
  const Histogram& h = r.histOriginal;
  if (h.counts.empty() || !(h.hi > h.lo))
    return true;
  const double span = h.hi - h.lo;
  return lo >= h.lo - 2 * span && hi <= h.hi + 2 * span;
}

QCPGraph* addLegendEntry(QCustomPlot* plot, const QString& name, const QPen& pen) {
  QCPGraph* graph = plot->addGraph();
  graph->setObjectName(QStringLiteral("legendOnly"));
  graph->setName(name);
  graph->setPen(pen);
  graph->setSelectable(QCP::stNone);
  return graph;
}

QCPItemStraightLine* addVerticalLine(QCustomPlot* plot, double x, const QPen& pen,
                                     const QString& objectName) {
  auto* line = new QCPItemStraightLine(plot);
  line->setObjectName(objectName);
  line->point1->setCoords(x, 1); // y = 1 and 10 are valid on log axes too
  line->point2->setCoords(x, 10);
  line->setPen(pen);
  line->setSelectable(false);
  return line;
}

} // namespace qs::plotdata
