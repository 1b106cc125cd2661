// Document: config edits and pins through the undo stack (with slider-drag
// merging), opening files and reading tensors on the worker (progress for
// every reader, including npz inflating, and cancel).
#include "fake_source.h"
#include "widgets/document.h"
#include "widgets/plots/plot_style.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace qs;

class DocumentTest : public QObject {
  Q_OBJECT
private slots:
  void editsAreUndoable();
  void mergeKeysCollapseADrag();
  void dragBackToStartLeavesNothingToUndo();
  void pinsAreLimitedAndDistinct();
  void pinsAreUndoable();
  void pinUndoStepsInterleaveWithConfigEdits();
  void selectTensorReadsOnTheWorker();
  void longReadsReportProgressInChunks();
  void wholeReadsReportOnce();
  void deflatedNpzReportsInflateProgress();
  void cancelStopsABlockedRead();
  void badTensorNameFails();
  void openFileListsANpyFile();
  void openFileRefusesGarbage();
  void closeSourceClearsTheTensor();
};

static QuantConfig withBits(int bits) {
  QuantConfig c;
  c.format = "int" + std::to_string(bits);
  return c;
}

void DocumentTest::editsAreUndoable() {
  Document doc;
  QSignalSpy changed(&doc, &Document::configChanged);
  const QuantConfig start = doc.config();
  doc.editConfig(withBits(4), "bits 4");
  doc.editConfig(withBits(4), "same config: no step");
  doc.editConfig(withBits(2), "bits 2");
  QCOMPARE(doc.undoStack()->count(), 2);
  QCOMPARE(changed.count(), 2);
  QCOMPARE(doc.config().format, std::string("int2"));
  doc.undoStack()->undo();
  QCOMPARE(doc.config().format, std::string("int4"));
  doc.undoStack()->undo();
  QVERIFY(doc.config() == start);
  doc.undoStack()->redo();
  QCOMPARE(doc.config().format, std::string("int4"));
  QCOMPARE(changed.count(), 5);
  QCOMPARE(changed.last().at(0).value<QuantConfig>().format, std::string("int4"));
}

void DocumentTest::mergeKeysCollapseADrag() {
  Document doc;
  QuantConfig c = doc.config();
  c.clipping.method = ClipMethod::Percentile;
  for (int i = 0; i < 50; ++i) { // one drag: key 7
    c.clipping.percentile = 99.0 + i * 0.01;
    doc.editConfig(c, "percentile", 7);
  }
  QCOMPARE(doc.undoStack()->count(), 1);
  for (int i = 0; i < 10; ++i) { // a second drag: key 8, its own step
    c.clipping.percentile = 98.0 + i * 0.01;
    doc.editConfig(c, "percentile", 8);
  }
  QCOMPARE(doc.undoStack()->count(), 2);
  c.format = "int4"; // key 0 never merges
  doc.editConfig(c, "bits");
  c.format = "int3";
  doc.editConfig(c, "bits");
  QCOMPARE(doc.undoStack()->count(), 4);
  doc.undoStack()->undo();
  doc.undoStack()->undo();
  QCOMPARE(doc.config().clipping.percentile, 98.09);
  doc.undoStack()->undo(); // the whole second drag at once
  QCOMPARE(doc.config().clipping.percentile, 99.49);
  doc.undoStack()->undo(); // the whole first drag
  QVERIFY(doc.config() == QuantConfig{});
}

void DocumentTest::dragBackToStartLeavesNothingToUndo() {
  Document doc;
  QuantConfig c = doc.config();
  c.clipping.percentile = 99.5;
  doc.editConfig(c, "percentile", 3);
  doc.editConfig(QuantConfig{}, "percentile", 3);
  QVERIFY(doc.config() == QuantConfig{});
  QCOMPARE(doc.undoStack()->count(), 0);
}

void DocumentTest::pinsAreLimitedAndDistinct() {
  Document doc;
  QSignalSpy spy(&doc, &Document::pinsChanged);
  for (int bits = 8; bits >= 3; --bits) {
    doc.applyConfig(withBits(bits));
    const bool pinned = doc.pinCurrent();
    QCOMPARE(pinned, bits > 4); // four pins at most
  }
  QCOMPARE(int(doc.pins().size()), Document::kMaxPins);
  QCOMPARE(spy.count(), 4);
  doc.applyConfig(withBits(8));
  doc.unpin(3);
  QVERIFY(!doc.pinCurrent()); // int8 is pinned already
  QCOMPARE(int(doc.pins().size()), 3);
  for (size_t i = 0; i < doc.pins().size(); ++i)
    for (size_t j = i + 1; j < doc.pins().size(); ++j)
      QVERIFY(doc.pins()[i].color != doc.pins()[j].color);
  // P1 keeps its label and colour when P2 goes; the next pin reuses P2.
  const QColor p2 = doc.pins()[1].color;
  doc.unpin(1);
  QVERIFY(doc.pins()[0].label.startsWith("P1 · int8"));
  doc.applyConfig(withBits(2));
  QVERIFY(doc.pinCurrent());
  QVERIFY(doc.pins().back().label.startsWith("P2 · int2"));
  QCOMPARE(doc.pins().back().color, p2);
  doc.clearPins();
  QVERIFY(doc.pins().empty());
}

