#include "widgets/plots/sweep_view.h"

#include "core/error.h"
#include "core/sweep/pareto.h"
#include "widgets/plots/plot_placement.h"
#include "widgets/plots/plot_style.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPushButton>
#include <QToolTip>
#include <qcustomplot.h>

#include <cmath>

namespace qs {

namespace {

struct FamilyStyle {
  QColor color;
  QCPScatterStyle::ScatterShape shape;
};

FamilyStyle familyStyle(const std::string& family) {
  // Okabe-Ito-like hues; orange is kept for the current config.
  static const std::map<std::string, FamilyStyle> styles{
      {"INT · per tensor", {QColor(120, 120, 120), QCPScatterStyle::ssCircle}},
      {"INT · per channel", {QColor(0, 114, 178), QCPScatterStyle::ssCircle}},
      {"INT · group", {QColor(86, 180, 233), QCPScatterStyle::ssDisc}},
      {"FP · per tensor", {QColor(0, 158, 115), QCPScatterStyle::ssSquare}},
      {"NF4 / codebooks", {QColor(204, 121, 167), QCPScatterStyle::ssDiamond}},
      {"MX blocks", {QColor(213, 94, 0), QCPScatterStyle::ssTriangle}},
      {"GGUF blocks", {QColor(100, 60, 160), QCPScatterStyle::ssTriangleInverted}},
      {"Tiles 128×128", {QColor(150, 110, 0), QCPScatterStyle::ssCrossSquare}},
  };
  auto it = styles.find(family);
  return it != styles.end() ? it->second : FamilyStyle{Qt::black, QCPScatterStyle::ssCross};
}

} // namespace

SweepView::SweepView(QWidget* parent) : PlotViewBase(parent) {
  run_ = new QPushButton(tr("Run sweep"), this);
  run_->setToolTip(tr("Quantize the current tensor under every format of the checked families"));
  controls()->addWidget(run_);
  status_ = new QLabel(this);
  controls()->addWidget(status_, 1);
  // A grid (4 per row) so the view still fits a narrow dock.
  auto* families = new QGridLayout;
  families->setHorizontalSpacing(10);
  families->setVerticalSpacing(2);
  families->addWidget(new QLabel(tr("Families:"), this), 0, 0);
  int slot = 0;
  for (const std::string& family : sweepFamilies()) {
    auto* box = new QCheckBox(QString::fromStdString(family), this);
    box->setChecked(family != "GGUF blocks" && family != "INT · per tensor");
    familyBoxes_[family] = box;
    families->addWidget(box, slot / 4, 1 + slot % 4);
    ++slot;
    connect(box, &QCheckBox::toggled, this, [this] {
      if (original_)
        runSweep();
    });
  }
  families->setColumnStretch(5, 1);
  mainLayout()->insertLayout(1, families);

  QCustomPlot* p = plot();
  p->xAxis->setLabel(tr("bits per element (codes + scales)"));
  p->yAxis->setLabel(tr("SQNR (dB, higher is better)"));
  p->yAxis->setTickLabelFont(p->yAxis->tickLabelFont());
  p->setToolTip(QString());
  p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  showLegend();
  connect(run_, &QPushButton::clicked, this, [this] { isRunning() ? cancelSweep() : runSweep(); });
  connect(p, &QCustomPlot::mouseMove, this, &SweepView::onMouseMove);
  installExport();
  redraw();
}

SweepView::~SweepView() = default; // job_ cancels the sweep and waits

bool SweepView::isRunning() const {
  return job_.isBusy();
}

void SweepView::setFamilyEnabled(const std::string& family, bool on) {
  auto it = familyBoxes_.find(family);
  if (it != familyBoxes_.end())
    it->second->setChecked(on);
}

void SweepView::setResult(std::shared_ptr<const QuantResult> result, std::shared_ptr<const Tensor> original) {
  const bool newTensor = original != original_;
  result_ = std::move(result);
  original_ = std::move(original);
  if (newTensor) {
    cancelSweep();
    points_.clear();
    dirty_ = bool(original_);
    if (dirty_ && isVisible())
      runSweep();
  }
  redraw();
}

void SweepView::releaseResults() {
  result_.reset(); // the tensor stays: the sweep points belong to it
}

void SweepView::showEvent(QShowEvent* event) {
  PlotViewBase::showEvent(event);
  if (dirty_ && !isRunning())
    runSweep();
}

void SweepView::catchUp() {
  if (dirty_ && !isRunning())
    runSweep(); // caughtUp() when it ends
}

void SweepView::cancelSweep() {
  job_.cancel();
  ++generation_; // points still queued from the old job are dropped
}

void SweepView::runSweep() {
  cancelSweep();
  points_.clear();
  dirty_ = false;
  if (!original_) {
    redraw();
    return;
  }
  std::vector<std::string> families;
  for (const std::string& f : sweepFamilies())
    if (familyBoxes_[f]->isChecked())
      families.push_back(f);
  std::vector<SweepCandidate> candidates;
  try {
    candidates = sweepCandidates(families, original_->shape);
  } catch (const Error& e) {
    status_->setText(QString::fromStdString(e.what()));
    return;
  }
  expected_ = int(candidates.size());
  const View2D v = view2D(original_->shape);
  sampleNote_ =
      original_->numel() > kMaxSweepElements
          ? tr(" (on %1 of %2 rows, evenly strided)")
                .arg(std::clamp<int64_t>(kMaxSweepElements / std::max<int64_t>(v.cols, 1), 1, v.rows))
                .arg(v.rows)
          : QString();
  status_->setText(tr("sweeping 0 / %1…").arg(expected_));
  run_->setText(tr("Cancel"));
  // Done, cancelled or failed: the sweep ends with the points it has.
  auto ended = [this] {
    run_->setText(tr("Run sweep"));
    status_->setText(tr("%1 configurations%2").arg(points_.size()).arg(sampleNote_));
    emit sweepFinished();
    emit caughtUp();
  };
  JobHandlers<bool> handlers;
  handlers.done = [ended](bool) { ended(); };
  handlers.failed = [ended](const QString&) { ended(); };
  handlers.cancelled = ended;
  job_.start<bool>(
      [this, tensor = original_, candidates = std::move(candidates),
       generation = generation_](JobControl& job) {
        const Tensor sample = sweepSample(*tensor, kMaxSweepElements);
        qs::runSweep(sample, candidates, job.cancelFlag(), [&](const SweepPoint& point) {
          job.post([this, point, generation] { addPoint(point, generation); });
        });
        return true;
      },
      std::move(handlers));
  redraw();
}

void SweepView::addPoint(const SweepPoint& point, quint64 generation) {
  if (generation != generation_)
    return;
  points_.push_back(point);
  status_->setText(tr("sweeping %1 / %2…").arg(points_.size()).arg(expected_));
  redraw();
}

void SweepView::redraw() {
  QCustomPlot* p = plot();
  clearPlot();
  if (!original_ && !result_) {
    setPlotTitle(tr("Sweep"));
    plotstyle::setEmptyMessage(p, emptyText());
    p->replot(QCustomPlot::rpQueuedReplot);
    return;
  }
  setPlotTitle(tr("%1 — SQNR = 20·log10(‖x‖ / ‖x − q‖) against storage")
                   .arg(result_ ? QString::fromStdString(result_->tensorName) : QString()));
  double xMin = 1e300, xMax = -1e300, yMin = 1e300, yMax = -1e300;
  auto extend = [&](double x, double y) {
    xMin = std::min(xMin, x);
    xMax = std::max(xMax, x);
    yMin = std::min(yMin, y);
    yMax = std::max(yMax, y);
  };
  QFont small = p->font();
  small.setPointSizeF(8);
  for (const std::string& family : sweepFamilies()) {
    QVector<double> k, v;
    std::map<double, double> best; // bits -> best SQNR: formats of equal size share a bit count
    const bool integers = family.rfind("INT", 0) == 0;
    const FamilyStyle style = familyStyle(family);
    for (const SweepPoint& pt : points_)
      if (pt.family == family && std::isfinite(pt.sqnrDb)) {
        k << pt.bitsPerElement;
        v << pt.sqnrDb;
        extend(pt.bitsPerElement, pt.sqnrDb);
        auto [it, inserted] = best.emplace(pt.bitsPerElement, pt.sqnrDb);
        if (!inserted)
          it->second = std::max(it->second, pt.sqnrDb);
        if (!integers) { // name the non-obvious points (E4M3 vs E5M2 share 8 bits)
          auto* text = new QCPItemText(p);
          text->setObjectName(QStringLiteral("pointLabel"));
          text->position->setCoords(pt.bitsPerElement, pt.sqnrDb);
          text->setFont(small);
          text->setColor(style.color.darker(120));
          text->setText(QString::fromStdString(pt.label.substr(0, pt.label.find(" · "))));
          // Neighbours (FP6 E3M2 beside MXFP6 E3M2) move apart or hide; the tooltip names every point.
          plotplace::setMovable(text, plotplace::LabelSpots::AroundPoint);
        }
      }
    if (k.isEmpty())
      continue;
    QCPGraph* line = p->addGraph();
    line->setObjectName(QString::fromStdString(family) + QStringLiteral(" best"));
    line->setPen(QPen(style.color, 1.4));
    line->removeFromLegend();
    QVector<double> bk, bv;
    for (const auto& [bits, db] : best) {
      bk << bits;
      bv << db;
    }
    line->setData(bk, bv, true);
    QCPGraph* g = p->addGraph();
    g->setObjectName(QString::fromStdString(family));
    g->setName(QString::fromStdString(family));
    g->setPen(QPen(style.color, 1.4));
    g->setLineStyle(QCPGraph::lsNone);
    g->setScatterStyle(QCPScatterStyle(style.shape, style.color, style.color, 7));
    g->setData(k, v);
  }
  drawParetoFront(small);
  if (result_ && std::isfinite(result_->metrics.sqnrDb)) {
    QCPGraph* cur = p->addGraph();
    cur->setObjectName(QStringLiteral("current"));
    cur->setName(tr("current: %1").arg(QString::fromStdString(result_->formatLabel)));
    cur->setLineStyle(QCPGraph::lsNone);
    cur->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssStar, QPen(plotstyle::dequantized(), 2.5), Qt::NoBrush, 18));
    cur->setData(QVector<double>{result_->metrics.bitsPerElement}, QVector<double>{result_->metrics.sqnrDb});
    extend(result_->metrics.bitsPerElement, result_->metrics.sqnrDb);
  }
  if (xMin > xMax) {
    plotstyle::setEmptyMessage(p, isRunning() ? tr("sweeping…") : tr("press Run sweep"));
    p->xAxis->setRange(1, 9);
    p->yAxis->setRange(0, 50);
  } else {
    plotstyle::setEmptyMessage(p, QString());
    p->xAxis->setRange(std::floor(xMin) - 0.5, std::ceil(xMax) + 0.5);
    const double pad = std::max(2.0, 0.06 * (yMax - yMin));
    p->yAxis->setRange(yMin - pad, yMax + pad);
  }
  p->replot(QCustomPlot::rpQueuedReplot);
}

