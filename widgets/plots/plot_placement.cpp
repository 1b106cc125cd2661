#include "widgets/plots/plot_placement.h"

#include <QFontMetrics>
#include <QPointer>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace qs::plotplace {

namespace {

constexpr char kMovable[] = "qsMovableLabel"; // LabelSpots + 1 on a movable QCPItemText
constexpr char kPreferLeft[] = "qsPreferLeft";
constexpr char kFullLabel[] = "qsFullLabel";       // an axis label as the view set it
constexpr char kWrappedLabel[] = "qsWrappedLabel"; // and as the guard wrapped it
constexpr int kGap = 6;                            // pixels between the legend and the axes
constexpr int kMinTitlePoint = 7;                  // the title shrinks down to this size before it elides
constexpr int kMaxDataPoints = 20000;              // a larger graph is sampled for the obstacle test

// Greedy word wrap to `width` pixels (a word wider than that keeps its own line).
QString wrapWords(const QFontMetrics& metrics, const QString& text, int width) {
  if (metrics.horizontalAdvance(text) <= width)
    return text;
  QStringList lines;
  QString line;
  for (const QString& word : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
    const QString candidate = line.isEmpty() ? word : line + QLatin1Char(' ') + word;
    if (!line.isEmpty() && metrics.horizontalAdvance(candidate) > width) {
      lines << line;
      line = word;
    } else {
      line = candidate;
    }
  }
  if (!line.isEmpty())
    lines << line;
  return lines.join(QLatin1Char('\n'));
}

// A legend entry whose text wraps to a width the guard sets. QCustomPlot draws
// the entry from the plottable's name (and its icon only there), so the
// wrapped text stands in for the name while the entry measures and draws.
class WrappedLegendItem : public QCPPlottableLegendItem {
public:
  WrappedLegendItem(QCPLegend* legend, QCPAbstractPlottable* plottable)
      : QCPPlottableLegendItem(legend, plottable) {}
  void setTextWidth(int width) { width_ = width; }

protected:
  void draw(QCPPainter* painter) override {
    const NameSwap swap(mPlottable, wrapped());
    QCPPlottableLegendItem::draw(painter);
  }
  QSize minimumOuterSizeHint() const override {
    const NameSwap swap(mPlottable, wrapped());
    return QCPPlottableLegendItem::minimumOuterSizeHint();
  }

private:
  struct NameSwap {
    NameSwap(QCPAbstractPlottable* p, const QString& text) : plottable(p), name(p ? p->name() : QString()) {
      if (plottable)
        plottable->setName(text);
    }
    ~NameSwap() {
      if (plottable)
        plottable->setName(name);
    }
    QCPAbstractPlottable* plottable;
    QString name;
  };
  QString wrapped() const {
    if (!mPlottable || width_ <= 0)
      return mPlottable ? mPlottable->name() : QString();
    return wrapWords(QFontMetrics(getFont()), mPlottable->name(), width_);
  }
  int width_ = 0;
};

// An obstacle: a point, a segment (a != b) or a rectangle, in pixels.
struct Obstacle {
  QPointF a, b;
  QRectF rect; // valid: a rectangle
};

bool segmentHits(QPointF a, QPointF b, const QRectF& r) {
  // Liang-Barsky: does the segment a-b enter r?
  double t0 = 0, t1 = 1;
  const double dx = b.x() - a.x(), dy = b.y() - a.y();
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {a.x() - r.left(), r.right() - a.x(), a.y() - r.top(), r.bottom() - a.y()};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0)
        return false;
    } else {
      const double t = q[i] / p[i];
      if (p[i] < 0)
        t0 = std::max(t0, t);
      else
        t1 = std::min(t1, t);
      if (t0 > t1)
        return false;
    }
  }
  return true;
}

bool hits(const Obstacle& o, const QRectF& r) {
  if (o.rect.isValid())
    return o.rect.intersects(r);
  return segmentHits(o.a, o.b, r);
}

bool anyHit(const std::vector<Obstacle>& obstacles, const QRectF& r) {
  return std::any_of(obstacles.begin(), obstacles.end(), [&](const Obstacle& o) { return hits(o, r); });
}

bool isMovable(const QCPAbstractItem* item) {
  return item->property(kMovable).toInt() > 0;
}

