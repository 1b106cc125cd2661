#include "widgets/plots/plot_export.h"

#include "core/error.h"
#include "widgets/result_view.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QMenu>
#include <QMessageBox>
#include <QRegularExpression>
#include <QSvgGenerator>
#include <QTableWidget>
#include <QTextStream>
#include <qcustomplot.h>

namespace qs::plotexport {

namespace {

constexpr int kDefaultWidth = 900;
constexpr int kDefaultHeight = 560;

// The size the plot has on screen, but never below a readable minimum (a
// small plot of the Layer tab, a narrow dock): fonts keep their point size,
// so a small export is mostly labels.
QSize exportSize(const QCustomPlot* plot) {
  if (!plot->isVisible() || plot->width() < 100 || plot->height() < 80)
    return {kDefaultWidth, kDefaultHeight};
  return plot->size().expandedTo(QSize(kMinExportWidth, kMinExportHeight));
}

void fail(const QString& what) {
  throw Error(what.toStdString());
}

// A widget that is not a plot, rendered at least at the readable minimum: laid
// out at that size for the picture, then given its size back.
QPixmap grabReadable(QWidget* widget) {
  const QSize old = widget->size();
  const QSize size = old.expandedTo(QSize(kMinExportWidth, kMinExportHeight));
  if (size == old)
    return widget->grab();
  widget->resize(size);
  QPixmap pixmap = widget->grab();
  widget->resize(old);
  return pixmap;
}

void saveSvg(QCustomPlot* plot, const QString& path, QSize size) {
  QSvgGenerator generator;
  generator.setFileName(path);
  generator.setSize(size);
  generator.setViewBox(QRect(QPoint(0, 0), size));
  generator.setTitle(QFileInfo(path).completeBaseName());
  generator.setDescription(QStringLiteral("QuantScope plot"));
  QCPPainter painter;
  if (!painter.begin(&generator))
    fail(QStringLiteral("cannot write SVG file %1").arg(path));
  plot->toPainter(&painter, size.width(), size.height());
  painter.end();
  if (!QFileInfo::exists(path))
    fail(QStringLiteral("cannot write SVG file %1").arg(path));
}

QString csvField(const QString& text) {
  if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
      !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r')))
    return text;
  QString quoted = text;
  quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
  return QLatin1Char('"') + quoted + QLatin1Char('"');
}

} // namespace

QString fileStem(const QString& text) {
  QString stem = text.toLower();
  stem.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("_"));
  while (stem.startsWith(QLatin1Char('_')))
    stem.remove(0, 1);
  while (stem.endsWith(QLatin1Char('_')))
    stem.chop(1);
  return stem.isEmpty() ? QStringLiteral("plot") : stem;
}

void savePlot(QCustomPlot* plot, const QString& path) {
  const QSize size = exportSize(plot);
  const QString suffix = QFileInfo(path).suffix().toLower();
  bool ok = false;
  if (suffix == QLatin1String("png")) {
    ok = plot->savePng(path, size.width(), size.height(), 1.0);
  } else if (suffix == QLatin1String("pdf")) {
    ok = plot->savePdf(path, size.width(), size.height());
  } else if (suffix == QLatin1String("svg")) {
    saveSvg(plot, path, size);
    ok = true;
  } else {
    fail(QStringLiteral("cannot export a plot as '.%1': use .png, .svg or .pdf").arg(suffix));
  }
  if (!ok)
    fail(QStringLiteral("cannot write %1").arg(path));
  // QCustomPlot::toPainter/savePdf lay the plot out at the export size; restore it.
  plot->replot(QCustomPlot::rpQueuedReplot);
}

