#pragma once
// One look for every plot: the colour roles (original = blue-grey,
// dequantized = orange, error = red, pins = a fixed 4-colour palette), fonts,
// axis labels and the palette-aware background, so views stay consistent.
#include <QColor>
#include <QString>

#include <array>

class QCustomPlot;
class QCPColorGradient;
class QCPAxis;
class QCPGraph;
class QPalette;
class QWidget;

namespace qs::plotstyle {

QColor original();    // histogram of the input values
QColor dequantized(); // histogram of q(x), the staircase
QColor error();       // x - q
QColor clip();        // clip thresholds
QColor levels();      // quantization levels
QColor outlier();     // highlighted outlier channels
QColor reference();   // y = x and other guides
// The pinned-configuration colours (gui-shell's Document hands them out in this order).
const std::array<QColor, 4>& pinPalette();

// Heat-map gradients (256 levels): ColorBrewer YlOrRd for magnitudes (zero is
// pale), reversed RdBu for signed values (zero is white), viridis for scales.
QCPColorGradient sequentialGradient();
QCPColorGradient divergingGradient();
QCPColorGradient viridisGradient();

// Fonts, colours from the widget palette (dark or light), margins, legend look.
void applyBase(QCustomPlot* plot);
// Re-applies the palette colours after a QEvent::PaletteChange (`palette`
// defaults to the plot's own; a parent's changeEvent passes its new one,
// which reaches the child only after the parent's event).
void applyPalette(QCustomPlot* plot);
void applyPalette(QCustomPlot* plot, const QPalette& palette);
// A visible "no data" message in the middle of an empty plot (removes the
// previous one); empty text clears it.
void setEmptyMessage(QCustomPlot* plot, const QString& text);

// Human-readable number for labels and tooltips ("0.0123", "1.5e-07").
QString num(double value, int precision = 4);

// The metric table's definition (core/metrics/metric_table.h) for a key
// ("sqnr_db") or Metrics field ("sqnrDb"); empty for an unknown one.
QString metricDefinition(const QString& key);

} // namespace qs::plotstyle
