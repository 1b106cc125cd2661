// A view behind another tab drops every result it holds when asked
// (releaseResults) and keeps what it drew: the window relies on it so that
// hidden tabs do not keep old results (64 MB and more each) alive.
#include "plots_fixture.h"
#include "widgets/plots/plot_style.h"
#include "widgets/plots/plot_view_base.h"
#include "widgets/view_factory.h"

#include <QtTest>
#include <qcustomplot.h>

using namespace qs;

class PlotsReleaseTest : public QObject {
  Q_OBJECT
private slots:
  void everyViewLetsGoOfItsResults() {
    auto tensor = testfx::makeTensor();
    auto current = testfx::makeInt4Result(*tensor);
    auto pinned = testfx::makeInt4Result(*tensor, 3.0f);
    const std::weak_ptr<const QuantResult> currentAlive = current, pinnedAlive = pinned;
    QWidget host;
    const std::vector<ResultView*> views = createPlotViews(&host);
    std::vector<int> drawn;
    for (ResultView* view : views) {
      view->setPinned({PinnedResult{QStringLiteral("P1 · INT4 clip 3"), plotstyle::pinPalette()[0], pinned}});
      view->setResult(current, tensor);
      const auto* plotView = qobject_cast<PlotViewBase*>(view);
      drawn.push_back(plotView ? plotView->plot()->plottableCount() + plotView->plot()->itemCount() : 0);
    }
    for (ResultView* view : views)
      view->releaseResults();
    current.reset();
    pinned.reset();
    QVERIFY(currentAlive.expired());
    QVERIFY(pinnedAlive.expired());
    for (size_t i = 0; i < views.size(); ++i) {
      const auto* plotView = qobject_cast<PlotViewBase*>(views[i]);
      const int now = plotView ? plotView->plot()->plottableCount() + plotView->plot()->itemCount() : 0;
      QVERIFY2(now == drawn[i], qPrintable(views[i]->title())); // the picture stays
    }
  }
};

QTEST_MAIN(PlotsReleaseTest)
#include "plots_release_test.moc"