QString tableToCsv(const QTableWidget& table) {
  const bool rowHeaders = table.verticalHeader()->isVisible();
  QString out;
  QTextStream stream(&out);
  QStringList header;
  if (rowHeaders)
    header << QString();
  for (int c = 0; c < table.columnCount(); ++c) {
    if (table.isColumnHidden(c))
      continue;
    const QTableWidgetItem* item = table.horizontalHeaderItem(c);
    header << csvField(item ? item->text() : QString::number(c + 1));
  }
  stream << header.join(QLatin1Char(',')) << "\r\n";
  for (int r = 0; r < table.rowCount(); ++r) {
    if (table.isRowHidden(r))
      continue;
    QStringList fields;
    if (rowHeaders) {
      const QTableWidgetItem* item = table.verticalHeaderItem(r);
      fields << csvField(item ? item->text() : QString::number(r + 1));
    }
    for (int c = 0; c < table.columnCount(); ++c) {
      if (table.isColumnHidden(c))
        continue;
      const QTableWidgetItem* item = table.item(r, c);
      fields << csvField(item ? item->text() : QString());
    }
    stream << fields.join(QLatin1Char(',')) << "\r\n";
  }
  return out;
}

void saveTableCsv(const QTableWidget& table, const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
    fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
  const QByteArray bytes = tableToCsv(table).toUtf8();
  if (file.write(bytes) != bytes.size())
    fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
}

void installExportMenu(QWidget* widget, const QString& baseName) {
  widget->setContextMenuPolicy(Qt::CustomContextMenu);
  QObject::connect(widget, &QWidget::customContextMenuRequested, widget, [widget, baseName](QPoint pos) {
    QMenu menu(widget);
    QAction* exportAction = menu.addAction(QObject::tr("Export…"));
    if (menu.exec(widget->mapToGlobal(pos)) != exportAction)
      return;
    auto* plot = qobject_cast<QCustomPlot*>(widget);
    auto* table = qobject_cast<QTableWidget*>(widget);
    const QString filter = plot ? QObject::tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)")
                                : QObject::tr("CSV table (*.csv)");
    const QString path = QFileDialog::getSaveFileName(
        widget, QObject::tr("Export %1").arg(baseName),
        QDir::home().filePath(fileStem(baseName) + (plot ? QStringLiteral(".png") : QStringLiteral(".csv"))),
        filter);
    if (path.isEmpty())
      return;
    try {
      if (plot)
        savePlot(plot, path);
      else if (table)
        saveTableCsv(*table, path);
      else if (!widget->grab().save(path))
        fail(QStringLiteral("cannot write %1").arg(path));
    } catch (const Error& e) {
      QMessageBox::warning(widget, QObject::tr("Export failed"), QString::fromStdString(e.what()));
    }
  });
}

QStringList exportAll(ResultView& view, const QString& directory) {
  return exportAll(view.title(), view.exportables(), directory);
}

QStringList exportAll(const QString& title, const QList<QWidget*>& widgets, const QString& directory) {
  QDir dir(directory);
  if (!dir.mkpath(QStringLiteral(".")))
    fail(QStringLiteral("cannot create directory %1").arg(directory));
  const QString viewStem = fileStem(title);
  QStringList written, stems;
  for (QWidget* widget : widgets) {
    // The view's main plot is named after the view ("histogram"), the others
    // after what they show ("outliers_topk", "layer_awq_search").
    const QString name = widget->objectName();
    QString stem = viewStem;
    if (!name.isEmpty() && name != QLatin1String(kMainPlotName) && fileStem(name) != viewStem)
      stem += QLatin1Char('_') + fileStem(name);
    for (int n = 2; stems.contains(stem); ++n) // unnamed twins still get distinct files
      stem = viewStem + QLatin1Char('_') + QString::number(n);
    stems << stem;
    if (auto* plot = qobject_cast<QCustomPlot*>(widget)) {
      for (const char* suffix : {".png", ".svg", ".pdf"}) {
        const QString path = dir.filePath(stem + QLatin1String(suffix));
        savePlot(plot, path);
        written << path;
      }
    } else if (auto* table = qobject_cast<QTableWidget*>(widget)) {
      const QString path = dir.filePath(stem + QStringLiteral(".csv"));
      saveTableCsv(*table, path);
      written << path;
    } else {
      const QString path = dir.filePath(stem + QStringLiteral(".png"));
      if (!grabReadable(widget).save(path))
        fail(QStringLiteral("cannot write %1").arg(path));
      written << path;
    }
  }
  return written;
}

} // namespace qs::plotexport
