#include "widgets/plots/transfer_view.h"

#include "core/error.h"
#include "core/formats/format_registry.h"
#include "core/quant/format_config.h"
#include "widgets/plots/plot_data.h"
#include "widgets/plots/plot_placement.h"
#include "widgets/plots/plot_style.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace qs {

namespace {
constexpr size_t kMaxLevelMarkers = 300;
}

TransferView::TransferView(QWidget* parent) : PlotViewBase(parent) {
  showLegend();
  plot()->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot()->setToolTip(tr("Drag to pan, wheel to zoom. Each flat step maps a whole interval of inputs to one "
                        "representable value; the jumps sit halfway between neighbouring levels."));
  installExport();
  rebuild();
}

void TransferView::setResult(std::shared_ptr<const QuantResult> result, std::shared_ptr<const Tensor>) {
  result_ = std::move(result);
  rebuild();
}

void TransferView::releaseResults() {
  result_.reset();
}

std::vector<double> TransferView::transferLevels(const QuantResult& r) {
  // The kernel's grid for the first segment's parameters, up to 16-bit codes
  // (r.levels, from the quantizer, stop at 12 bits and cover k-means).
  std::vector<double> levels;
  if (isKnownFormat(r.config.format) && !r.scales.empty()) {
    SegmentParams p;
    p.scale = r.scales.front();
    p.zeroPoint = r.zeroPoints.empty() ? 0 : r.zeroPoints.front();
    p.offset = r.offsets.empty() ? 0.0f : r.offsets.front();
    p.realZero = !r.realZeroPoints.empty();
    p.zero = p.realZero ? r.realZeroPoints.front() : 0.0f;
    try {
      for (float v : makeKernel(r.config)->levels(p, 0, 16))
        levels.push_back(double(v));
    } catch (const Error&) { // a config the kernel refuses ("codebook" without levels)
      levels.clear();
    }
  }
  if (levels.empty())
    levels.assign(r.levels.begin(), r.levels.end());
  levels.erase(std::remove_if(levels.begin(), levels.end(), [](double v) { return !std::isfinite(v); }),
               levels.end());
  std::sort(levels.begin(), levels.end());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  return levels;
}

std::vector<std::pair<double, double>> TransferView::staircase(const std::vector<double>& levels, double a,
                                                               double b) {
  std::vector<std::pair<double, double>> points;
  if (levels.empty() || !(a < b))
    return points;
  auto nearest = [&](double x) {
    auto it = std::lower_bound(levels.begin(), levels.end(), x);
    if (it == levels.end())
      return levels.back();
    if (it == levels.begin())
      return levels.front();
    const double above = *it, below = *(it - 1);
    return (x - below) <= (above - x) ? below : above;
  };
  points.emplace_back(a, nearest(a));
  for (size_t j = 0; j + 1 < levels.size(); ++j) {
    const double mid = 0.5 * (levels[j] + levels[j + 1]);
    if (mid > a && mid < b)
      points.emplace_back(mid, levels[j + 1]);
  }
  points.emplace_back(b, points.back().second);
  return points;
}

void TransferView::addClampNotes(const QuantResult& r, const std::vector<double>& levels,
                                 const std::vector<std::pair<double, double>>& steps) {
  // Past the outermost levels the staircase is flat: every larger input gets
  // the extreme code. Say so at both ends, and say when that code lies past
  // the clip range (a signed integer grid has one more negative code: -8 s for INT4).
  if (steps.size() < 2 || levels.size() < 2)
    return;
  const double clipLo = r.clipLo.empty() ? levels.front() : r.clipLo.front();
  const double tolerance = 1e-6 * (levels.back() - levels.front());
  const bool extraLow = levels.front() < clipLo - tolerance;
  struct Note {
    double level;
    QString text;
    bool left;
  };
  const Note notes[2] = {{levels.front(),
                          extraLow ? tr("clamped to\nthe lowest code,\none step below\nclip lo")
                                   : tr("clamped to\nthe lowest code"),
                          true},
                         {levels.back(), tr("clamped to\nthe largest code"), false}};
  for (const Note& n : notes) {
    if (n.level <= steps.front().first || n.level >= steps.back().first)
      continue; // the flat part is off the plot
    auto* text = new QCPItemText(plot());
    text->setObjectName(QStringLiteral("clampNote"));
    text->position->setCoords(n.level, n.level); // where the staircase leaves y = x for good
    text->setText(n.text);
    text->setTextAlignment(n.left ? Qt::AlignRight : Qt::AlignLeft);
    text->setColor(plotstyle::dequantized().darker(130));
    QFont font = plot()->font();
    font.setPointSizeF(8);
    text->setFont(font);
    // Outside the last level, beside the flat part.
    plotplace::setMovable(text, plotplace::LabelSpots::OverLine, n.left);
  }
}

