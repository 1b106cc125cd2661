#include "widgets/model/block_profile_plot.h"

#include "widgets/plots/plot_placement.h"
#include "widgets/plots/plot_style.h"

#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace qs {

namespace {

// Roles in the order a block runs them; others follow alphabetically.
int roleRank(const std::string& role) {
  static const char* const order[] = {"attn_q",      "attn_k",        "attn_v",      "attn_qkv",
                                      "attn_output", "ffn_gate_inp",  "ffn_gate",    "ffn_up",
                                      "ffn_down",    "ffn_gate_exps", "ffn_up_exps", "ffn_down_exps"};
  for (size_t i = 0; i < std::size(order); ++i)
    if (role == order[i])
      return static_cast<int>(i);
  return static_cast<int>(std::size(order));
}

QCPColorGradient sqnrGradient() {
  QCPColorGradient g;
  g.clearColorStops();
  g.setColorStopAt(0.0, QColor(215, 48, 39));
  g.setColorStopAt(0.35, QColor(253, 174, 97));
  g.setColorStopAt(0.65, QColor(217, 239, 139));
  g.setColorStopAt(1.0, QColor(26, 152, 80));
  g.setLevelCount(256);
  g.setNanHandling(QCPColorGradient::nhTransparent);
  return g;
}

} // namespace

BlockProfilePlot::BlockProfilePlot(QWidget* parent) : QCustomPlot(parent) {
  setObjectName(QStringLiteral("block_profile"));
  plotLayout()->insertRow(0);
  title_ = new QCPTextElement(this, QString(), QFont(font().family(), 10, QFont::Bold));
  plotLayout()->addElement(0, 0, title_);
  plotstyle::applyBase(this);
  setMinimumSize(260, 200);
  plotplace::install(this);
  map_ = new QCPColorMap(xAxis, yAxis);
  map_->setObjectName(QStringLiteral("profile"));
  map_->setGradient(sqnrGradient());
  map_->setInterpolate(false);
  scale_ = new QCPColorScale(this);
  plotLayout()->addElement(1, 1, scale_);
  scale_->setType(QCPAxis::atRight);
  scale_->axis()->setLabel(tr("SQNR (dB)"));
  scale_->setBarWidth(10);
  map_->setColorScale(scale_);
  scale_->setGradient(sqnrGradient()); // the scale hands its gradient to the map
  auto* group = new QCPMarginGroup(this);
  axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
  scale_->setMarginGroup(QCP::msBottom | QCP::msTop, group);
  xAxis->setLabel(tr("block"));
  yAxis->setRangeReversed(true); // the first role on top
  xAxis->grid()->setVisible(false);
  yAxis->grid()->setVisible(false);
  plotstyle::applyPalette(this);
  connect(this, &QCustomPlot::afterLayout, this, &BlockProfilePlot::placeCellLabels);
  connect(this, &QCustomPlot::mouseMove, this, &BlockProfilePlot::onMouseMove);
  clearData(tr("Open a model (File ▸ Open model…)"));
}

double BlockProfilePlot::cell(int block, int roleRow) const {
  if (block < 0 || block >= blocks_ || roleRow < 0 || roleRow >= static_cast<int>(roles_.size()))
    return std::numeric_limits<double>::quiet_NaN();
  return values_[static_cast<size_t>(roleRow) * blocks_ + block];
}

void BlockProfilePlot::clearData(const QString& message) {
  roles_.clear();
  blocks_ = 0;
  values_.clear();
  cellLabels_.clear();
  cellTips_.clear();
  clearItems();
  map_->data()->clear();
  map_->setVisible(false);
  scale_->setVisible(false);
  plotplace::setTitle(this, title_, tr("Error per block"));
  plotstyle::setEmptyMessage(this, message);
  yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  xAxis->setRange(0, 1);
  yAxis->setRange(0, 1);
  replot(rpQueuedReplot);
}

