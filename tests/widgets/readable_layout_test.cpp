// The workbench a new user sees, at 1366x768 and 1920x1080, with and without
// pins: every plot tab is raised and checked by geometry (the legend inside
// the plot and off the data, text labels apart, axis labels and titles not
// cut), and so are the panels (the configuration needs no scroll bar, the
// browser shows whole shapes, every plot tab is in view). Each tab is also
// saved as readable_<tab>_<size>_<pins>.png for a look.
#include "widgets/config_panel.h"
#include "widgets/document.h"
#include "widgets/layer/layer_view.h"
#include "widgets/main_window.h"
#include "widgets/plots/float_format_explorer.h"
#include "widgets/plots/plot_export.h"
#include "widgets/plots/plot_view_base.h"
#include "widgets/plots/sweep_view.h"
#include "widgets/tensor_browser.h"
#include "window_sizes.h"

#include <QDockWidget>
#include <QHeaderView>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTabBar>
#include <QTableWidget>
#include <QTest>
#include <QTreeView>
#include <qcustomplot.h>

using namespace qs;

namespace {

QRectF textBox(const QCPItemText* t) {
  const QRectF outer = QRectF(t->topLeft->pixelPosition(), t->bottomRight->pixelPosition()).normalized();
  const QMargins p = t->padding();
  return outer.adjusted(p.left(), p.top(), -p.right(), -p.bottom());
}

// Pixel positions of every data point the plot draws.
QVector<QPointF> dataPoints(QCustomPlot* plot) {
  QVector<QPointF> points;
  for (int i = 0; i < plot->plottableCount(); ++i) {
    auto* g = qobject_cast<QCPGraph*>(plot->plottable(i));
    if (!g || !g->visible())
      continue;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
      if (g->keyAxis()->range().contains(it->key) && g->valueAxis()->range().contains(it->value))
        points << g->coordsToPixels(it->key, it->value);
  }
  return points;
}

// What is wrong with the plot's layout, one line per fault (empty: nothing).
QStringList layoutFaults(QCustomPlot* plot) {
  QStringList faults;
  plot->replot(); // a layout pass at the current size
  const QRect inside = plot->rect();
  QCPLegend* legend = plot->legend;
  QRectF legendRect;
  if (legend->visible() && legend->itemCount() > 0) {
    legendRect = legend->outerRect();
    if (!inside.contains(legendRect.toAlignedRect()))
      faults << QStringLiteral("legend %1,%2 %3x%4 leaves the plot %5x%6")
                    .arg(legendRect.x())
                    .arg(legendRect.y())
                    .arg(legendRect.width())
                    .arg(legendRect.height())
                    .arg(inside.width())
                    .arg(inside.height());
    if (legendRect.intersects(plot->axisRect()->rect())) {
      int covered = 0;
      for (const QPointF& p : dataPoints(plot))
        covered += legendRect.contains(p);
      if (covered > 0)
        faults << QStringLiteral("legend covers %1 data points").arg(covered);
    }
  }
  QList<QCPItemText*> texts;
  for (int i = 0; i < plot->itemCount(); ++i)
    if (auto* t = qobject_cast<QCPItemText*>(plot->item(i)); t && t->visible() && !t->text().isEmpty())
      texts << t;
  for (int i = 0; i < texts.size(); ++i) {
    const QRectF a = textBox(texts[i]);
    if (!inside.contains(a.toAlignedRect()))
      faults << QStringLiteral("label '%1' leaves the plot").arg(texts[i]->text());
    if (legendRect.isValid() && a.intersects(legendRect))
      faults << QStringLiteral("label '%1' under the legend").arg(texts[i]->text());
    for (int j = i + 1; j < texts.size(); ++j)
      if (a.intersects(textBox(texts[j])))
        faults << QStringLiteral("labels '%1' and '%2' overlap").arg(texts[i]->text(), texts[j]->text());
  }
  for (QCPAxis* axis : plot->axisRect()->axes()) {
    if (!axis->visible() || axis->label().isEmpty())
      continue;
    const int room =
        axis->orientation() == Qt::Vertical ? plot->axisRect()->height() : plot->axisRect()->width();
    int need = 0; // the widest line (a label may wrap, but no line may be cut)
    for (const QString& line : axis->label().split('\n'))
      need = std::max(need, QFontMetrics(axis->labelFont()).horizontalAdvance(line));
    if (need > room)
      faults << QStringLiteral("axis label '%1' needs %2 px, has %3").arg(axis->label()).arg(need).arg(room);
  }
  for (int i = 0; i < plot->plotLayout()->elementCount(); ++i)
    if (auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(i))) {
      const QFontMetrics metrics(title->font());
      for (const QString& line : title->text().split('\n'))
        if (metrics.horizontalAdvance(line) > inside.width() - 4)
          faults << QStringLiteral("title line '%1' is wider than the plot").arg(line);
      if (!inside.contains(title->outerRect()))
        faults << QStringLiteral("title '%1' leaves the plot").arg(title->text());
    }
  return faults;
}

