// The layer workbench through the Document: its settings are undo steps
// (drags merge; undo and redo bring the Layer tab's controls back), and its
// W and X are read by the Document (loadStarted / loadProgress, Cancel).
#include "fake_source.h"
#include "widgets/document.h"
#include "widgets/layer/layer_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QSignalSpy>
#include <QSlider>
#include <QTest>

using namespace qs;

class LayerDocumentTest : public QObject {
  Q_OBJECT
private slots:
  void editsMergeAndUndo();
  void undoRedoRestoresTheControls();
  void operandsAreReadThroughTheDocument();
  void cancelStopsTheLayerRead();
};

namespace {

QComboBox* formatCombo(LayerView& view, const QString& item) {
  for (QComboBox* c : view.findChildren<QComboBox*>())
    if (c->isEditable() && c->findText(item) >= 0)
      return c;
  return nullptr;
}

QCheckBox* checkBox(LayerView& view, const QString& text) {
  for (QCheckBox* box : view.findChildren<QCheckBox*>())
    if (box->text() == text)
      return box;
  return nullptr;
}

} // namespace

void LayerDocumentTest::editsMergeAndUndo() {
  Document doc;
  QSignalSpy changed(&doc, &Document::layerSettingsChanged);
  LayerSettings s = doc.layerSettings();
  for (int alpha : {55, 60, 65}) {
    s.smoothAlphaPercent = alpha;
    doc.editLayerSettings(s, "SmoothQuant alpha", 7);
  }
  QCOMPARE(doc.undoStack()->count(), 1); // one drag, one step
  QCOMPARE(changed.count(), 3);
  s.seed = 3;
  doc.editLayerSettings(s, "seed");
  doc.editLayerSettings(s, "seed"); // unchanged: no step
  QCOMPARE(doc.undoStack()->count(), 2);
  doc.undoStack()->undo();
  QCOMPARE(doc.layerSettings().seed, 0);
  doc.undoStack()->undo();
  QCOMPARE(doc.layerSettings(), LayerSettings{});
  doc.undoStack()->redo();
  QCOMPARE(doc.layerSettings().smoothAlphaPercent, 65);
  // A drag back to where it started leaves nothing to undo.
  s = doc.layerSettings();
  s.smoothAlphaPercent = 80;
  doc.editLayerSettings(s, "SmoothQuant alpha", 7);
  s.smoothAlphaPercent = 65;
  doc.editLayerSettings(s, "SmoothQuant alpha", 7);
  QCOMPARE(doc.undoStack()->count(), 1);
}

void LayerDocumentTest::undoRedoRestoresTheControls() {
  Document doc;
  LayerView view(&doc);
  auto* alpha = view.findChild<QSlider*>();
  QComboBox* weightFormat = formatCombo(view, "nf4");
  QCheckBox* awq = checkBox(view, "AWQ");
  QVERIFY(alpha && weightFormat && awq);
  for (int v : {55, 62, 71}) // a drag: one undo step
    alpha->setValue(v);
  QCOMPARE(doc.layerSettings().smoothAlphaPercent, 71);
  QCOMPARE(doc.undoStack()->count(), 1);
  weightFormat->setEditText("int");
  weightFormat->setEditText("int8"); // typing: one undo step
  awq->setChecked(false);
  QCOMPARE(doc.undoStack()->count(), 3);
  QCOMPARE(doc.layerSettings().weightFormat, QString("int8"));
  QVERIFY(!doc.layerSettings().methods[size_t(LayerMethod::Awq)]);
  QCOMPARE(view.options().methods.size(), size_t(4));
  QCOMPARE(view.options().weight.format, std::string("int8"));

  doc.undoStack()->undo();
  QVERIFY(awq->isChecked());
  doc.undoStack()->undo();
  QCOMPARE(weightFormat->currentText(), QString("int4"));
  doc.undoStack()->undo();
  QCOMPARE(alpha->value(), 50);
  QCOMPARE(view.options().smoothAlpha, 0.5);
  doc.undoStack()->redo();
  doc.undoStack()->redo();
  doc.undoStack()->redo();
  QCOMPARE(alpha->value(), 71);
  QCOMPARE(weightFormat->currentText(), QString("int8"));
  QVERIFY(!awq->isChecked());
}

void LayerDocumentTest::operandsAreReadThroughTheDocument() {
  Document doc;
  auto source = std::make_shared<test::FakeSource>();
  source->add("fc/weight", {8, 128});
  source->add("fc/input", {32, 128});
  doc.addSource(source, "fake", "/tmp/layer_fake.npy");
  LayerView view(&doc);
  QSignalSpy started(&doc, &Document::loadStarted);
  QSignalSpy progress(&doc, &Document::loadProgress);
  QSignalSpy read(&doc, &Document::layerOperandsRead);
  QVERIFY(view.selectOperands("fc/weight", "fc/input"));
  QCOMPARE(doc.layerSettings().weightName, QString("fc/weight"));
  QCOMPARE(doc.layerSettings().inputName, QString("fc/input"));
  QSignalSpy done(&view, &LayerView::finished);
  view.run();
  QVERIFY(done.wait(60000));
  QCOMPARE(done.first().at(0).toBool(), true);
  QCOMPARE(started.count(), 1);
  QCOMPARE(read.count(), 1);
  QVERIFY(progress.count() >= 1);
  QCOMPARE(progress.last().at(0).toDouble(), 1.0);
  const auto tensors = read.first().at(0).value<std::shared_ptr<const LayerTensors>>();
  QCOMPARE(tensors->weight.shape, (Shape{8, 128}));
  QCOMPARE(tensors->input.values[5], test::FakeSource::value(5));
  QCOMPARE(view.report()->inFeatures, int64_t(128));
  QCOMPARE(view.report()->outFeatures, int64_t(8));
  QCOMPARE(view.report()->calibrationTokens + view.report()->evaluationTokens, int64_t(32));
}

void LayerDocumentTest::cancelStopsTheLayerRead() {
  Document doc;
  auto source = std::make_shared<test::FakeSource>();
  source->add("fc/weight", {8, 128});
  source->add("fc/input", {32, 128});
  source->blockUntilCancelled = true;
  doc.addSource(source, "fake", "/tmp/layer_slow.npy");
  LayerView view(&doc);
  QVERIFY(view.selectOperands("fc/weight", "fc/input"));
  QSignalSpy cancelled(&doc, &Document::loadCancelled);
  QSignalSpy done(&view, &LayerView::finished);
  view.run();
  QTest::qWait(20);
  QVERIFY(doc.isReadingLayer());
  QVERIFY(view.isRunning());
  doc.cancelLoad(); // the status bar's Cancel
  QCOMPARE(cancelled.count(), 1);
  QCOMPARE(done.count(), 1);
  QCOMPARE(done.first().at(0).toBool(), false);
  QVERIFY(!view.isRunning());
  doc.waitForWorkers(); // the worker saw the flag and returned
  QTest::qWait(20);
  QCOMPARE(done.count(), 1);
  QVERIFY(!view.report());
}

QTEST_MAIN(LayerDocumentTest)
#include "layer_document_test.moc"