void BlockProfilePlot::setData(std::shared_ptr<const ScanResult> scan, std::shared_ptr<const ModelPlan> plan,
                               const std::string& format) {
  if (!scan) {
    clearData(tr("no scan"));
    return;
  }
  std::map<std::string, const TensorChoice*> chosen;
  if (plan)
    for (const TensorChoice& c : plan->tensors)
      chosen[c.name] = &c;
  const auto formatIt = std::find(scan->formats.begin(), scan->formats.end(), format);
  const bool ofPlan = format.empty();
  if (!ofPlan && formatIt == scan->formats.end()) {
    clearData(tr("%1 is not among the scanned formats").arg(QString::fromStdString(format)));
    return;
  }
  // The roles present in blocks, in block order, and the number of blocks.
  std::vector<std::string> roles;
  int blocks = 0;
  for (const ScannedTensor& t : scan->tensors)
    if (t.role.block >= 0 && !t.keep && !t.role.isBias) {
      blocks = std::max(blocks, t.role.block + 1);
      if (std::find(roles.begin(), roles.end(), t.role.role) == roles.end())
        roles.push_back(t.role.role);
    }
  std::stable_sort(roles.begin(), roles.end(), [](const std::string& a, const std::string& b) {
    return roleRank(a) != roleRank(b) ? roleRank(a) < roleRank(b) : a < b;
  });
  if (blocks == 0 || roles.empty()) {
    clearData(tr("no tensors in numbered blocks"));
    return;
  }
  roles_ = roles;
  blocks_ = blocks;
  const size_t cells = roles.size() * static_cast<size_t>(blocks);
  values_.assign(cells, std::numeric_limits<double>::quiet_NaN());
  cellLabels_.assign(cells, QString());
  cellTips_.assign(cells, QString());
  for (const ScannedTensor& t : scan->tensors) {
    if (t.role.block < 0 || t.keep || t.role.isBias)
      continue;
    const size_t row =
        static_cast<size_t>(std::find(roles.begin(), roles.end(), t.role.role) - roles.begin());
    const size_t i = row * blocks + t.role.block;
    const auto c = chosen.find(t.name);
    const std::string planned = c != chosen.end() ? c->second->format : std::string();
    const std::string shown = ofPlan ? planned : format;
    for (const CandidateScore& score : t.candidates)
      if (score.format == shown && score.ok())
        values_[i] = score.sqnrDb;
    cellLabels_[i] = QString::fromStdString(planned);
    cellTips_[i] =
        tr("%1\n%2: SQNR %3 dB%4")
            .arg(QString::fromStdString(t.name), QString::fromStdString(shown))
            .arg(values_[i], 0, 'f', 1)
            .arg(planned.empty() || ofPlan ? QString()
                                           : tr("\nthe plan chose %1").arg(QString::fromStdString(planned)));
  }

  plotstyle::setEmptyMessage(this, QString());
  plotplace::setTitle(
      this, title_,
      ofPlan ? tr("SQNR per block with the plan's formats")
             : tr("SQNR of %1 per block — text: the plan's format").arg(QString::fromStdString(format)));
  map_->setVisible(true);
  scale_->setVisible(true);
  map_->data()->setSize(blocks, static_cast<int>(roles.size()));
  map_->data()->setRange(QCPRange(0, blocks - 1), QCPRange(0, static_cast<double>(roles.size()) - 1));
  double lo = 1e300, hi = -1e300;
  for (int b = 0; b < blocks; ++b)
    for (size_t r = 0; r < roles.size(); ++r) {
      const double v = values_[r * blocks + b];
      map_->data()->setCell(b, static_cast<int>(r), v);
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
  if (lo > hi)
    lo = 0, hi = 1;
  if (hi - lo < 1)
    lo -= 0.5, hi += 0.5;
  map_->setDataRange(QCPRange(lo, hi));
  QSharedPointer<QCPAxisTickerText> roleTicks(new QCPAxisTickerText);
  for (size_t r = 0; r < roles.size(); ++r)
    roleTicks->addTick(static_cast<double>(r), QString::fromStdString(roles[r]));
  yAxis->setTicker(roleTicks);
  QSharedPointer<QCPAxisTickerFixed> blockTicks(new QCPAxisTickerFixed);
  blockTicks->setTickStep(1.0);
  blockTicks->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
  xAxis->setTicker(blockTicks);
  xAxis->setRange(-0.5, blocks - 0.5);
  yAxis->setRange(-0.5, static_cast<double>(roles.size()) - 0.5);

  clearItems();
  QFont small = font();
  small.setPointSizeF(7.5);
  for (int b = 0; b < blocks; ++b)
    for (size_t r = 0; r < roles.size(); ++r) {
      const QString& text = cellLabels_[r * blocks + b];
      if (text.isEmpty())
        continue;
      auto* label = new QCPItemText(this);
      label->setObjectName(QStringLiteral("cellLabel"));
      label->position->setCoords(b, static_cast<double>(r));
      label->setFont(small);
      label->setColor(Qt::black);
      label->setText(text);
    }
  replot(rpQueuedReplot);
}

void BlockProfilePlot::resizeEvent(QResizeEvent* event) {
  QCustomPlot::resizeEvent(event);
  placeCellLabels();
}

void BlockProfilePlot::placeCellLabels() {
  // A label shows only when it fits its cell: with many blocks the colours speak alone.
  if (blocks_ == 0 || roles_.empty())
    return;
  const double cellWidth = axisRect()->width() / static_cast<double>(blocks_);
  const double cellHeight = axisRect()->height() / static_cast<double>(roles_.size());
  for (int i = 0; i < itemCount(); ++i)
    if (auto* label = qobject_cast<QCPItemText*>(item(i));
        label && label->objectName() == QLatin1String("cellLabel")) {
      const QFontMetrics metrics(label->font());
      label->setVisible(metrics.horizontalAdvance(label->text()) + 4 <= cellWidth &&
                        metrics.height() <= cellHeight);
    }
}

void BlockProfilePlot::onMouseMove(QMouseEvent* event) {
  if (blocks_ == 0 || event->buttons() != Qt::NoButton)
    return;
  const int b = static_cast<int>(std::lround(xAxis->pixelToCoord(event->position().x())));
  const int r = static_cast<int>(std::lround(yAxis->pixelToCoord(event->position().y())));
  if (b < 0 || b >= blocks_ || r < 0 || r >= static_cast<int>(roles_.size())) {
    QToolTip::hideText();
    return;
  }
  const QString& tip = cellTips_[static_cast<size_t>(r) * blocks_ + b];
  if (!tip.isEmpty())
    QToolTip::showText(event->globalPosition().toPoint(), tip, this);
}

} // namespace qs
