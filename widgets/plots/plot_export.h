#pragma once
// Export helpers every view uses: plots to PNG / SVG / PDF, tables to CSV, an
// "Export…" context menu, and exportAll() for the main window's "Export all
// plots of the current view". Failures throw qs::Error with one clear line.
#include <QString>
#include <QStringList>

class QCustomPlot;
class QTableWidget;
class QWidget;

namespace qs {
class ResultView;
}

namespace qs::plotexport {

// Exports are at least this large (logical px), whatever the plot's size on screen.
constexpr int kMinExportWidth = 800;
constexpr int kMinExportHeight = 500;
// The objectName of a view's main plot: its files take the view's name alone.
constexpr const char* kMainPlotName = "plot";

// The format follows the suffix: .png, .svg or .pdf. A plot on screen is
// written at its size (at least kMinExportWidth x kMinExportHeight), an
// unshown one at 900 x 560, so exports are never empty or unreadably small.
void savePlot(QCustomPlot* plot, const QString& path);
// RFC 4180 CSV of the visible cells, header row first (and the vertical
// header as the first column when the table shows one).
QString tableToCsv(const QTableWidget& table);
void saveTableCsv(const QTableWidget& table, const QString& path);

// Adds a context menu with "Export…" to a QCustomPlot (PNG/SVG/PDF) or a
// QTableWidget (CSV); `baseName` seeds the file dialog ("histogram").
void installExportMenu(QWidget* widget, const QString& baseName);

// Writes every exportable of `view` into `directory` (created if needed):
// plots as .png + .svg + .pdf, tables as .csv, other widgets grabbed to .png.
// File names come from the view's title and the widget's objectName
// ("histogram.png", "outliers_topk.csv"). Returns the written paths.
QStringList exportAll(ResultView& view, const QString& directory);
// The same for any titled set of widgets (views that are not ResultViews, e.g. the layer view).
QStringList exportAll(const QString& title, const QList<QWidget*>& widgets, const QString& directory);

// "Error map" -> "error_map": safe in file names.
QString fileStem(const QString& text);

} // namespace qs::plotexport