void addGraph(QCPGraph* g, std::vector<Obstacle>& out, bool markersOnly) {
  const auto data = g->data();
  const int n = data->size();
  if (n == 0 || !g->visible())
    return;
  QCPAxis* keyAxis = g->keyAxis();
  QCPAxis* valueAxis = g->valueAxis();
  const QCPRange range = valueAxis->range();
  const double base = valueAxis->scaleType() == QCPAxis::stLogarithmic ? range.lower : 0.0;
  const double basePixel = valueAxis->coordToPixel(range.contains(base) ? base : range.lower);
  const bool vertical = keyAxis->orientation() == Qt::Horizontal;
  auto pixel = [&](double key, double value) {
    const double k = keyAxis->coordToPixel(key), v = valueAxis->coordToPixel(value);
    return vertical ? QPointF(k, v) : QPointF(v, k);
  };
  auto baseAt = [&](double key) {
    const double k = keyAxis->coordToPixel(key);
    return vertical ? QPointF(k, basePixel) : QPointF(basePixel, k);
  };
  const int stride = std::max(1, n / kMaxDataPoints);
  const QCPGraph::LineStyle style = g->lineStyle();
  const bool filled = g->brush().style() != Qt::NoBrush;
  const double marker = g->scatterStyle().isNone() ? 0.0 : g->scatterStyle().size() / 2.0 + 1.0;
  QPointF previous;
  double previousKey = 0;
  QCPGraph* channel = g->channelFillGraph();
  for (int i = 0; i < n; i += stride) {
    const auto it = data->constBegin() + i;
    if (std::isnan(it->value))
      continue;
    const QPointF p = pixel(it->key, it->value);
    if (marker > 0)
      out.push_back({p, p, QRectF(p - QPointF(marker, marker), p + QPointF(marker, marker))});
    if (!markersOnly) {
      out.push_back({p, p, {}});
      if (style == QCPGraph::lsImpulse || (filled && !channel))
        out.push_back({baseAt(it->key), p, {}});
      if (i > 0) {
        switch (style) {
        case QCPGraph::lsLine:
          out.push_back({previous, p, {}});
          break;
        case QCPGraph::lsStepLeft: {
          const QPointF corner =
              pixel(it->key, valueAxis->pixelToCoord(vertical ? previous.y() : previous.x()));
          out.push_back({previous, corner, {}});
          out.push_back({corner, p, {}});
          break;
        }
        case QCPGraph::lsStepRight:
        case QCPGraph::lsStepCenter: {
          const QPointF corner = pixel(previousKey, it->value);
          out.push_back({previous, corner, {}});
          out.push_back({corner, p, {}});
          break;
        }
        default:
          break;
        }
      }
    }
    previous = p;
    previousKey = it->key;
  }
  if (channel && !markersOnly) { // the band between two graphs
    const auto other = channel->data();
    for (int i = 0; i < std::min(n, other->size()); i += stride) {
      const auto a = data->constBegin() + i, b = other->constBegin() + i;
      out.push_back({pixel(a->key, a->value), pixel(b->key, b->value), {}});
    }
  }
}

