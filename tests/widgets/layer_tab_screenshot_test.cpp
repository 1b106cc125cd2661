// The Layer tab inside the main window after a demo-layer comparison, grabbed
// at 1366x768 and 1920x1080 (layer_tab_*.png, for a look): the table has its
// rows and every plot keeps a usable size inside the scrolled tab.
#include "widgets/document.h"
#include "widgets/layer/layer_view.h"
#include "widgets/main_window.h"
#include "window_sizes.h"

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
  test::addCommonWindowSizes();
}

void LayerTabScreenshotTest::layerTabAtCommonSizes() {
  QFETCH(QSize, size);
  MainWindow window(MainWindow::Options{false});
  LayerView* layer = test::runDemoLayer(window, size);
  QVERIFY(layer);
  window.analyzer()->waitForWorker();
  QTest::qWait(200);
  QVERIFY(layer->isVisible());
  QCOMPARE(layer->findChild<QTableWidget*>()->rowCount(), 5);
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
