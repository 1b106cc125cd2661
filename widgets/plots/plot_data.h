#pragma once
// Small conversions from core results to QCustomPlot data, shared by views.
#include "core/quant/quant_result.h"

#include <QPen>
#include <QString>
#include <QVector>

class QCPGraph;
class QCustomPlot;
class QCPItemStraightLine;

namespace qs::plotdata {

// Step outline of a histogram (lsStepLeft): one point per bin edge, the
// last repeated so the final bin is closed. `scale` multiplies the counts;
// counts below `floor` become `floor` (log axes cannot show 0).
void setStepData(QCPGraph* graph, const Histogram& hist, double scale = 1.0, double floor = 0.0);
// Impulses at the centres of non-empty bins.
void setImpulseData(QCPGraph* graph, const Histogram& hist, double scale = 1.0);
// Largest count of a histogram (0 if empty).
double maxCount(const Histogram& hist);
// The clip range of the first scale group when it is worth framing: it lies
// within a few data spans of the original histogram (a cast's clip range is
// the format's whole range, ±65504 for FP16, which would squash the data).
bool clipNearData(const QuantResult& result, double& lo, double& hi);
// A plottable-less legend entry: an empty graph with `pen`.
QCPGraph* addLegendEntry(QCustomPlot* plot, const QString& name, const QPen& pen);
// A vertical infinite line at x (plot coordinates of the default axes).
QCPItemStraightLine* addVerticalLine(QCustomPlot* plot, double x, const QPen& pen, const QString& objectName);

} // namespace qs::plotdata