// What a legend must not cover: every plottable and every item other than the
// movable labels (they move out of its way). `markersOnly`: what a label must
// not cover: markers only (labels sit next to their line or point on purpose).
std::vector<Obstacle> obstacles(QCustomPlot* plot, bool markersOnly) {
  std::vector<Obstacle> out;
  for (int i = 0; i < plot->plottableCount(); ++i) {
    QCPAbstractPlottable* p = plot->plottable(i);
    if (!p->visible())
      continue;
    if (auto* g = qobject_cast<QCPGraph*>(p)) {
      addGraph(g, out, markersOnly);
    } else if (auto* bars = qobject_cast<QCPBars*>(p); bars && !markersOnly) {
      // Bar widths in plot coordinates (the views' bars); a bar rises from 0.
      const double half = bars->widthType() == QCPBars::wtPlotCoords ? bars->width() / 2 : 0.5;
      for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it) {
        const QCPRange values = bars->valueAxis()->range();
        const double base = bars->valueAxis()->scaleType() == QCPAxis::stLogarithmic ? values.lower : 0.0;
        const QPointF a = bars->coordsToPixels(it->key - half, base),
                      b = bars->coordsToPixels(it->key + half, it->value);
        out.push_back({{}, {}, QRectF(a, b).normalized()});
      }
    } else if (!markersOnly) { // colour maps and anything else: their whole extent
      bool found = false;
      const QCPRange keys = p->getKeyRange(found);
      const QCPRange values = found ? p->getValueRange(found) : QCPRange();
      if (found)
        out.push_back(
            {{},
             {},
             QRectF(
                 QPointF(p->keyAxis()->coordToPixel(keys.lower), p->valueAxis()->coordToPixel(values.lower)),
                 QPointF(p->keyAxis()->coordToPixel(keys.upper), p->valueAxis()->coordToPixel(values.upper)))
                 .normalized()});
    }
  }
  if (markersOnly)
    return out;
  for (int i = 0; i < plot->itemCount(); ++i) {
    QCPAbstractItem* item = plot->item(i);
    if (!item->visible() || isMovable(item))
      continue;
    if (auto* text = qobject_cast<QCPItemText*>(item)) {
      out.push_back({{}, {}, textRect(text)});
    } else if (auto* line = qobject_cast<QCPItemStraightLine*>(item)) {
      // Infinite: stretch it across the viewport.
      const QPointF a = line->point1->pixelPosition(), b = line->point2->pixelPosition();
      const QPointF d = b - a;
      const double len = std::hypot(d.x(), d.y());
      if (len > 0) {
        const QPointF far = d * (4.0 * (plot->width() + plot->height()) / len);
        out.push_back({a - far, a + far, {}});
      }
    } else if (auto* segment = qobject_cast<QCPItemLine*>(item)) {
      out.push_back({segment->start->pixelPosition(), segment->end->pixelPosition(), {}});
    } else if (auto* rect = qobject_cast<QCPItemRect*>(item)) {
      out.push_back(
          {{}, {}, QRectF(rect->topLeft->pixelPosition(), rect->bottomRight->pixelPosition()).normalized()});
    }
  }
  return out;
}

void relayout(QCustomPlot* plot) {
  // What QCustomPlot::updateLayout() does, without emitting afterLayout again.
  plot->plotLayout()->update(QCPLayoutElement::upPreparation);
  plot->plotLayout()->update(QCPLayoutElement::upMargins);
  plot->plotLayout()->update(QCPLayoutElement::upLayout);
}

int insetIndex(QCPLayoutInset* inset, QCPLayoutElement* element) {
  for (int i = 0; i < inset->elementCount(); ++i)
    if (inset->elementAt(i) == element)
      return i;
  return -1;
}

class Guard : public QObject {
public:
  explicit Guard(QCustomPlot* plot) : QObject(plot), plot_(plot) {
    setObjectName(QStringLiteral("qsPlacementGuard"));
    connect(plot, &QCustomPlot::afterLayout, this, &Guard::place);
  }
  void setTitle(QCPTextElement* title, const QString& text) {
    if (title != title_ && title)
      titleFont_ = title->font(); // the size it shrinks from
    title_ = title;
    titleText_ = text;
  }

private:
  void place() {
    if (placing_)
      return;
    placing_ = true;
    fitTitle();
    fitAxisLabels();
    placeLegend();
    placeLabels();
    placing_ = false;
  }

  void fitTitle() {
    if (!title_ || titleText_.isEmpty())
      return;
    // The viewport, not the title's rect: a title wider than the plot widens its row.
    const int width = std::max(60, plot_->viewport().width() - 16);
    QFont font = titleFont_;
    // Try the lines as given, then split at " — ", at each size down to the minimum.
    QStringList given = titleText_.split(QLatin1Char('\n'));
    QStringList split;
    for (const QString& line : given)
      split += line.split(QStringLiteral(" — "));
    for (double size = titleFont_.pointSizeF(); size >= kMinTitlePoint; size -= 0.5) {
      font.setPointSizeF(size);
      const QFontMetrics metrics(font);
      for (const QStringList* lines : {&given, &split}) {
        const bool fits = std::all_of(lines->begin(), lines->end(), [&](const QString& l) {
          return metrics.horizontalAdvance(l) <= width;
        });
        if (fits) {
          applyTitle(font, lines->join(QLatin1Char('\n')));
          return;
        }
      }
    }
    // Still too wide at the smallest size: shorten each line in the middle.
    const QFontMetrics metrics(font);
    QStringList elided;
    for (const QString& line : split)
      elided << metrics.elidedText(line, Qt::ElideMiddle, width);
    applyTitle(font, elided.join(QLatin1Char('\n')));
  }