void DocumentTest::pinsAreUndoable() {
  Document doc;
  QSignalSpy changed(&doc, &Document::pinsChanged);
  QUndoStack& stack = *doc.undoStack();
  const auto& palette = plotstyle::pinPalette();
  const PinnedConfig p1{"P1 · " + Document::describe(withBits(8)), palette[0], withBits(8)};
  const PinnedConfig p2{"P2 · " + Document::describe(withBits(4)), palette[1], withBits(4)};
  using Pins = std::vector<PinnedConfig>;
  auto expectPins = [&](const Pins& want, int emitted) {
    QCOMPARE(doc.pins().size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      QCOMPARE(doc.pins()[i].label, want[i].label);
      QCOMPARE(doc.pins()[i].color, want[i].color);
      QVERIFY(doc.pins()[i].config == want[i].config);
    }
    QCOMPARE(changed.count(), emitted);
  };

  doc.applyConfig(withBits(8));
  QVERIFY(doc.pinCurrent());
  expectPins({p1}, 1);
  doc.applyConfig(withBits(4));
  QVERIFY(doc.pinCurrent());
  expectPins({p1, p2}, 2);
  doc.unpin(0);
  expectPins({p2}, 3);
  QCOMPARE(stack.count(), 3);
  QCOMPARE(stack.text(0), "Pin " + p1.label);
  QCOMPARE(stack.text(1), "Pin " + p2.label);
  QVERIFY(stack.text(1).startsWith("Pin P2 · int4"));
  QCOMPARE(stack.text(2), QString("Unpin P1"));
  QCOMPARE(stack.undoText(), QString("Unpin P1"));

  stack.undo(); // P1 comes back first, in its colour
  expectPins({p1, p2}, 4);
  stack.undo();
  expectPins({p1}, 5);
  stack.redo();
  expectPins({p1, p2}, 6);
  QCOMPARE(stack.redoText(), QString("Unpin P1"));

  doc.clearPins();
  expectPins({}, 7);
  QCOMPARE(stack.undoText(), QString("Clear pins"));
  QCOMPARE(stack.count(), 3); // the pushed clear replaced the undone unpin
  doc.clearPins();            // nothing to clear: no step, no signal
  QCOMPARE(stack.count(), 3);
  stack.undo();
  expectPins({p1, p2}, 8);
  doc.unpin(5); // out of range: nothing
  QCOMPARE(stack.count(), 3);
  QCOMPARE(changed.count(), 8);
}

void DocumentTest::pinUndoStepsInterleaveWithConfigEdits() {
  Document doc;
  doc.editConfig(withBits(4), "bits 4");
  QVERIFY(doc.pinCurrent());
  doc.editConfig(withBits(3), "bits 3");
  QVERIFY(doc.pinCurrent());
  QCOMPARE(doc.undoStack()->count(), 4);
  doc.undoStack()->undo(); // unpins int3, the config stays int3
  QCOMPARE(int(doc.pins().size()), 1);
  QCOMPARE(doc.config().format, std::string("int3"));
  doc.undoStack()->undo(); // the config goes back, the int4 pin stays
  QCOMPARE(doc.config().format, std::string("int4"));
  QCOMPARE(int(doc.pins().size()), 1);
  QVERIFY(!doc.pinCurrent()); // int4 is pinned already: no step
  QCOMPARE(doc.undoStack()->index(), 2);
  doc.undoStack()->undo();
  doc.undoStack()->undo();
  QVERIFY(doc.pins().empty());
  QVERIFY(doc.config() == QuantConfig{});
}

