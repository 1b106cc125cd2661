// What a new user sees first: a file opens on its largest weight (not on a
// bias listed first), a small 1-D tensor's odd metrics come with a note, and
// with no tensor the plot area says what to do, at full size, with the same
// "–" in the Metrics and Pinned configs panels. Screenshots of the empty
// window at 1366x768 and 1920x1080 go to the test output directory.
#include "fake_source.h"
#include "widgets/analyzer.h"
#include "widgets/compare_panel.h"
#include "widgets/document.h"
#include "widgets/main_window.h"
#include "widgets/metrics_panel.h"
#include "widgets/plots/histogram_view.h"
#include "widgets/tensor_browser.h"
#include "window_sizes.h"

#include <QLabel>
#include <QTableWidget>
#include <QTest>
#include <qcustomplot.h>

using namespace qs;

namespace {

TensorEntry entry(const std::string& name, Shape shape) {
  TensorEntry e;
  e.name = name;
  e.shape = std::move(shape);
  return e;
}

QString emptyMessage(QCustomPlot* plot) {
  for (int i = 0; i < plot->itemCount(); ++i)
    if (plot->item(i)->objectName() == QLatin1String("emptyMessage"))
      return static_cast<QCPItemText*>(plot->item(i))->text();
  return {};
}

HistogramView* histogramOf(MainWindow& window) {
  for (ResultView* view : window.views())
    if (auto* histogram = qobject_cast<HistogramView*>(view))
      return histogram;
  return nullptr;
}

} // namespace

class FirstImpressionTest : public QObject {
  Q_OBJECT
private slots:
  void defaultTensorIsTheLargestWeight();
  void openingAFileSelectsTheLargestWeight();
  void smallVectorGetsANote();
  void emptyWindowNamesTheFirstSteps_data();
  void emptyWindowNamesTheFirstSteps();
};

void FirstImpressionTest::defaultTensorIsTheLargestWeight() {
  QCOMPARE(TensorBrowser::defaultTensor({entry("fc1.bias", {24}), entry("fc1.weight", {24, 16}),
                                         entry("embed", {100000}), entry("fc2.weight", {16, 48}),
                                         entry("fc3.weight", {48, 16})}),
           QString("fc2.weight")); // most elements among rank >= 2, the first of equals
  QCOMPARE(TensorBrowser::defaultTensor({entry("conv.bias", {8}), entry("conv.weight", {8, 3, 3, 3})}),
           QString("conv.weight"));
  QCOMPARE(TensorBrowser::defaultTensor({entry("a", {10}), entry("b", {20}), entry("c", {})}), QString("b"));
  QCOMPARE(TensorBrowser::defaultTensor({}), QString());
}

void FirstImpressionTest::openingAFileSelectsTheLargestWeight() {
  MainWindow window(MainWindow::Options{false});
  window.show();
  auto source = std::make_shared<test::FakeSource>();
  source->add("layer.bias", {24});
  source->add("layer.weight", {64, 32});
  source->add("norm.weight", {64});
  window.document()->addSource(source, "model", "/tmp/first_impression.npz");
  QTRY_COMPARE_WITH_TIMEOUT(window.document()->tensorName(), QString("layer.weight"), 30000);
}

