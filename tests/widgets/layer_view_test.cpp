// LayerView: the demo layer compared on the worker (table, plots, outliers),
// operands from a file with a weight/input pair (auto-paired, NCHW input),
// cancel, bad options; renders the view to layer_view.png for a look.
#include "core/io/tensor_source.h"
#include "widgets/document.h"
#include "widgets/layer/layer_view.h"

#include <QComboBox>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <cstdlib>
#include <filesystem>

using namespace qs;

class LayerViewTest : public QObject {
  Q_OBJECT
private slots:
  void demoLayerFillsTableAndPlots();
  void fileOperandsArePaired();
  void cancelStopsTheRun();
  void badFormatIsReported();
};

static bool runAndWait(LayerView& view, int timeoutMs = 120000) {
  QSignalSpy done(&view, &LayerView::finished);
  view.run();
  if (!done.wait(timeoutMs))
    return false;
  return done.first().at(0).toBool();
}

void LayerViewTest::demoLayerFillsTableAndPlots() {
  Document doc;
  LayerView view(&doc);
  view.resize(1400, 900);
  view.show();
  QVERIFY(runAndWait(view));
  const auto report = view.report();
  QVERIFY(report);
  QCOMPARE(int(report->methods.size()), 5);
  QCOMPARE(report->calibration.outlierChannels.size(), size_t(4)); // the synthetic layer's planted channels
  auto* table = view.findChild<QTableWidget*>();
  QVERIFY(table);
  QCOMPARE(table->rowCount(), 5);
  QCOMPARE(table->item(0, 0)->text(), QString("RTN"));
  QVERIFY(table->item(4, 0)->text().startsWith("Hadamard rotation"));
  // Every method that smooths beats RTN on the demo layer (W4A16 group 128).
  for (int r = 1; r < 4; ++r)
    QVERIFY2(table->item(r, 2)->text().toDouble() > table->item(0, 2)->text().toDouble(),
             qPrintable(table->item(r, 0)->text()));
  QTest::qWait(50);
  QVERIFY(view.grab().save(QString(QS_TEST_OUT_DIR) + "/layer_view.png"));
  // W8A8 with static per-tensor activation ranges: SmoothQuant moves the outliers into W.
  for (QComboBox* c : view.findChildren<QComboBox*>()) {
    if (c->isEditable() && c->findText("int4") >= 0 && c->findText("nf4") >= 0)
      c->setEditText("int8");
    else if (c->isEditable() && c->findText("float") >= 0)
      c->setEditText("int8");
  }
  QVERIFY(runAndWait(view));
  QCOMPARE(QString::fromStdString(view.report()->activationLabel), QString("int8 sym, static (minmax)"));
  QVERIFY2(table->item(1, 2)->text().toDouble() > table->item(0, 2)->text().toDouble() + 5.0,
           "SmoothQuant should beat RTN at W8A8 with outlier channels");
  QTest::qWait(50);
  QVERIFY(view.grab().save(QString(QS_TEST_OUT_DIR) + "/layer_view_w8a8.png"));
}

void LayerViewTest::fileOperandsArePaired() {
  const std::string dir = std::string(QS_TEST_OUT_DIR) + "/widgets_layer";
  const std::string cmd =
      std::string(QS_PYTHON) + " " + QS_SOURCE_DIR + "/tests/data/make_layer_fixtures.py " + dir;
  QCOMPARE(std::system(cmd.c_str()), 0);
  Document doc;
  std::shared_ptr<const TensorSource> src = openTensorFile(dir + "/layers.h5");
  doc.addSource(src, "layers.h5", QString::fromStdString(dir + "/layers.h5"));
  LayerView view(&doc);
  auto combos = view.findChildren<QComboBox*>();
  QVERIFY(combos.size() >= 2);
  QComboBox* weight = combos[0];
  QComboBox* input = combos[1];
  // Choosing conv/weight picks its sibling conv/input.
  weight->setCurrentIndex(weight->findData(QString("conv/weight"), Qt::UserRole + 1));
  QCOMPARE(input->currentData(Qt::UserRole + 1).toString(), QString("conv/input"));
  QVERIFY(runAndWait(view));
  QCOMPARE(view.report()->inFeatures, int64_t(16));
  QCOMPARE(view.report()->calibrationTokens + view.report()->evaluationTokens, int64_t(32)); // 2*4*4 tokens
  QVERIFY(view.selectOperands("fc1/weight", "fc1/input"));
  QVERIFY(runAndWait(view));
  QCOMPARE(view.report()->inFeatures, int64_t(128));
  QCOMPARE(view.report()->calibration.outlierChannels, std::vector<int64_t>{7});
  // A mismatched pair fails with a message and keeps the old report.
  QVERIFY(view.selectOperands("fc1/weight", "conv/input"));
  QSignalSpy done(&view, &LayerView::finished);
  view.run();
  QVERIFY(done.wait(60000));
  QCOMPARE(done.first().at(0).toBool(), false);
  QVERIFY(done.first().at(1).toString().contains("does not match"));
  QCOMPARE(view.report()->inFeatures, int64_t(128));
}

void LayerViewTest::cancelStopsTheRun() {
  Document doc;
  LayerView view(&doc);
  QSignalSpy done(&view, &LayerView::finished);
  view.run();
  view.cancel();
  QVERIFY(done.wait(60000));
  QCOMPARE(done.first().at(0).toBool(), false);
  QVERIFY(!view.isRunning());
}

void LayerViewTest::badFormatIsReported() {
  Document doc;
  LayerView view(&doc);
  auto combos = view.findChildren<QComboBox*>();
  for (QComboBox* c : combos)
    if (c->isEditable() && c->findText("int4") >= 0) {
      c->setEditText("int99");
      break;
    }
  QSignalSpy done(&view, &LayerView::finished);
  view.run();
  QVERIFY(done.count() == 1 || done.wait(60000));
  QCOMPARE(done.first().at(0).toBool(), false);
  QVERIFY(done.first().at(1).toString().contains("int99"));
}

QTEST_MAIN(LayerViewTest)
#include "layer_view_test.moc"