void TransferView::rebuild() {
  QCustomPlot* p = plot();
  clearPlot();
  p->xAxis->setLabel(tr("input x (original value, tensor units)"));
  p->yAxis->setLabel(tr("output q(x) (dequantized value)"));
  p->yAxis2->setLabel(tr("error q(x) − x"));
  p->yAxis2->setVisible(false);
  const std::vector<double> levels = result_ ? transferLevels(*result_) : std::vector<double>{};
  if (!result_ || levels.size() < 2) {
    setPlotTitle(tr("Transfer function"));
    plotstyle::setEmptyMessage(p, !result_ ? emptyText()
                                           : tr("no quantization grid: this format is a plain cast"));
    p->replot(QCustomPlot::rpQueuedReplot);
    return;
  }
  const QuantResult& r = *result_;
  // The clip range frames the staircase; for a cast (clip = the format's whole
  // range) the data's range does, so the steps stay visible.
  double lo = levels.front(), hi = levels.back();
  if (!plotdata::clipNearData(r, lo, hi) && r.histOriginal.hi > r.histOriginal.lo) {
    lo = r.histOriginal.lo;
    hi = r.histOriginal.hi;
  }
  const double margin = 0.25 * (hi - lo);
  const double a = lo - margin, b = hi + margin;
  const auto steps = staircase(levels, a, b);

  QString info = tr("%1 — %2\ngroup 0: %3 levels")
                     .arg(QString::fromStdString(r.tensorName), QString::fromStdString(r.formatLabel))
                     .arg(levels.size());
  if (!r.scales.empty())
    info += tr(", scale s = %1").arg(plotstyle::num(r.scales.front()));
  if (!r.zeroPoints.empty())
    info += tr(", zero point %1").arg(r.zeroPoints.front());
  if (!r.realZeroPoints.empty())
    info += tr(", zero point %1 (HQQ)").arg(plotstyle::num(r.realZeroPoints.front()));
  setPlotTitle(info);

  QCPGraph* ref = p->addGraph();
  ref->setObjectName(QStringLiteral("identity"));
  ref->setName(tr("y = x (no quantization)"));
  ref->setPen(QPen(plotstyle::reference(), 1, Qt::DashLine));
  ref->setData(QVector<double>{a, b}, QVector<double>{a, b}, true);

  QCPGraph* err = p->addGraph(p->xAxis, p->yAxis2);
  err->setObjectName(QStringLiteral("transferError"));
  err->setName(tr("error q(x) − x (right axis)"));
  QColor errColor = plotstyle::error();
  errColor.setAlpha(150);
  err->setPen(QPen(errColor, 1));
  QVector<double> ek, ev;
  double errMax = 0;
  for (size_t i = 0; i + 1 < steps.size(); ++i) {
    const auto [x0, q] = steps[i];
    const double x1 = steps[i + 1].first;
    ek << x0 << x1;
    ev << q - x0 << q - x1;
    errMax = std::max({errMax, std::fabs(q - x0), std::fabs(q - x1)});
  }
  err->setData(ek, ev, true);
  p->yAxis2->setVisible(true);
  p->yAxis2->setRange(-errMax * 1.1, errMax * 1.1);

  QCPGraph* stair = p->addGraph();
  stair->setObjectName(QStringLiteral("staircase"));
  stair->setName(tr("q(x): round to nearest level, clamp"));
  stair->setLineStyle(QCPGraph::lsStepLeft);
  stair->setPen(QPen(plotstyle::dequantized(), 2));
  QVector<double> sk, sv;
  for (const auto& [x, q] : steps) {
    sk << x;
    sv << q;
  }
  stair->setData(sk, sv, true);

  size_t inRange = 0;
  for (double l : levels)
    inRange += (l >= a && l <= b);
  if (inRange <= kMaxLevelMarkers) {
    QCPGraph* marks = p->addGraph();
    marks->setObjectName(QStringLiteral("levels"));
    marks->setName(tr("levels (q(x) = x exactly)"));
    marks->setLineStyle(QCPGraph::lsNone);
    marks->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, plotstyle::levels(), 5));
    QVector<double> lk;
    for (double l : levels)
      if (l >= a && l <= b)
        lk << l;
    marks->setData(lk, lk, true);
  }
  if (!r.clipLo.empty() && !r.clipHi.empty()) {
    const QPen clipPen(plotstyle::clip(), 1.3, Qt::DashLine);
    plotdata::addVerticalLine(p, r.clipLo.front(), clipPen, QStringLiteral("clip"));
    plotdata::addVerticalLine(p, r.clipHi.front(), clipPen, QStringLiteral("clip"));
    plotdata::addLegendEntry(
        p, tr("clip range [%1, %2]").arg(plotstyle::num(r.clipLo.front()), plotstyle::num(r.clipHi.front())),
        clipPen);
  }
  addClampNotes(r, levels, steps);
  p->xAxis->setRange(a, b);
  const double yPad = 0.05 * (b - a);
  p->yAxis->setRange(std::min(a, steps.front().second) - yPad, std::max(b, steps.back().second) + yPad);
  plotstyle::setEmptyMessage(p, QString());
  p->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace qs
