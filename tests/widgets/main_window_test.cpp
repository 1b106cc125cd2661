// The assembled window, offscreen: demo tensors load and reach every view,
// a burst of 1000 edits through the Document ends on the last config,
// Ctrl+Z undoes, pins fill the compare table, plots export to files.
#include "core/error.h"
#include "core/io/tensor_source.h"
#include "core/model/recipe.h"
#include "widgets/analyzer.h"
#include "widgets/config_panel.h"
#include "widgets/document.h"
#include "widgets/main_window.h"
#include "widgets/metrics_panel.h"
#include "widgets/plots/histogram_view.h"
#include "widgets/plots/scale_map_view.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFuture>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <qcustomplot.h>

using namespace qs;

namespace {

// Waits for a shown result whose config is `config` (format and percentile).
bool waitShown(MainWindow& window, const QuantConfig& config, int timeoutMs = 60000) {
  return QTest::qWaitFor(
      [&] {
        const auto& out = window.analyzer()->last();
        return !window.analyzer()->isBusy() && out.current && out.current->config.format == config.format &&
               out.current->config.clipping == config.clipping;
      },
      timeoutMs);
}

} // namespace

class MainWindowTest : public QObject {
  Q_OBJECT
private slots:
  void initTestCase();
  void demoReachesEveryView();
  void burstOf1000EditsEndsOnTheLast();
  void undoShortcutRestoresTheConfig();
  void pinsFillTheCompareTable();
  void exportAllPlotsWritesFiles();
  void exportTensorWritesSafetensors();
  void exportMetricsWritesCurrentAndPins();
  void configJsonRoundTripsThroughTheWindow();
  void hiddenTabsDrawWhenRaised();
  void aRecipeGivesTheSelectedTensorsConfig();

private:
  std::unique_ptr<MainWindow> window_;
};

void MainWindowTest::initTestCase() {
  window_ = std::make_unique<MainWindow>(MainWindow::Options{false});
  window_->resize(1400, 900);
  window_->show();
  QSignalSpy shown(window_.get(), &MainWindow::resultsShown);
  window_->openDemo();
  QVERIFY(QTest::qWaitFor([&] { return window_->document()->tensor() != nullptr; }, 30000));
  QVERIFY(waitShown(*window_, window_->document()->config()));
  QVERIFY(shown.wait(10000) || shown.count() > 0);
}

void MainWindowTest::demoReachesEveryView() {
  QVERIFY(!window_->views().empty());
  auto* metrics = window_->findChild<MetricsPanel*>();
  QVERIFY(metrics);
  QVERIFY(metrics->table()->item(0, 0)->text().endsWith("dB")); // SQNR filled in
  QVERIFY(window_->windowTitle().contains(window_->document()->tensorName()));
}

void MainWindowTest::burstOf1000EditsEndsOnTheLast() {
  Document* doc = window_->document();
  QuantConfig c = doc->config();
  c.clipping.method = ClipMethod::Percentile;
  const char* formats[] = {"int8", "int4", "fp8_e4m3", "nf4", "int3"};
  for (int i = 0; i < 1000; ++i) {
    c.format = formats[i % 5];
    c.clipping.percentile = 99.0 + (i % 97) * 0.01;
    doc->editConfig(c, "burst", i % 3 == 0 ? 0 : 42);
    if (i % 50 == 0)
      QTest::qWait(2);
  }
  QVERIFY(waitShown(*window_, c));
  QCOMPARE(window_->configPanel()->config().format, c.format);
  QCOMPARE(window_->analyzer()->last().current->config.clipping.percentile, c.clipping.percentile);
}

void MainWindowTest::undoShortcutRestoresTheConfig() {
  Document* doc = window_->document();
  const QuantConfig before = doc->config();
  QuantConfig c = before;
  c.format = "int2";
  doc->editConfig(c, "int2");
  QVERIFY(waitShown(*window_, c));
  QAction* undo = nullptr;
  for (QAction* action : window_->findChildren<QAction*>())
    if (action->shortcut() == QKeySequence(QKeySequence::Undo))
      undo = action;
  QVERIFY(undo);
  undo->trigger();
  QVERIFY(doc->config() == before);
  QVERIFY(waitShown(*window_, before));
}