// The best SQNR any format reaches at each storage budget: a staircase through
// the points no other format beats with fewer or equal bits per element.
void SweepView::drawParetoFront(const QFont& labelFont) {
  std::vector<CostQuality> costs;
  for (const SweepPoint& pt : points_)
    costs.push_back({pt.bitsPerElement, pt.sqnrDb});
  const std::vector<size_t> front = paretoFront(costs);
  if (front.size() < 2)
    return;
  QVector<double> k, v;
  for (size_t i : front) {
    const SweepPoint& pt = points_[i];
    k << pt.bitsPerElement;
    v << pt.sqnrDb;
    if (pt.family.rfind("INT", 0) == 0) { // integer points are unlabelled elsewhere: name the front's
      auto* text = new QCPItemText(plot());
      text->setObjectName(QStringLiteral("pointLabel"));
      text->position->setCoords(pt.bitsPerElement, pt.sqnrDb);
      text->setFont(labelFont);
      text->setColor(familyStyle(pt.family).color.darker(130));
      text->setText(QString::fromStdString(pt.label));
      plotplace::setMovable(text, plotplace::LabelSpots::AroundPoint);
    }
  }
  QCPGraph* g = plot()->addGraph();
  g->setObjectName(QStringLiteral("pareto"));
  g->setName(tr("Pareto front (best SQNR at ≤ bits)"));
  g->setPen(QPen(QColor(40, 40, 40), 1.2, Qt::DashLine));
  g->setLineStyle(QCPGraph::lsStepLeft);
  g->setData(k, v, true);
}

void SweepView::onMouseMove(QMouseEvent* event) {
  if (event->buttons() != Qt::NoButton)
    return;
  const QPointF pos = event->position();
  const SweepPoint* best = nullptr;
  double bestDist = 10.0; // pixels
  for (const SweepPoint& pt : points_) {
    const double dx = plot()->xAxis->coordToPixel(pt.bitsPerElement) - pos.x();
    const double dy = plot()->yAxis->coordToPixel(pt.sqnrDb) - pos.y();
    const double d = std::hypot(dx, dy);
    if (d < bestDist) {
      bestDist = d;
      best = &pt;
    }
  }
  if (best)
    QToolTip::showText(event->globalPosition().toPoint(),
                       tr("%1\n%2 bits per element\nSQNR %3 dB, MSE %4")
                           .arg(QString::fromStdString(best->label))
                           .arg(best->bitsPerElement, 0, 'f', 3)
                           .arg(best->sqnrDb, 0, 'f', 2)
                           .arg(plotstyle::num(best->mse, 4)),
                       plot());
  else
    QToolTip::hideText();
}

} // namespace qs
