// HistogramView and ErrorHistogramView draw what a known result says.
#include "plots_fixture.h"
#include "widgets/plots/histogram_view.h"
#include "widgets/plots/plot_style.h"

#include <QtTest>
#include <qcustomplot.h>

using namespace qs;

namespace {
QList<QCPAbstractItem*> itemsNamed(QCustomPlot* plot, const QString& name) {
  QList<QCPAbstractItem*> out;
  for (int i = 0; i < plot->itemCount(); ++i)
    if (plot->item(i)->objectName() == name)
      out << plot->item(i);
  return out;
}
QCPGraph* graphNamed(QCustomPlot* plot, const QString& name) {
  for (int i = 0; i < plot->graphCount(); ++i)
    if (plot->graph(i)->objectName() == name)
      return plot->graph(i);
  return nullptr;
}
} // namespace

class PlotsHistogramTest : public QObject {
  Q_OBJECT
private slots:
  void levelsAndClipLines() {
    auto tensor = testfx::makeTensor();
    auto result = testfx::makeInt4Result(*tensor);
    HistogramView view;
    view.setResult(result, tensor);
    QCustomPlot* p = view.plot();
    // One impulse per level on the hidden right axis, reaching its top (the axis rect's).
    QCPGraph* ticks = graphNamed(p, QStringLiteral("levels"));
    QVERIFY(ticks);
    QCOMPARE(ticks->valueAxis(), p->yAxis2);
    QVERIFY(!p->yAxis2->visible());
    QCOMPARE(ticks->lineStyle(), QCPGraph::lsImpulse);
    QCOMPARE(ticks->dataCount(), 16);
    for (int i = 0; i < 16; ++i) {
      const auto it = ticks->data()->constBegin() + i;
      QCOMPARE(it->key, double(result->levels[size_t(i)]));
      QCOMPARE(it->value, 1.0);
    }
    QCOMPARE(p->yAxis2->range().upper, 1.0);
    // The impulses start (value 0) at 94 % of the plot height: short ticks along the top.
    QVERIFY(std::fabs(p->yAxis2->range().lower / p->yAxis2->range().size() + 0.94) < 1e-12);
    QCOMPARE(itemsNamed(p, QStringLiteral("level")).size(), 0);
    const auto clips = itemsNamed(p, QStringLiteral("clip"));
    QCOMPARE(clips.size(), 2);
    QCOMPARE(static_cast<QCPItemStraightLine*>(clips[0])->point1->coords().x(), -6.0);
    QCOMPARE(static_cast<QCPItemStraightLine*>(clips[1])->point1->coords().x(), 6.0);
    // The dequantized impulses sit only on levels.
    QCPGraph* deq = graphNamed(p, QStringLiteral("dequantized"));
    QVERIFY(deq && deq->dataCount() > 0);
    const double w = result->histDequantized.binWidth();
    for (auto it = deq->data()->constBegin(); it != deq->data()->constEnd(); ++it) {
      const bool nearLevel = std::any_of(result->levels.begin(), result->levels.end(),
                                         [&](float l) { return std::fabs(it->key - l) <= w; });
      const bool planted =
          std::fabs(it->key -
                    result->dequantized[size_t(testfx::kErrRow * testfx::kCols + testfx::kErrCol)]) <= w;
      QVERIFY(nearLevel || planted);
    }
    // Original histogram: bin edges plus the closing point.
    QCPGraph* orig = graphNamed(p, QStringLiteral("original"));
    QCOMPARE(orig->dataCount(), int(result->histOriginal.counts.size()) + 1);
    QVERIFY(p->xAxis->range().contains(-6.0) && p->xAxis->range().contains(6.0));
    testfx::saveShot(view, QStringLiteral("histogram_int4"));
    view.setLogY(true);
    QCOMPARE(p->yAxis->scaleType(), QCPAxis::stLogarithmic);
    testfx::saveShot(view, QStringLiteral("histogram_int4_log"));
  }

  void denseLevelsShowAHint() {
    auto tensor = testfx::makeTensor();
    auto r = testfx::makeInt4Result(*tensor);
    auto dense = std::make_shared<QuantResult>(*r);
    dense->levels.clear();
    for (int i = -2000; i <= 2000; ++i)
      dense->levels.push_back(float(i) * 0.005f);
    HistogramView view;
    view.setResult(dense, tensor);
    QVERIFY(graphNamed(view.plot(), QStringLiteral("levels")) == nullptr);
    const auto notes = itemsNamed(view.plot(), QStringLiteral("levelsTooDense"));
    QCOMPARE(notes.size(), 1);
    QVERIFY(static_cast<QCPItemText*>(notes[0])->text().contains(QStringLiteral("too dense to draw")));
    QVERIFY(graphNamed(view.plot(), QStringLiteral("levelDensity")) != nullptr);
    testfx::saveShot(view, QStringLiteral("histogram_dense_levels"));
  }

  void pinsOverlayInTheirColours() {
    auto tensor = testfx::makeTensor();
    auto r = testfx::makeInt4Result(*tensor);
    auto r2 = testfx::makeInt4Result(*tensor, 3.0f);
    HistogramView view;
    view.setResult(r, tensor);
    view.setPinned({PinnedResult{QStringLiteral("P1 · INT4 clip 3"), plotstyle::pinPalette()[0], r2}});
    int pins = 0;
    for (int i = 0; i < view.plot()->graphCount(); ++i)
      if (view.plot()->graph(i)->objectName() == QLatin1String("pin")) {
        ++pins;
        QCOMPARE(view.plot()->graph(i)->pen().color().rgb(), plotstyle::pinPalette()[0].rgb());
      }
    QCOMPARE(pins, 1);
    testfx::saveShot(view, QStringLiteral("histogram_pinned"));
  }

  void emptyState() {
    HistogramView view;
    view.setResult(nullptr, nullptr);
    QCOMPARE(itemsNamed(view.plot(), QStringLiteral("emptyMessage")).size(), 1);
    QCOMPARE(view.plot()->graphCount(), 0);
  }
};

QTEST_MAIN(PlotsHistogramTest)
#include "plots_histogram_test.moc"