void MainWindowTest::pinsFillTheCompareTable() {
  Document* doc = window_->document();
  QVERIFY(doc->pinCurrent());
  QuantConfig c = doc->config();
  c.format = "int4";
  doc->editConfig(c, "int4");
  QVERIFY(doc->pinCurrent());
  QVERIFY(waitShown(*window_, c));
  QVERIFY(QTest::qWaitFor([&] { return window_->analyzer()->last().pinned.size() == 2; }, 30000));
  QTableWidget* table = nullptr;
  for (QTableWidget* t : window_->findChildren<QTableWidget*>())
    if (t->columnCount() == 3)
      table = t;
  QVERIFY(table);
  QCOMPARE(table->horizontalHeaderItem(0)->text(), QString("Current"));
  QCOMPARE(table->horizontalHeaderItem(1)->text(), QString("P1"));
  for (int col = 0; col < 3; ++col)
    QVERIFY(table->item(0, col)->text().endsWith("dB"));
  doc->clearPins();
}

void MainWindowTest::exportAllPlotsWritesFiles() {
  const QString dir = QStringLiteral(QS_TEST_OUT_DIR "/main_window_export");
  QDir(dir).removeRecursively();
  QFuture<QStringList> done = window_->exportAllPlots(dir);
  QVERIFY(QTest::qWaitFor([&] { return done.isFinished(); }, 120000));
  const QStringList written = done.result();
  QVERIFY(written.size() >= int(window_->views().size()));
  int images = 0;
  for (const QString& path : written) {
    const QFileInfo info(path);
    const bool table = info.suffix() == "csv";
    images += table ? 0 : 1;
    QVERIFY2(info.size() > (table ? 20 : 1000), qPrintable(path)); // a header at least
  }
  QVERIFY(images >= int(window_->views().size()));
}

void MainWindowTest::exportTensorWritesSafetensors() {
  const QString path = QStringLiteral(QS_TEST_OUT_DIR "/main_window_export.safetensors");
  QFile::remove(path);
  auto result = window_->analyzer()->last().current;
  QVERIFY(result);
  QFuture<QString> done = window_->exportTensor(path);
  QVERIFY(QTest::qWaitFor([&] { return done.isFinished(); }, 60000));
  QCOMPARE(done.result(), QString());
  auto source = openTensorFile(path.toStdString());
  const Tensor dequantized = source->read(result->tensorName + ".dequantized");
  QVERIFY(dequantized.values == result->dequantized);
  // The live result carries no codes; the export quantizes again to get them.
  QVERIFY(result->codes.empty());
  const auto direct = quantize(*window_->analyzer()->last().tensor, result->config);
  const Tensor codes = source->read(result->tensorName + ".codes");
  QCOMPARE(codes.values.size(), direct->codes.size());
  for (size_t i = 0; i < codes.values.size(); ++i)
    QCOMPARE(codes.values[i], float(direct->codes[i]));
  QVERIFY(source->find(result->tensorName + ".scales"));
}

void MainWindowTest::exportMetricsWritesCurrentAndPins() {
  Document* doc = window_->document();
  QVERIFY(doc->pinCurrent());
  QVERIFY(QTest::qWaitFor([&] { return window_->analyzer()->last().pinned.size() == 1; }, 30000));
  const auto current = window_->analyzer()->last().current;
  QVERIFY(current);
  const QString path = QStringLiteral(QS_TEST_OUT_DIR "/main_window_metrics.csv");
  window_->exportMetrics(path);
  QFile file(path);
  QVERIFY(file.open(QIODevice::ReadOnly));
  const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
  QCOMPARE(lines.size(), 3); // header, current, one pin
  QVERIFY(lines[0].contains("sqnr_db"));
  QVERIFY(lines[1].contains(QString::fromStdString(current->tensorName)));
  doc->clearPins();
  QVERIFY_THROWS_EXCEPTION(qs::Error, window_->exportMetrics(QStringLiteral(QS_TEST_OUT_DIR "/metrics.xml")));
}