  // An axis label longer than its axis wraps onto more lines (never elides).
  void fitAxisLabels() {
    bool changed = false;
    for (QCPAxis* axis : plot_->axisRect()->axes()) {
      if (!axis->visible() || axis->label().isEmpty())
        continue;
      if (axis->label() != axis->property(kWrappedLabel).toString())
        axis->setProperty(kFullLabel, axis->label()); // the view set a new one
      const QString full = axis->property(kFullLabel).toString();
      const int room =
          axis->orientation() == Qt::Vertical ? plot_->axisRect()->height() : plot_->axisRect()->width();
      const QString wrapped = wrapWords(QFontMetrics(axis->labelFont()), full, std::max(40, room - 8));
      axis->setProperty(kWrappedLabel, wrapped);
      if (axis->label() != wrapped) {
        axis->setLabel(wrapped);
        changed = true;
      }
    }
    if (changed)
      relayout(plot_);
  }

  void applyTitle(const QFont& font, const QString& text) {
    if (title_->font() == font && title_->text() == text)
      return;
    title_->setFont(font);
    title_->setText(text);
    relayout(plot_);
  }

  // Entries that wrap; QCustomPlot adds plain ones as plottables appear.
  void useWrappedItems(QCPLegend* legend) {
    std::vector<QCPAbstractPlottable*> plottables;
    bool plain = false;
    for (int i = 0; i < legend->itemCount(); ++i) {
      auto* item = qobject_cast<QCPPlottableLegendItem*>(legend->item(i));
      if (!item)
        return; // an entry of another kind: leave the legend as it is
      plottables.push_back(item->plottable());
      plain = plain || !dynamic_cast<WrappedLegendItem*>(item);
    }
    if (!plain)
      return;
    legend->clearItems();
    for (QCPAbstractPlottable* p : plottables)
      legend->addItem(new WrappedLegendItem(legend, p));
  }

  void setTextWidth(QCPLegend* legend, int width) {
    const int icon = legend->iconSize().width() + legend->iconTextPadding() + 12;
    for (int i = 0; i < legend->itemCount(); ++i)
      if (auto* item = dynamic_cast<WrappedLegendItem*>(legend->item(i)))
        item->setTextWidth(std::max(40, width - icon));
  }

  void arrange(QCPLegend* legend, QCPLayoutGrid::FillOrder order, int wrap) {
    legend->setWrap(wrap);
    legend->setFillOrder(order, true);
  }

  bool legendInside() const { return insetIndex(plot_->axisRect()->insetLayout(), plot_->legend) >= 0; }

  void moveInside() {
    QCPLegend* legend = plot_->legend;
    if (legendInside())
      return;
    QCPLayoutGrid* grid = plot_->plotLayout();
    if (legend->layout() == grid && grid->take(legend))
      grid->simplify();
    plot_->axisRect()->insetLayout()->addElement(legend, QRectF(0, 0, 0.1, 0.1));
    legend->setBorderPen(QPen(plot_->palette().color(QPalette::Mid)));
  }

  void moveBelow() {
    QCPLegend* legend = plot_->legend;
    QCPLayoutInset* inset = plot_->axisRect()->insetLayout();
    if (legendInside() && inset->take(legend))
      inset->simplify();
    QCPLayoutGrid* grid = plot_->plotLayout();
    int row = -1;
    for (int r = 0; r < grid->rowCount(); ++r)
      if (grid->element(r, 0) == legend)
        row = r;
    if (row < 0) {
      grid->addElement(grid->rowCount(), 0, legend);
      row = grid->rowCount() - 1;
    }
    grid->setRowStretchFactor(row, 0.001);
    legend->setBorderPen(Qt::NoPen);
  }

  // The legend rectangle at `spot` (0..7) of the axis rect, in pixels.
  QRectF spotRect(int spot, QSize size) const {
    const QRect a = plot_->axisRect()->rect().adjusted(kGap, kGap, -kGap, -kGap);
    const double xs[3] = {double(a.right() - size.width()), double(a.left()),
                          a.center().x() - size.width() / 2.0};
    const double ys[3] = {double(a.top()), double(a.bottom() - size.height()),
                          a.center().y() - size.height() / 2.0};
    // Corners first (right before left), then the middles of the top and bottom edges and of the sides.
    static const int order[8][2] = {{0, 0}, {1, 0}, {0, 1}, {1, 1}, {2, 0}, {2, 1}, {0, 2}, {1, 2}};
    return QRectF(xs[order[spot][0]], ys[order[spot][1]], size.width(), size.height());
  }