bool waitIdle(MainWindow& window) {
  return QTest::qWaitFor(
      [&] {
        return !window.analyzer()->isBusy() && !window.document()->isLoading() &&
               window.analyzer()->last().current;
      },
      60000);
}

void pinTwo(MainWindow& window) {
  Document* doc = window.document();
  const QuantConfig first = doc->config();
  QVERIFY(doc->pinCurrent());
  QuantConfig c = first;
  c.format = "nf4";
  c.granularity.reset();
  doc->editConfig(c, "nf4");
  QVERIFY(doc->pinCurrent());
  c.format = "fp8_e4m3";
  doc->editConfig(c, "fp8");
  QVERIFY(doc->pinCurrent());
  doc->editConfig(first, "back");
}

QString sizeTag(QSize s) {
  return QStringLiteral("%1x%2").arg(s.width()).arg(s.height());
}

} // namespace

class ReadableLayoutTest : public QObject {
  Q_OBJECT
private slots:
  void plotTabs_data();
  void plotTabs();
  void layerPlots_data();
  void layerPlots();
  void panelsFitAt1366x768();
};

void ReadableLayoutTest::plotTabs_data() {
  QTest::addColumn<QSize>("size");
  QTest::addColumn<bool>("pins");
  for (QSize s : {QSize(1366, 768), QSize(1920, 1080)})
    for (bool pins : {false, true})
      QTest::newRow(qPrintable(sizeTag(s) + (pins ? "_pins" : "_nopins"))) << s << pins;
}

void ReadableLayoutTest::plotTabs() {
  QFETCH(QSize, size);
  QFETCH(bool, pins);
  MainWindow window(MainWindow::Options{false});
  window.resize(size);
  window.show();
  window.openDemo();
  QVERIFY(QTest::qWaitFor([&] { return window.document()->tensor() != nullptr; }, 30000));
  QVERIFY(waitIdle(window));
  if (pins) {
    pinTwo(window);
    QVERIFY(QTest::qWaitFor([&] { return window.analyzer()->last().pinned.size() == 3; }, 60000));
    QVERIFY(waitIdle(window));
  }
  QStringList faults;
  for (ResultView* view : window.views()) {
    QVERIFY(window.raiseView(view->title()));
    if (auto* sweep = qobject_cast<SweepView*>(view)) {
      QSignalSpy done(sweep, &SweepView::sweepFinished);
      sweep->runSweep();
      QVERIFY(done.wait(120000));
    }
    QTest::qWait(150);
    window.flushViews();
    QTest::qWait(50);
    const QString tag = plotexport::fileStem(view->title()) + "_" + QTest::currentDataTag();
    for (QCustomPlot* plot : view->findChildren<QCustomPlot*>())
      if (plot->isVisible())
        for (const QString& f : layoutFaults(plot))
          faults << view->title() + ": " + f;
    if (auto* floats = qobject_cast<FloatFormatExplorer*>(view))
      for (QTableWidget* table : floats->findChildren<QTableWidget*>()) {
        const int content = table->horizontalHeader()->length();
        if (content > table->viewport()->width() && !table->horizontalScrollBar()->isVisible())
          faults << QStringLiteral("Float formats: table %1 is cut (%2 px in %3)")
                        .arg(table->objectName())
                        .arg(content)
                        .arg(table->viewport()->width());
        QWidget* dock = floats->parentWidget();
        if (floats->width() > dock->width())
          faults << QStringLiteral("Float formats: %1 px wide in a %2 px dock")
                        .arg(floats->width())
                        .arg(dock->width());
      }
    QVERIFY(window.grab().save(QString(QS_TEST_OUT_DIR) + "/readable_" + tag + ".png"));
  }
  QVERIFY2(faults.isEmpty(), qPrintable(faults.join('\n')));
}