void MainWindowTest::configJsonRoundTripsThroughTheWindow() {
  // What File > Save config writes, File > Load config reads back as one undo step.
  Document* doc = window_->document();
  QuantConfig c = doc->config();
  c.format = "nf4";
  c.granularity = Granularity{GranularityKind::Group, 0, 64};
  const std::string json = configToJson(c);
  const int steps = doc->undoStack()->count();
  doc->editConfig(configFromJson(json), "Load config");
  QVERIFY(doc->config() == c);
  QCOMPARE(doc->undoStack()->count(), steps + 1);
  QVERIFY(waitShown(*window_, c));
  QCOMPARE(window_->analyzer()->last().current->granularity.groupSize, int64_t{64});
}

void MainWindowTest::aRecipeGivesTheSelectedTensorsConfig() {
  // File > Load config takes a plan's recipe too: the selected tensor's entry.
  Document* doc = window_->document();
  const std::string name = doc->tensor()->name;
  Recipe recipe;
  recipe.model = "demo";
  QuantConfig c;
  c.format = "int4";
  c.granularity = Granularity{GranularityKind::Group, kAutoAxis, 32};
  recipe.tensors = {{"other.weight", false, QuantConfig{}}, {name, false, c}};
  auto write = [](const QString& path, const std::string& text) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(text.data(), qint64(text.size())) == qint64(text.size());
  };
  const QString path = QStringLiteral(QS_TEST_OUT_DIR "/main_window_recipe.json");
  QVERIFY(write(path, recipeToJson(recipe)));
  const int steps = doc->undoStack()->count();
  QCOMPARE(window_->loadConfigFile(path), QString());
  QVERIFY(doc->config() == c);
  QCOMPARE(doc->undoStack()->count(), steps + 1);
  QVERIFY(waitShown(*window_, c));

  recipe.tensors = {{name, true, QuantConfig{}}};
  QVERIFY(write(path, recipeToJson(recipe)));
  QVERIFY(window_->loadConfigFile(path).contains(QStringLiteral("keeps tensor")));
  recipe.tensors = {{"other.weight", false, c}};
  QVERIFY(write(path, recipeToJson(recipe)));
  QVERIFY(window_->loadConfigFile(path).contains(QStringLiteral("has no config for tensor")));
  QVERIFY(doc->config() == c); // a refused load changes nothing
  QCOMPARE(doc->undoStack()->count(), steps + 1);
}

void MainWindowTest::hiddenTabsDrawWhenRaised() {
  // The tab on screen has the result when resultsShown fires; a tab behind it
  // gets the result only when raised.
  HistogramView* histogram = nullptr;
  ScaleMapView* scales = nullptr;
  for (ResultView* view : window_->views()) {
    histogram = histogram ? histogram : qobject_cast<HistogramView*>(view);
    scales = scales ? scales : qobject_cast<ScaleMapView*>(view);
  }
  QVERIFY(histogram && scales);
  QVERIFY(window_->raiseView(QStringLiteral("Histogram")));
  auto levelTicks = [&] {
    for (int i = 0; i < histogram->plot()->graphCount(); ++i)
      if (histogram->plot()->graph(i)->objectName() == QLatin1String("levels"))
        return histogram->plot()->graph(i)->dataCount();
    return -1;
  };
  Document* doc = window_->document();
  QuantConfig c = doc->config();
  c.format = "int6";
  c.granularity = Granularity{GranularityKind::Group, 0, 32};
  int ticksWhenShown = 0, scaleColumnsWhenShown = 0;
  auto connection = connect(window_.get(), &MainWindow::resultsShown, this, [&](const AnalysisOutput& out) {
    if (out.current && out.current->config.format == "int6" && !window_->analyzer()->isBusy()) {
      ticksWhenShown = levelTicks();
      scaleColumnsWhenShown = scales->colorMap()->data()->keySize();
    }
  });
  doc->editConfig(c, "int6 group 32");
  QVERIFY(QTest::qWaitFor([&] { return ticksWhenShown != 0; }, 60000));
  disconnect(connection);
  QCOMPARE(ticksWhenShown, 64);
  const qint64 groups = 1024 / 32; // the demo tensors have 1024 columns
  QVERIFY(scaleColumnsWhenShown != groups);
  QVERIFY(window_->raiseView(QStringLiteral("Scales")));
  QTRY_COMPARE(scales->colorMap()->data()->keySize(), groups);
  QVERIFY(window_->raiseView(QStringLiteral("Histogram")));
}

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