  void placeLegend() {
    QCPLegend* legend = plot_->legend;
    if (!legend || !legend->visible())
      return;
    useWrappedItems(legend);
    if (legend->itemCount() == 0) {
      // Nothing to show: out of every layout. An empty legend in the grid
      // would still cap the column's width (its margins), squeezing the axes.
      if (legendInside() && plot_->axisRect()->insetLayout()->take(legend))
        plot_->axisRect()->insetLayout()->simplify();
      if (legend->layout() == plot_->plotLayout() && plot_->plotLayout()->take(legend))
        plot_->plotLayout()->simplify();
      relayout(plot_);
      return;
    }
    // Inside: one column, entries at most half the axis rect wide.
    moveInside();
    arrange(legend, QCPLayoutGrid::foRowsFirst, 0);
    setTextWidth(legend, plot_->axisRect()->rect().width() / 2);
    relayout(plot_);
    const QRect axes = plot_->axisRect()->rect();
    const QSize size = legend->minimumOuterSizeHint();
    if (size.width() <= axes.width() - 2 * kGap && size.height() <= axes.height() - 2 * kGap) {
      const std::vector<Obstacle> blocked = obstacles(plot_, false);
      for (int spot = 0; spot < 8; ++spot) {
        const QRectF r = spotRect(spot, size);
        if (anyHit(blocked, r.adjusted(-2, -2, 2, 2)))
          continue;
        const int index = insetIndex(plot_->axisRect()->insetLayout(), legend);
        plot_->axisRect()->insetLayout()->setInsetPlacement(index, QCPLayoutInset::ipFree);
        plot_->axisRect()->insetLayout()->setInsetRect(
            index, QRectF((r.left() - axes.left()) / axes.width(), (r.top() - axes.top()) / axes.height(),
                          r.width() / axes.width(), r.height() / axes.height()));
        relayout(plot_);
        return;
      }
    }
    // Below the axes: as many columns as fit the plot's width.
    moveBelow();
    const int width = plot_->viewport().width() - 8;
    setTextWidth(legend, width);
    int columns = legend->itemCount();
    for (; columns > 1; --columns) {
      arrange(legend, QCPLayoutGrid::foColumnsFirst, columns);
      if (legend->minimumOuterSizeHint().width() <= width)
        break;
    }
    arrange(legend, QCPLayoutGrid::foColumnsFirst, columns);
    relayout(plot_);
  }

  void placeLabels() {
    std::vector<QCPItemText*> labels;
    for (int i = 0; i < plot_->itemCount(); ++i)
      if (auto* text = qobject_cast<QCPItemText*>(plot_->item(i)); text && isMovable(text))
        labels.push_back(text);
    if (labels.empty())
      return;
    // Point labels sit among the lines they name and avoid only markers; notes
    // beside a line avoid all data. All avoid the legend, fixed text and each other.
    std::vector<Obstacle> taken;
    if (legendInside())
      taken.push_back({{}, {}, QRectF(plot_->legend->outerRect())});
    for (int i = 0; i < plot_->itemCount(); ++i) // fixed text (notes) stays where it is
      if (auto* text = qobject_cast<QCPItemText*>(plot_->item(i));
          text && !isMovable(text) && text->visible())
        taken.push_back({{}, {}, textRect(text)});
    const std::vector<Obstacle> markers = obstacles(plot_, true), data = obstacles(plot_, false);
    const QRectF area = plot_->axisRect()->rect();
    for (QCPItemText* label : labels) {
      const auto spots = candidateSpots(label);
      const QPointF anchor = label->position->pixelPosition();
      const bool point = LabelSpots(label->property(kMovable).toInt() - 1) == LabelSpots::AroundPoint;
      // The marker the label names is not in its way.
      std::vector<Obstacle> blocked = taken;
      for (const Obstacle& o : point ? markers : data)
        if (!(o.a == anchor && o.b == anchor) &&
            !(o.rect.isValid() && o.rect.contains(anchor) && o.rect.width() < 30))
          blocked.push_back(o);
      bool placed = false;
      for (const auto& [align, padding] : spots) {
        label->setPositionAlignment(align);
        label->setPadding(padding);
        const QRectF r = textRect(label);
        if (!area.contains(r) || anyHit(blocked, r))
          continue;
        taken.push_back({{}, {}, r});
        placed = true;
        break;
      }
      label->setVisible(placed);
    }
  }

