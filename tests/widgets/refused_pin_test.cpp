// A pinned config that does not fit the selected tensor (a group along axis 3
// of a 4-D kernel, then a 2-D tensor): the pin is "not applicable" with its
// reason, and the current config is computed for the new tensor all the same;
// a refused current config says why in the plots, and the status bar stops
// saying so once a later analysis succeeds.
#include "fake_source.h"
#include "widgets/analyzer.h"
#include "widgets/compare_panel.h"
#include "widgets/document.h"
#include "widgets/main_window.h"
#include "widgets/metrics_panel.h"
#include "widgets/plots/histogram_view.h"
#include "widgets/tensor_browser.h"

#include <QLabel>
#include <QStatusBar>
#include <QTableWidget>
#include <QTest>
#include <qcustomplot.h>

using namespace qs;

namespace {

bool idle(MainWindow& window) {
  return QTest::qWaitFor([&] { return !window.analyzer()->isBusy() && !window.document()->isLoading(); },
                         60000);
}

QString statusText(MainWindow& window) {
  QStringList texts;
  for (QLabel* label : window.statusBar()->findChildren<QLabel*>())
    texts << label->text();
  return texts.join(QLatin1Char('|'));
}

QString emptyMessage(QCustomPlot* plot) {
  for (int i = 0; i < plot->itemCount(); ++i)
    if (plot->item(i)->objectName() == QLatin1String("emptyMessage"))
      return static_cast<QCPItemText*>(plot->item(i))->text();
  return {};
}

} // namespace

class RefusedPinTest : public QObject {
  Q_OBJECT
private slots:
  void refusedPinLeavesTheCurrentConfigComputed();
  void refusedCurrentConfigSaysWhyAndClears();
};

// A 4-D kernel and a 2-D weight; the kernel (the largest) is open with INT4
// groups kept on its axis 3, which the 2-D weight does not have.
void openKernelWithAxis3(MainWindow& window) {
  window.resize(1366, 768);
  window.show();
  Document* doc = window.document();
  auto source = std::make_shared<test::FakeSource>();
  source->add("conv.weight", {16, 8, 3, 64}); // the file's largest: selected on open
  source->add("fc.weight", {32, 48});
  doc->addSource(source, "model", "/tmp/model.npz");
  QTRY_COMPARE_WITH_TIMEOUT(doc->tensorName(), QString("conv.weight"), 30000);
  QuantConfig c = doc->config();
  c.format = "int4";
  c.granularity = Granularity{GranularityKind::Group, 3, 64};
  doc->editConfig(c, "int4 group 64 axis 3");
  QVERIFY(idle(window));
}

