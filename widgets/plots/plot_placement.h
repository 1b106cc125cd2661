#pragma once
// Where the legend, the point labels and the title of a plot go, decided at
// every layout pass (so at every size, in exports too) by one guard per plot:
//  - the title wraps at " — ", then shrinks, and only then elides, to fit;
//  - the legend takes the first spot inside the axis rect that covers no data,
//    line or text, else a row under the axes with as many columns as fit the
//    width; an entry wider than the plot wraps onto more lines;
//  - movable labels take the first spot around their anchor that overlaps no
//    other label, the legend or a marker, and hide when none is left (the
//    views' tooltips still name every point).
#include <QRectF>
#include <QString>

class QCustomPlot;
class QCPItemText;
class QCPTextElement;

namespace qs::plotplace {

// Installs the guard on `plot` (once; later calls do nothing). The legend is
// placed while it is visible.
void install(QCustomPlot* plot);
// The title element the guard fits; `text` may hold several lines.
void setTitle(QCustomPlot* plot, QCPTextElement* title, const QString& text);

// Spots a movable label may take around its anchor point, tried in order.
enum class LabelSpots {
  AroundPoint, // right, left, above, below and the diagonals of a marker
  BesideLine,  // either side of a vertical line, stepping down a line at a time
  OverLine,    // above or below a horizontal line, ending or starting at the anchor
};
// Marks `label` as movable; `preferLeft` tries the left spots first.
void setMovable(QCPItemText* label, LabelSpots spots, bool preferLeft = false);

// The pixel rectangle of a text item's text, padding excluded.
QRectF textRect(const QCPItemText* label);

} // namespace qs::plotplace