void FirstImpressionTest::smallVectorGetsANote() {
  MainWindow window(MainWindow::Options{false});
  window.resize(1366, 768);
  window.show();
  auto source = std::make_shared<test::FakeSource>();
  source->add("layer.bias", {24});
  source->add("layer.weight", {64, 32});
  window.document()->addSource(source, "model", "/tmp/first_impression.npz");
  QTRY_COMPARE_WITH_TIMEOUT(window.document()->tensorName(), QString("layer.weight"), 30000);
  auto* metrics = window.findChild<MetricsPanel*>();
  QTRY_VERIFY_WITH_TIMEOUT(window.analyzer()->last().current && !window.analyzer()->isBusy(), 30000);
  QVERIFY(!metrics->note()->isVisibleTo(metrics)); // a weight needs no note

  // A bias asked for by name, with one scale per value: the note says why it looks odd.
  QuantConfig c = window.document()->config();
  c.format = "int8";
  c.granularity = Granularity{GranularityKind::Channel, 0, 128};
  window.document()->editConfig(c, "per channel");
  window.browser()->selectTensor(0, "layer.bias");
  QTRY_VERIFY_WITH_TIMEOUT(window.analyzer()->last().current &&
                               window.analyzer()->last().current->tensorName == "layer.bias" &&
                               !window.analyzer()->isBusy(),
                           30000);
  QVERIFY(metrics->note()->isVisibleTo(metrics));
  const QString note = metrics->note()->text();
  QVERIFY2(note.startsWith("1-D tensor of 24 values: scales cost more bits than the values"),
           qPrintable(note));
  QVERIFY(note.contains("usually kept in high precision"));
  QTest::qWait(200); // the queued replots, before the picture
  QVERIFY(window.grab().save(QStringLiteral(QS_TEST_OUT_DIR "/first_impression_bias.png"))); // to look at
  // The wrapped note makes room: no metric row is pushed out of the dock.
  QVERIFY2(metrics->table()->geometry().bottom() <= metrics->height(),
           qPrintable(
               QStringLiteral("%1 > %2").arg(metrics->table()->geometry().bottom()).arg(metrics->height())));

  // Per tensor the scale is cheap: the note says what is still true.
  c.granularity = Granularity{GranularityKind::Tensor, 0, 128};
  window.document()->editConfig(c, "per tensor");
  QTRY_VERIFY_WITH_TIMEOUT(window.analyzer()->last().current &&
                               window.analyzer()->last().current->granularity.kind ==
                                   GranularityKind::Tensor &&
                               !window.analyzer()->isBusy(),
                           30000);
  QVERIFY(metrics->note()->text().startsWith("1-D tensor of 24 values: biases and norms"));
}

void FirstImpressionTest::emptyWindowNamesTheFirstSteps_data() {
  test::addCommonWindowSizes();
}

void FirstImpressionTest::emptyWindowNamesTheFirstSteps() {
  QFETCH(QSize, size);
  MainWindow window(MainWindow::Options{false});
  window.resize(size);
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  QTest::qWait(50);
  HistogramView* histogram = histogramOf(window);
  QVERIFY(histogram);
  // The axes fill the tab, not a strip (an empty legend used to narrow their column).
  histogram->plot()->replot();
  const QRect axes = histogram->plot()->axisRect()->outerRect();
  QVERIFY2(axes.width() >= histogram->plot()->width() * 3 / 4 && axes.height() >= size.height() / 3,
           qPrintable(QStringLiteral("%1 x %2 in %3 x %4")
                          .arg(axes.width())
                          .arg(axes.height())
                          .arg(histogram->plot()->width())
                          .arg(histogram->plot()->height())));
  QCOMPARE(emptyMessage(histogram->plot()), ResultView::noTensorText());
  QVERIFY(ResultView::noTensorText().contains("File ▸ Open demo tensor"));
  // "–" for no value in both panels.
  auto* metrics = window.findChild<MetricsPanel*>();
  auto* compare = window.findChild<ComparePanel*>();
  for (int r = 0; r < compare->table()->rowCount(); ++r) {
    QCOMPARE(compare->table()->item(r, 0)->text(), QString("–"));
    QCOMPARE(metrics->table()->item(r, 0)->text(), QString("–"));
  }
  const QString path =
      QStringLiteral(QS_TEST_OUT_DIR "/first_impression_empty_%1.png").arg(QTest::currentDataTag());
  QTest::qWait(200); // the queued replots, before the picture
  QVERIFY(window.grab().save(path));
}

QTEST_MAIN(FirstImpressionTest)
#include "first_impression_test.moc"
