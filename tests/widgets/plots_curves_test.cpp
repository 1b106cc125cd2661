// ErrorHistogramView and TransferView on a known INT4 result.
#include "plots_fixture.h"
#include "widgets/plots/error_histogram_view.h"
#include "widgets/plots/plot_style.h"
#include "widgets/plots/transfer_view.h"

#include <QtTest>
#include <qcustomplot.h>

using namespace qs;

namespace {
QCPGraph* graphNamed(QCustomPlot* plot, const QString& name) {
  for (int i = 0; i < plot->graphCount(); ++i)
    if (plot->graph(i)->objectName() == name)
      return plot->graph(i);
  return nullptr;
}
// The value of an lsStepLeft graph at x.
double stepValueAt(const QCPGraph* g, double x) {
  auto it = g->data()->findBegin(x, false);
  if (it != g->data()->constBegin() && (it == g->data()->constEnd() || it->key > x))
    --it;
  return it->value;
}
} // namespace

class PlotsCurvesTest : public QObject {
  Q_OBJECT
private slots:
  void errorHistogramIsADensity() {
    auto tensor = testfx::makeTensor();
    auto r = testfx::makeInt4Result(*tensor);
    ErrorHistogramView view;
    view.setResult(r, tensor);
    QCPGraph* g = graphNamed(view.plot(), QStringLiteral("error"));
    QVERIFY(g);
    // Integral of the step density over the bins is 1.
    double integral = 0;
    auto it = g->data()->constBegin();
    for (size_t i = 0; i < r->histError.counts.size(); ++i, ++it)
      integral += it->value * r->histError.binWidth();
    QVERIFY(std::fabs(integral - 1.0) < 1e-9);
    auto r2 = testfx::makeInt4Result(*tensor, 2.0f);
    view.setPinned({PinnedResult{QStringLiteral("P1 · clip 2"), plotstyle::pinPalette()[1], r2}});
    QVERIFY(graphNamed(view.plot(), QStringLiteral("pin")));
    QCOMPARE(graphNamed(view.plot(), QStringLiteral("pin"))->pen().color().rgb(),
             plotstyle::pinPalette()[1].rgb());
    view.setLogY(true);
    testfx::saveShot(view, QStringLiteral("error_histogram_pinned_log"));
  }

  void staircasePassesThroughTheLevels() {
    auto tensor = testfx::makeTensor();
    auto r = testfx::makeInt4Result(*tensor);
    // The integer formula gives exactly the fixture's 16 levels.
    const auto levels = TransferView::transferLevels(*r);
    QCOMPARE(levels.size(), size_t(16));
    for (size_t i = 0; i < 16; ++i)
      QVERIFY(std::fabs(levels[i] - double(r->levels[i])) < 1e-6);
    TransferView view;
    view.setResult(r, tensor);
    QCPGraph* stair = graphNamed(view.plot(), QStringLiteral("staircase"));
    QVERIFY(stair);
    const double s = r->scales[0];
    for (float level : r->levels) {
      QCOMPARE(stepValueAt(stair, level), double(level));
      // Just inside each half-step the output is still the level...
      QCOMPARE(stepValueAt(stair, level + 0.49 * s), double(level));
    }
    // ...and beyond the clip range it saturates at the extreme levels.
    QCOMPARE(stepValueAt(stair, -7.5), double(r->levels.front()));
    QCOMPARE(stepValueAt(stair, 7.5), double(r->levels.back()));
    QCOMPARE(graphNamed(view.plot(), QStringLiteral("levels"))->dataCount(), 16);
    testfx::saveShot(view, QStringLiteral("transfer_int4"));
  }

  void asymmetricGridUsesTheZeroPoint() {
    QuantResult r;
    r.config.format = "uint3";
    r.config.symmetric = false;
    r.scales = {0.5f};
    r.zeroPoints = {2};
    r.clipLo = {-1.0f};
    r.clipHi = {2.5f};
    const auto levels = TransferView::transferLevels(r);
    const std::vector<double> expected{-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5};
    QCOMPARE(levels, expected);
    const auto steps = TransferView::staircase(levels, -2.0, 3.5);
    QCOMPARE(steps.front(), std::make_pair(-2.0, -1.0));
    QCOMPARE(steps[1], std::make_pair(-0.75, -0.5));
    QCOMPARE(steps.back(), std::make_pair(3.5, 2.5));
  }

  void aliasesAndWideGridsComeFromTheKernel() {
    // "i4" is int4: its grid comes from the format's kernel even without the result's levels.
    QuantResult r;
    r.config.format = "i4";
    r.scales = {0.25f};
    const auto levels = TransferView::transferLevels(r);
    QCOMPARE(levels.size(), size_t(16));
    QCOMPARE(levels.front(), -2.0);
    QCOMPARE(levels.back(), 1.75);
    r.config.format = "i16"; // wider than the result's 12-bit levels
    QCOMPARE(TransferView::transferLevels(r).size(), size_t(65536));
  }
};

QTEST_MAIN(PlotsCurvesTest)
#include "plots_curves_test.moc"