void DocumentTest::selectTensorReadsOnTheWorker() {
  Document doc;
  auto source = std::make_shared<test::FakeSource>();
  source->add("layers/0/weight", {64, 32});
  source->add("layers/0/bias", {64});
  const int index = doc.addSource(source, "fake", "/tmp/fake.npy");
  QSignalSpy changed(&doc, &Document::tensorChanged);
  doc.selectTensor(index, "layers/0/weight");
  QVERIFY(doc.isLoading());
  QVERIFY(changed.wait(5000));
  QVERIFY(!doc.isLoading());
  auto tensor = doc.tensor();
  QVERIFY(tensor);
  QCOMPARE(tensor->shape, (Shape{64, 32}));
  for (int64_t i = 0; i < tensor->numel(); ++i)
    QCOMPARE(tensor->values[static_cast<size_t>(i)], test::FakeSource::value(i));
  QCOMPARE(doc.tensorName(), QString("layers/0/weight"));
  QCOMPARE(doc.tensorSource(), index);
}

namespace {
// Reads a 4096 x 4096 fake tensor (64 MiB of float32) through `doc`; returns
// the progress fractions reported, empty when the tensor never arrived.
std::vector<double> loadBig(Document& doc, const std::shared_ptr<test::FakeSource>& source,
                            const QString& path) {
  source->add("big", {4096, 4096});
  const int index = doc.addSource(source, "fake", path);
  QSignalSpy progress(&doc, &Document::loadProgress);
  QSignalSpy changed(&doc, &Document::tensorChanged);
  doc.selectTensor(index, "big");
  std::vector<double> fractions;
  if (changed.wait(30000))
    for (const auto& args : progress)
      fractions.push_back(args.at(0).toDouble());
  return fractions;
}

// Runs `script` (Python with NumPy) that writes `path`, then opens it in `doc`.
bool writeAndOpen(Document& doc, const QString& script, const QString& path) {
  if (std::system(qPrintable(QStringLiteral(QS_PYTHON " -c \"%1\"").arg(script))) != 0)
    return false;
  QSignalSpy added(&doc, &Document::sourceAdded);
  doc.openFile(path);
  return QTest::qWaitFor([&] { return added.count() == 1; }, 30000);
}
} // namespace

void DocumentTest::longReadsReportProgressInChunks() {
  Document doc;
  auto source = std::make_shared<test::FakeSource>("npy"); // read in 16 MiB chunks
  const std::vector<double> progress = loadBig(doc, source, "/tmp/big.npy");
  QVERIFY(doc.tensor());
  QCOMPARE(source->rowReads.load(), 4);
  QCOMPARE(progress.size(), size_t(4));
  double last = 0;
  for (double fraction : progress) {
    QVERIFY(fraction > last);
    last = fraction;
  }
  QCOMPARE(last, 1.0);
  auto tensor = doc.tensor();
  QCOMPARE(tensor->numel(), int64_t{4096} * 4096);
  for (int64_t i : {int64_t{0}, int64_t{4096 * 1024 - 1}, int64_t{4096 * 1024}, int64_t{4096} * 4096 - 1})
    QCOMPARE(tensor->values[static_cast<size_t>(i)], test::FakeSource::value(i));
}

void DocumentTest::wholeReadsReportOnce() {
  Document doc;
  auto source = std::make_shared<test::FakeSource>("npz");
  source->cheapRows = false; // like an npz member or a Fortran-order .npy
  const std::vector<double> progress = loadBig(doc, source, "/tmp/big.npz");
  QVERIFY(doc.tensor());
  QCOMPARE(source->rowReads.load(), 1);
  QCOMPARE(progress, std::vector<double>{1.0});
  QCOMPARE(doc.tensor()->values[4096 * 4096 - 1], test::FakeSource::value(int64_t{4096} * 4096 - 1));
}

void DocumentTest::deflatedNpzReportsInflateProgress() {
  // 12 MiB of float32 written by numpy.savez_compressed: inflated in 4 MiB chunks.
  const QString path = QStringLiteral(QS_TEST_OUT_DIR "/document_test_big.npz");
  const QString script = QStringLiteral("import numpy as np; np.savez_compressed('%1', w=(np.arange(3 << 20, "
                                        "dtype=np.float32) % 1000 - 500).reshape(1536, 2048))")
                             .arg(path);
  Document doc;
  QVERIFY(writeAndOpen(doc, script, path));
  QSignalSpy progress(&doc, &Document::loadProgress);
  QSignalSpy changed(&doc, &Document::tensorChanged);
  QSignalSpy failed(&doc, &Document::loadFailed);
  doc.selectTensor(0, QStringLiteral("w"));
  QTRY_VERIFY_WITH_TIMEOUT(changed.count() == 1 || failed.count() == 1, 30000);
  QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
  QCOMPARE(progress.count(), 3); // after the header and 4, 8 MiB of the payload, then 1 at the end
  double last = 0;
  for (const auto& args : progress) {
    QVERIFY(args.at(0).toDouble() > last);
    last = args.at(0).toDouble();
  }
  QCOMPARE(last, 1.0);
  const auto tensor = doc.tensor();
  QCOMPARE(tensor->shape, (Shape{1536, 2048}));
  for (int64_t i : {int64_t{0}, int64_t{999}, int64_t{1000}, int64_t{(3 << 20) - 1}})
    QCOMPARE(tensor->values[static_cast<size_t>(i)], static_cast<float>(i % 1000 - 500));
}