void RefusedPinTest::refusedPinLeavesTheCurrentConfigComputed() {
  MainWindow window(MainWindow::Options{false});
  openKernelWithAxis3(window);
  if (QTest::currentTestFailed())
    return;
  Document* doc = window.document();
  QuantConfig c = doc->config();
  QVERIFY(doc->pinCurrent());
  c.format = "int8";
  c.granularity = Granularity{GranularityKind::Channel, 0, 64};
  doc->editConfig(c, "int8 per channel"); // fits both tensors
  QVERIFY(idle(window));
  QVERIFY(window.analyzer()->last().pinned.at(0));

  window.browser()->selectTensor(0, "fc.weight");
  QVERIFY(idle(window));
  const AnalysisOutput& out = window.analyzer()->last();
  QVERIFY(out.tensor && out.tensor->shape == Shape({32, 48}));
  QVERIFY(out.current);
  QCOMPARE(out.current->tensorName, std::string("fc.weight"));
  QVERIFY(!out.pinned.at(0));
  QVERIFY2(out.pinnedErrors.at(0).contains("axis 3"), qPrintable(out.pinnedErrors.at(0)));

  // The Metrics panel and the plots show the new tensor.
  window.flushViews();
  auto* metrics = window.findChild<MetricsPanel*>();
  QVERIFY(metrics->findChild<QLabel*>()->text().contains("fc.weight"));
  for (ResultView* view : window.views())
    if (auto* histogram = qobject_cast<HistogramView*>(view)) {
      QVERIFY(emptyMessage(histogram->plot()).isEmpty());
      QVERIFY(histogram->plot()->graphCount() > 0);
    }
  // The pin is greyed "n/a" with its reason, the current column has numbers.
  auto* compare = window.findChild<ComparePanel*>();
  QTableWidget* table = compare->table();
  QCOMPARE(table->columnCount(), 2);
  QVERIFY(table->item(0, 0)->text().endsWith("dB"));
  QCOMPARE(table->item(0, 1)->text(), QString("n/a"));
  QVERIFY(table->item(0, 1)->toolTip().contains("not applicable: "));
  QVERIFY(table->horizontalHeaderItem(1)->toolTip().contains("axis 3"));
  QVERIFY(compare->note()->isVisibleTo(compare));
  QVERIFY(compare->note()->text().startsWith("P1 not applicable: "));
  QVERIFY(!statusText(window).contains("refused"));
  QTest::qWait(200); // the queued replots, before the picture
  QVERIFY(window.grab().save(QStringLiteral(QS_TEST_OUT_DIR "/refused_pin_1366x768.png"))); // to look at

  // Editing the current config goes on working with the pin in place.
  c.format = "int6";
  doc->editConfig(c, "int6");
  QVERIFY(idle(window));
  QCOMPARE(window.analyzer()->last().current->config.format, std::string("int6"));

  // Back on the kernel the pin applies again.
  window.browser()->selectTensor(0, "conv.weight");
  QVERIFY(idle(window));
  QVERIFY(window.analyzer()->last().pinned.at(0));
  QVERIFY(!compare->note()->isVisibleTo(compare));
  QVERIFY(table->item(0, 1)->text().endsWith("dB"));
}

void RefusedPinTest::refusedCurrentConfigSaysWhyAndClears() {
  MainWindow window(MainWindow::Options{false});
  openKernelWithAxis3(window);
  if (QTest::currentTestFailed())
    return;
  Document* doc = window.document();
  QuantConfig c = doc->config();

  window.browser()->selectTensor(0, "fc.weight");
  QVERIFY(idle(window));
  const AnalysisOutput& out = window.analyzer()->last();
  QVERIFY(out.tensor && out.tensor->shape == Shape({32, 48})); // not the kernel any more
  QVERIFY(!out.current);
  QVERIFY(!out.currentError.isEmpty());
  QVERIFY(statusText(window).contains("Config refused"));
  window.flushViews();
  auto* metrics = window.findChild<MetricsPanel*>();
  QVERIFY(metrics->findChild<QLabel*>()->text().contains("Config refused"));
  QCOMPARE(metrics->table()->item(0, 0)->text(), QString("–"));
  HistogramView* histogram = nullptr;
  for (ResultView* view : window.views())
    histogram = histogram ? histogram : qobject_cast<HistogramView*>(view);
  QVERIFY(emptyMessage(histogram->plot()).contains(out.currentError));
  QTest::qWait(200); // the queued replots, before the picture
  QVERIFY(window.grab().save(QStringLiteral(QS_TEST_OUT_DIR "/refused_current_1366x768.png")));
  QVERIFY(histogram->plot()->graphCount() == 0 || histogram->plot()->graph(0)->dataCount() == 0);

  // A config that fits: numbers again, and the refusal is gone from the status bar.
  c.granularity = Granularity{GranularityKind::Group, 1, 16};
  doc->editConfig(c, "axis 1");
  QVERIFY(idle(window));
  QVERIFY(window.analyzer()->last().current);
  QVERIFY2(!statusText(window).contains("refused"), qPrintable(statusText(window)));
  window.flushViews();
  QVERIFY(emptyMessage(histogram->plot()).isEmpty());
  QVERIFY(metrics->table()->item(0, 0)->text().endsWith("dB"));
}

QTEST_MAIN(RefusedPinTest)
#include "refused_pin_test.moc"