  std::vector<std::pair<Qt::Alignment, QMargins>> candidateSpots(const QCPItemText* label) const {
    const auto kind = LabelSpots(label->property(kMovable).toInt() - 1);
    const bool left = label->property(kPreferLeft).toBool();
    std::vector<std::pair<Qt::Alignment, QMargins>> spots;
    if (kind == LabelSpots::AroundPoint) {
      const int d = 7;
      const std::pair<Qt::Alignment, QMargins> right{Qt::AlignLeft | Qt::AlignVCenter, QMargins(d, 0, 0, 0)};
      const std::pair<Qt::Alignment, QMargins> leftSpot{Qt::AlignRight | Qt::AlignVCenter,
                                                        QMargins(0, 0, d, 0)};
      spots = {left ? leftSpot : right,
               left ? right : leftSpot,
               {Qt::AlignHCenter | Qt::AlignBottom, QMargins(0, 0, 0, d)},
               {Qt::AlignHCenter | Qt::AlignTop, QMargins(0, d, 0, 0)},
               {Qt::AlignLeft | Qt::AlignBottom, QMargins(d - 2, 0, 0, d - 2)},
               {Qt::AlignLeft | Qt::AlignTop, QMargins(d - 2, d - 2, 0, 0)},
               {Qt::AlignRight | Qt::AlignBottom, QMargins(0, 0, d - 2, d - 2)},
               {Qt::AlignRight | Qt::AlignTop, QMargins(0, d - 2, d - 2, 0)}};
    } else if (kind == LabelSpots::OverLine) {
      // Beside the anchor on the preferred side (below it going right, above it
      // going left), then the other heights and sides.
      const Qt::Alignment away = left ? Qt::AlignRight : Qt::AlignLeft;
      const Qt::Alignment back = left ? Qt::AlignLeft : Qt::AlignRight;
      const Qt::Alignment first = left ? Qt::AlignBottom : Qt::AlignTop;
      const Qt::Alignment second = left ? Qt::AlignTop : Qt::AlignBottom;
      for (Qt::Alignment h : {away, back})
        for (Qt::Alignment v : {first, second})
          spots.push_back({h | v, QMargins(4, 4, 4, 4)});
    } else { // BesideLine: the anchor is the line's top; step down a text line at a time
      const int step = QFontMetrics(label->font()).height() + 2;
      for (int row = 0; row < 16; ++row)
        for (bool l : {left, !left})
          spots.push_back({(l ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop,
                           l ? QMargins(0, row * step, 4, 0) : QMargins(4, row * step, 0, 0)});
    }
    return spots;
  }

  QCustomPlot* plot_;
  QPointer<QCPTextElement> title_;
  QString titleText_;
  QFont titleFont_;
  bool placing_ = false;
};

Guard* guardOf(QCustomPlot* plot) {
  return plot->findChild<Guard*>(QStringLiteral("qsPlacementGuard"), Qt::FindDirectChildrenOnly);
}

} // namespace

void install(QCustomPlot* plot) {
  if (!guardOf(plot))
    new Guard(plot);
}

void setTitle(QCustomPlot* plot, QCPTextElement* title, const QString& text) {
  install(plot);
  guardOf(plot)->setTitle(title, text);
  title->setText(text); // fitted at the next layout
}

void setMovable(QCPItemText* label, LabelSpots spots, bool preferLeft) {
  label->setProperty(kMovable, int(spots) + 1);
  label->setProperty(kPreferLeft, preferLeft);
  label->setClipToAxisRect(false); // the guard keeps it inside the axis rect
}

QRectF textRect(const QCPItemText* label) {
  const QRectF outer =
      QRectF(label->topLeft->pixelPosition(), label->bottomRight->pixelPosition()).normalized();
  const QMargins pad = label->padding();
  return outer.adjusted(pad.left(), pad.top(), -pad.right(), -pad.bottom());
}

} // namespace qs::plotplace