void DocumentTest::cancelStopsABlockedRead() {
  Document doc;
  auto source = std::make_shared<test::FakeSource>();
  source->add("slow", {8, 8});
  source->blockUntilCancelled = true;
  const int index = doc.addSource(source, "fake", "/tmp/slow.npy");
  QSignalSpy cancelled(&doc, &Document::loadCancelled);
  QSignalSpy changed(&doc, &Document::tensorChanged);
  doc.selectTensor(index, "slow");
  QTest::qWait(20);
  QVERIFY(doc.isLoading());
  doc.cancelLoad();
  QCOMPARE(cancelled.count(), 1);
  QVERIFY(!doc.isLoading());
  doc.waitForWorkers(); // the worker saw the flag and returned
  QTest::qWait(20);
  QCOMPARE(changed.count(), 0);
  QCOMPARE(cancelled.count(), 1);
  QVERIFY(!doc.tensor());
}

void DocumentTest::badTensorNameFails() {
  Document doc;
  auto source = std::make_shared<test::FakeSource>();
  source->add("a", {4});
  const int index = doc.addSource(source, "fake", "/tmp/a.npy");
  QSignalSpy failed(&doc, &Document::loadFailed);
  doc.selectTensor(index, "missing");
  QVERIFY(failed.wait(5000));
  QVERIFY(failed.first().at(1).toString().contains("missing"));
}

void DocumentTest::openFileListsANpyFile() {
  const QString path = QStringLiteral(QS_TEST_OUT_DIR "/document_test_w.npy");
  const QString script =
      QStringLiteral("import numpy as np; np.save('%1', (np.arange(12, dtype=np.float32) - 5.5)"
                     ".reshape(3, 4))")
          .arg(path);
  Document doc;
  QVERIFY(writeAndOpen(doc, script, path));
  const OpenSource& source = doc.sources().front();
  QCOMPARE(source.path, path);
  QCOMPARE(doc.indexOfPath(path), 0);
  QCOMPARE(int(source.source->list().size()), 1);
  const std::string name = source.source->list().front().name;
  QSignalSpy changed(&doc, &Document::tensorChanged);
  QSignalSpy failed(&doc, &Document::loadFailed);
  doc.selectTensor(0, QString::fromStdString(name));
  // Count-based: the result may arrive before a wait() would start listening.
  QTRY_VERIFY_WITH_TIMEOUT(changed.count() == 1 || failed.count() == 1, 30000);
  QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(1).toString()));
  QCOMPARE(doc.tensor()->shape, (Shape{3, 4}));
  QCOMPARE(doc.tensor()->values[0], -5.5f);
  QCOMPARE(doc.tensor()->values[11], 5.5f);
}

void DocumentTest::openFileRefusesGarbage() {
  const QString path = QStringLiteral(QS_TEST_OUT_DIR "/document_test_garbage.bin");
  QFile file(path);
  QVERIFY(file.open(QIODevice::WriteOnly));
  file.write("definitely not a tensor file");
  file.close();
  Document doc;
  QSignalSpy failed(&doc, &Document::openFailed);
  doc.openFile(path);
  QVERIFY(failed.wait(10000));
  QCOMPARE(failed.first().at(0).toString(), path);
  QVERIFY(!failed.first().at(1).toString().isEmpty());
  QVERIFY(doc.sources().empty());
}

void DocumentTest::closeSourceClearsTheTensor() {
  Document doc;
  auto a = std::make_shared<test::FakeSource>();
  a->add("x", {4});
  auto b = std::make_shared<test::FakeSource>();
  b->add("y", {5});
  doc.addSource(a, "a", "/tmp/a.npy");
  doc.addSource(b, "b", "/tmp/b.npy");
  QSignalSpy changed(&doc, &Document::tensorChanged);
  doc.selectTensor(1, "y");
  QVERIFY(changed.wait(5000));
  doc.closeSource(0); // the selected tensor's source shifts to index 0
  QCOMPARE(doc.tensorSource(), 0);
  QVERIFY(doc.tensor());
  doc.closeSource(0);
  QVERIFY(!doc.tensor());
  QCOMPARE(doc.tensorSource(), -1);
  QVERIFY(changed.last().at(0).value<std::shared_ptr<const Tensor>>() == nullptr);
}

QTEST_GUILESS_MAIN(DocumentTest)
#include "document_test.moc"
