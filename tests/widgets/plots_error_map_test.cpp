// ErrorMapView: the hottest cell is the planted error, the tooltip reads the
// right element, zooming re-pools the visible region through the core, and
// centreOn() frames the requested element.
#include "plots_fixture.h"
#include "widgets/plots/error_map_view.h"

#include <QSignalSpy>
#include <QtTest>
#include <qcustomplot.h>

using namespace qs;

namespace {
// Plot coordinates (col, row) of the cell holding the largest value.
QPointF hottest(QCPColorMap* map) {
  QCPColorMapData* d = map->data();
  double best = -1;
  QPointF at;
  for (int i = 0; i < d->keySize(); ++i)
    for (int j = 0; j < d->valueSize(); ++j)
      if (d->cell(i, j) > best) {
        best = d->cell(i, j);
        double k, v;
        d->cellToCoord(i, j, &k, &v);
        at = QPointF(k, v);
      }
  return at;
}
} // namespace

class PlotsErrorMapTest : public QObject {
  Q_OBJECT
private slots:
  void hottestCellIsThePlantedError() {
    auto tensor = testfx::makeTensor();
    auto r = testfx::makeInt4Result(*tensor, 12.0f); // no clipping: the planted error dominates
    ErrorMapView view;
    view.setResult(r, nullptr); // no original: shows the core's map as is
    const QPointF hot = hottest(view.colorMap());
    // Cells pool 2 x 2 elements; the planted element is row 40, col 100.
    QVERIFY(std::fabs(hot.x() - (testfx::kErrCol + 1)) < 1e-9);
    QVERIFY(std::fabs(hot.y() - (testfx::kErrRow + 1)) < 1e-9);
    QCOMPARE(view.colorMap()->dataRange().upper, double(r->errorMap.maxAbs[size_t(20 * 64 + 50)]));
    view.setMode(ErrorMapView::Mode::MeanSigned);
    QVERIFY(view.colorMap()->dataRange().lower < 0);
    QCOMPARE(view.colorMap()->dataRange().lower, -view.colorMap()->dataRange().upper);
  }

  void tooltipReadsOneElement() {
    auto tensor = testfx::makeTensor();
    auto r = testfx::makeInt4Result(*tensor);
    ErrorMapView view;
    view.setResult(r, tensor);
    const QString tip = view.elementTooltip(testfx::kErrRow, testfx::kErrCol);
    const size_t i = size_t(testfx::kErrRow * testfx::kCols + testfx::kErrCol);
    QVERIFY2(tip.contains(QStringLiteral("row 40, column 100")), qPrintable(tip));
    QVERIFY2(tip.contains(QString::number(tensor->values[i], 'g', 7)), qPrintable(tip));
    QVERIFY2(tip.contains(QString::number(r->dequantized[i], 'g', 7)), qPrintable(tip));
    QVERIFY(view.elementTooltip(testfx::kRows, 0).isEmpty());
    QVERIFY(view.elementTooltip(0, -1).isEmpty());
  }

  void zoomRepoolsTheVisibleRegion() {
    auto tensor = testfx::makeTensor();
    auto r = testfx::makeInt4Result(*tensor, 12.0f);
    ErrorMapView view;
    view.resize(900, 600);
    view.show();
    QSignalSpy spy(&view, &ErrorMapView::repooled);
    view.setResult(r, tensor);
    // The widget has more pixels than the tensor has elements: one cell per element.
    QVERIFY(spy.wait(5000));
    QCPColorMapData* d = view.colorMap()->data();
    QCOMPARE(d->keySize(), int(testfx::kCols));
    QCOMPARE(d->valueSize(), int(testfx::kRows));
    QPointF hot = hottest(view.colorMap());
    QCOMPARE(hot, QPointF(testfx::kErrCol + 0.5, testfx::kErrRow + 0.5));
    // Centre on the planted error: it stays the hottest cell of the re-pooled region.
    view.centreOn(testfx::kErrRow, testfx::kErrCol);
    QVERIFY(view.plot()->xAxis->range().contains(testfx::kErrCol + 0.5));
    QVERIFY(view.plot()->yAxis->range().contains(testfx::kErrRow + 0.5));
    view.plot()->xAxis->setRange(90, 110);
    view.plot()->yAxis->setRange(30, 50);
    QVERIFY(spy.wait(5000));
    QCOMPARE(view.colorMap()->data()->keySize(), 20);
    QCOMPARE(view.colorMap()->data()->valueSize(), 20);
    hot = hottest(view.colorMap());
    QCOMPARE(hot, QPointF(testfx::kErrCol + 0.5, testfx::kErrRow + 0.5));
    testfx::saveShot(view, QStringLiteral("error_map_zoomed"));
    // Relative mode pools |x| on the worker and divides cell by cell.
    view.setMode(ErrorMapView::Mode::Relative);
    QVERIFY(spy.wait(5000));
    QVERIFY(view.colorMap()->visible());
    const size_t i = size_t(testfx::kErrRow * testfx::kCols + testfx::kErrCol);
    const double expected =
        std::fabs(double(tensor->values[i]) - r->dequantized[i]) / std::fabs(tensor->values[i]);
    QVERIFY(std::fabs(view.colorMap()->data()->data(testfx::kErrCol + 0.5, testfx::kErrRow + 0.5) -
                      expected) < 1e-4 * expected);
  }

  void screenshots() {
    auto tensor = testfx::makeTensor();
    auto r = testfx::makeInt4Result(*tensor);
    ErrorMapView view;
    view.setResult(r, nullptr);
    testfx::saveShot(view, QStringLiteral("error_map_full"));
    view.setMode(ErrorMapView::Mode::MeanSigned);
    testfx::saveShot(view, QStringLiteral("error_map_signed"));
  }
};

QTEST_MAIN(PlotsErrorMapTest)
#include "plots_error_map_test.moc"