void ReadableLayoutTest::layerPlots_data() {
  test::addCommonWindowSizes();
}

void ReadableLayoutTest::layerPlots() {
  QFETCH(QSize, size);
  MainWindow window(MainWindow::Options{false});
  LayerView* layer = test::runDemoLayer(window, size);
  QVERIFY(layer);
  QTest::qWait(200);
  QStringList faults;
  for (QWidget* w : layer->exportables())
    if (auto* plot = qobject_cast<QCustomPlot*>(w))
      for (const QString& f : layoutFaults(plot))
        faults << f;
  QVERIFY(
      window.grab().save(QString(QS_TEST_OUT_DIR) + "/readable_layer_" + QTest::currentDataTag() + ".png"));
  QVERIFY2(faults.isEmpty(), qPrintable(faults.join('\n')));
}

void ReadableLayoutTest::panelsFitAt1366x768() {
  MainWindow window(MainWindow::Options{false});
  window.resize(1366, 768);
  window.show();
  window.openDemo();
  QVERIFY(QTest::qWaitFor([&] { return window.document()->tensor() != nullptr; }, 30000));
  QVERIFY(waitIdle(window));
  QTest::qWait(100);

  // The configuration shows whole without a scroll bar.
  auto* config = window.findChild<ConfigPanel*>();
  auto* scroll = qobject_cast<QScrollArea*>(config->parentWidget()->parentWidget());
  QVERIFY(scroll);
  QVERIFY2(config->sizeHint().height() <= scroll->viewport()->height(),
           qPrintable(QString("config needs %1 px, has %2")
                          .arg(config->sizeHint().height())
                          .arg(scroll->viewport()->height())));
  QVERIFY(!scroll->verticalScrollBar()->isVisible());

  // The browser elides names in the middle and never a shape.
  auto* tree = window.findChild<TensorBrowser*>()->findChild<QTreeView*>();
  QCOMPARE(tree->textElideMode(), Qt::ElideMiddle);
  int shapes = 0;
  std::function<void(const QModelIndex&)> walk = [&](const QModelIndex& parent) {
    for (int r = 0; r < tree->model()->rowCount(parent); ++r) {
      const QModelIndex shape = tree->model()->index(r, 1, parent);
      const QString text = shape.data().toString();
      if (!text.isEmpty() && text.startsWith('[')) {
        ++shapes;
        const int need = tree->fontMetrics().horizontalAdvance(text) +
                         2 * tree->style()->pixelMetric(QStyle::PM_FocusFrameHMargin) + 2;
        QVERIFY2(need <= tree->columnWidth(1), qPrintable(QString("shape %1 needs %2 px, column has %3")
                                                              .arg(text)
                                                              .arg(need)
                                                              .arg(tree->columnWidth(1))));
      }
      walk(tree->model()->index(r, 0, parent));
    }
  };
  walk(QModelIndex());
  QVERIFY(shapes > 0);

  // Every plot tab is in view with its whole name.
  QTabBar* tabs = nullptr;
  for (QTabBar* bar : window.findChildren<QTabBar*>())
    if (bar->isVisible() && bar->count() >= int(window.views().size()))
      tabs = bar;
  QVERIFY(tabs);
  for (int i = 0; i < tabs->count(); ++i) {
    QVERIFY2(tabs->rect().contains(tabs->tabRect(i)),
             qPrintable(QString("tab '%1' out of view").arg(tabs->tabText(i))));
    QVERIFY2(tabs->fontMetrics().horizontalAdvance(tabs->tabText(i)) < tabs->tabRect(i).width(),
             qPrintable(QString("tab '%1' elided").arg(tabs->tabText(i))));
  }
  QVERIFY(window.grab().save(QString(QS_TEST_OUT_DIR) + "/readable_panels_1366x768.png"));
}

QTEST_MAIN(ReadableLayoutTest)
#include "readable_layout_test.moc"
