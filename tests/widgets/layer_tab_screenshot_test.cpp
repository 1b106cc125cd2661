// The Layer tab inside the main window after a demo-layer comparison, grabbed
// at 1366x768 and 1920x1080 (layer_tab_*.png, for a look): the table has its
// rows and every plot keeps a usable size inside the scrolled tab.
#include "widgets/document.h"
#include "widgets/layer/layer_view.h"
#include "widgets/main_window.h"

#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <qcustomplot.h>

using namespace qs;

class LayerTabScreenshotTest : public QObject {
  Q_OBJECT
private slots:
  void layerTabAtCommonSizes_data();
  void layerTabAtCommonSizes();
};

void LayerTabScreenshotTest::layerTabAtCommonSizes_data() {
  QTest::addColumn<QSize>("size");
  QTest::newRow("1366x768") << QSize(1366, 768);
  QTest::newRow("1920x1080") << QSize(1920, 1080);
}

void LayerTabScreenshotTest::layerTabAtCommonSizes() {
  QFETCH(QSize, size);
  MainWindow window(MainWindow::Options{false});
  window.resize(size);
  window.show();
  window.openDemo();
  QVERIFY(QTest::qWaitFor([&] { return window.document()->tensor() != nullptr; }, 30000));
  QVERIFY(window.raiseView("layer"));
  auto* layer = window.findChild<LayerView*>();
  QVERIFY(layer);
  QSignalSpy done(layer, &LayerView::finished);
  layer->run();
  QVERIFY(done.wait(120000));
  QVERIFY(done.first().at(0).toBool());
  window.analyzer()->waitForWorker();
  QTest::qWait(200);
  QVERIFY(layer->isVisible());
  QCOMPARE(layer->findChild<QTableWidget*>()->rowCount(), 4);
  for (QWidget* plot : layer->exportables()) {
    QVERIFY(plot->isVisible());
    QVERIFY2(plot->width() >= 200 && plot->height() >= 150,
             qPrintable(QString("%1x%2").arg(plot->width()).arg(plot->height())));
  }
  const QString path = QString(QS_TEST_OUT_DIR) + "/layer_tab_" + QTest::currentDataTag() + ".png";
  QVERIFY(window.grab().save(path));
}

QTEST_MAIN(LayerTabScreenshotTest)
#include "layer_tab_screenshot_test.moc"
