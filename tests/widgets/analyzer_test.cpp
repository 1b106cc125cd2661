// Analyzer: results match a direct qs::quantize call, a burst of 1000
// config changes ends on the last config with few jobs, stale jobs are
// cancelled, refused configs report an error (each config on its own: a
// refused pin never stops the current config), pinned results are reused and
// nothing outlives the analyzer.
#include "core/pipeline/quantize.h"
#include "widgets/analyzer.h"

#include <QSignalSpy>
#include <QTest>

#include <random>

using namespace qs;

namespace {

std::shared_ptr<const Tensor> gaussian(int64_t rows, int64_t cols, uint32_t seed = 1) {
  auto t = std::make_shared<Tensor>();
  t->name = "w";
  t->shape = {rows, cols};
  t->values.resize(static_cast<size_t>(rows * cols));
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 0.02f);
  for (float& v : t->values)
    v = dist(rng);
  return t;
}

QuantConfig configNumber(int i) {
  static const char* formats[] = {"int8", "int4", "fp8_e4m3", "nf4", "int6", "mxfp4", "int2"};
  QuantConfig c;
  c.format = formats[i % 7];
  c.symmetric = (i / 7) % 2 == 0;
  c.clipping.method = ClipMethod::Percentile;
  c.clipping.percentile = 99.0 + (i % 100) * 0.0099;
  return c;
}

bool waitIdle(Analyzer& analyzer, int timeoutMs = 60000) {
  return QTest::qWaitFor([&] { return !analyzer.isBusy(); }, timeoutMs);
}

} // namespace

class AnalyzerTest : public QObject {
  Q_OBJECT
private slots:
  void resultMatchesDirectQuantize();
  void burstOf1000EndsOnTheLastConfig();
  void burstWithEventsInBetween();
  void refusedConfigReportsAnError();
  void refusedPinFailsOnItsOwn();
  void pinnedResultsAreReused();
  void destroyWhileRunning();
};

void AnalyzerTest::resultMatchesDirectQuantize() {
  auto tensor = gaussian(128, 256);
  QuantConfig config;
  config.format = "int4";
  config.granularity = Granularity{GranularityKind::Group, 0, 64};
  Analyzer analyzer;
  QSignalSpy ready(&analyzer, &Analyzer::resultReady);
  analyzer.setTensor(tensor);
  analyzer.setConfig(config);
  QVERIFY(waitIdle(analyzer));
  QVERIFY(ready.count() >= 1);
  const AnalysisOutput out = ready.last().at(0).value<AnalysisOutput>();
  QVERIFY(out.tensor == tensor);
  QVERIFY(out.current);
  auto direct = quantize(*tensor, config);
  QCOMPARE(out.current->metrics.mse, direct->metrics.mse);
  QCOMPARE(out.current->metrics.sqnrDb, direct->metrics.sqnrDb);
  QVERIFY(out.current->dequantized == direct->dequantized);
  QVERIFY(out.jobMs > 0);
}

void AnalyzerTest::burstOf1000EndsOnTheLastConfig() {
  auto tensor = gaussian(512, 512);
  Analyzer analyzer;
  QSignalSpy ready(&analyzer, &Analyzer::resultReady);
  analyzer.setTensor(tensor);
  for (int i = 0; i < 1000; ++i)
    analyzer.setConfig(configNumber(i));
  QVERIFY(waitIdle(analyzer));
  QTest::qWait(50); // nothing else arrives afterwards
  QVERIFY(ready.count() >= 1);
  const AnalysisOutput out = ready.last().at(0).value<AnalysisOutput>();
  const QuantConfig lastConfig = configNumber(999);
  QCOMPARE(out.current->config.format, lastConfig.format);
  QCOMPARE(out.current->config.clipping.percentile, lastConfig.clipping.percentile);
  QCOMPARE(out.current->metrics.mse, quantize(*tensor, lastConfig)->metrics.mse);
  // Coalesced: the leading-edge job (cancelled) and the one for the last config.
  QVERIFY2(analyzer.jobsStarted() <= 3, qPrintable(QString::number(analyzer.jobsStarted())));
  QCOMPARE(ready.count(), 1);
}

void AnalyzerTest::burstWithEventsInBetween() {
  // Changes spread over time, with the event loop running between them, so
  // jobs start, get cancelled and finish while changes keep arriving.
  auto tensor = gaussian(1024, 1024, 7);
  std::vector<std::weak_ptr<const QuantResult>> seen;
  {
    Analyzer analyzer;
    analyzer.setDebounceMs(5);
    connect(&analyzer, &Analyzer::resultReady, this,
            [&seen](const AnalysisOutput& out) { seen.push_back(out.current); });
    analyzer.setTensor(tensor);
    for (int i = 0; i < 1000; ++i) {
      analyzer.setConfig(configNumber(i));
      if (i % 10 == 0)
        QTest::qWait(1 + i % 7);
    }
    QVERIFY(waitIdle(analyzer));
    QVERIFY(!seen.empty());
    auto last = seen.back().lock();
    QVERIFY(last);
    QCOMPARE(last->config.format, configNumber(999).format);
    QCOMPARE(last->config.clipping.percentile, configNumber(999).clipping.percentile);
    QVERIFY(analyzer.jobsCancelled() > 0);
    QVERIFY(analyzer.jobsStarted() < 1000);
  }
  // The analyzer held the only references: nothing leaks past it.
  for (const auto& weak : seen)
    QVERIFY(weak.expired());
}

void AnalyzerTest::refusedConfigReportsAnError() {
  auto tensor = gaussian(16, 16);
  Analyzer analyzer;
  QSignalSpy ready(&analyzer, &Analyzer::resultReady);
  QSignalSpy failed(&analyzer, &Analyzer::failed);
  analyzer.setTensor(tensor);
  analyzer.setConfig(QuantConfig{});
  QVERIFY(waitIdle(analyzer));
  QuantConfig bad;
  bad.format = "int4";
  bad.granularity = Granularity{GranularityKind::Channel, 5, 128}; // no axis 5 in a 2-D tensor
  QTest::qWait(40);
  analyzer.setConfig(bad);
  QVERIFY(waitIdle(analyzer));
  QCOMPARE(failed.count(), 1);
  QVERIFY(failed.first().at(0).toString().contains("axis"));
  // The refusal is delivered too: the views show it for this tensor, not an older result.
  QCOMPARE(ready.count(), 2);
  QVERIFY(!analyzer.last().current);
  QVERIFY(analyzer.last().tensor == tensor);
  QCOMPARE(analyzer.last().currentError, failed.first().at(0).toString());
  // Back to a good config: no refusal left.
  QTest::qWait(40);
  analyzer.setConfig(QuantConfig{});
  QVERIFY(waitIdle(analyzer));
  QCOMPARE(failed.count(), 1);
  QVERIFY(analyzer.last().current);
  QVERIFY(analyzer.last().currentError.isEmpty());
}

void AnalyzerTest::refusedPinFailsOnItsOwn() {
  // A pin made on a 4-D kernel (group along axis 3) does not fit a 2-D
  // tensor: it is not applicable, and the current config and the other pin
  // are computed for the new tensor anyway.
  auto kernel = std::make_shared<Tensor>();
  kernel->name = "conv";
  kernel->shape = {8, 4, 4, 64};
  kernel->values.assign(8 * 4 * 4 * 64, 0.5f);
  QuantConfig onAxis3;
  onAxis3.format = "int4";
  onAxis3.granularity = Granularity{GranularityKind::Group, 3, 64};
  QuantConfig int6;
  int6.format = "int6";
  Analyzer analyzer;
  QSignalSpy failed(&analyzer, &Analyzer::failed);
  analyzer.setTensor(kernel);
  analyzer.setConfig(QuantConfig{});
  analyzer.setPinned({onAxis3, int6});
  QVERIFY(waitIdle(analyzer));
  QCOMPARE(int(analyzer.last().pinned.size()), 2);
  QVERIFY(analyzer.last().pinned[0] && analyzer.last().pinned[1]);

  auto matrix = gaussian(32, 64, 7);
  QTest::qWait(40);
  analyzer.setTensor(matrix);
  QVERIFY(waitIdle(analyzer));
  const AnalysisOutput& out = analyzer.last();
  QVERIFY(out.tensor == matrix);
  QVERIFY(out.current);
  QCOMPARE(out.current->metrics.mse, quantize(*matrix, QuantConfig{})->metrics.mse);
  QVERIFY(out.currentError.isEmpty());
  QCOMPARE(int(out.pinned.size()), 2);
  QCOMPARE(int(out.pinnedErrors.size()), 2);
  QVERIFY(!out.pinned[0]);
  QVERIFY2(out.pinnedErrors[0].contains("axis 3"), qPrintable(out.pinnedErrors[0]));
  QVERIFY(out.pinned[1]);
  QCOMPARE(out.pinned[1]->metrics.mse, quantize(*matrix, int6)->metrics.mse);
  QVERIFY(out.pinnedErrors[1].isEmpty());
  QCOMPARE(failed.count(), 0); // a refused pin is not a refused current config

  // Editing the current config still works with the refused pin in place.
  QTest::qWait(40);
  QuantConfig int3;
  int3.format = "int3";
  analyzer.setConfig(int3);
  QVERIFY(waitIdle(analyzer));
  QCOMPARE(analyzer.last().current->config.format, std::string("int3"));
  QVERIFY(!analyzer.last().pinned[0]);
  QVERIFY(!analyzer.last().pinnedErrors[0].isEmpty());
}

void AnalyzerTest::pinnedResultsAreReused() {
  auto tensor = gaussian(64, 64);
  Analyzer analyzer;
  analyzer.setTensor(tensor);
  QuantConfig int8;
  QuantConfig int4;
  int4.format = "int4";
  analyzer.setConfig(int8);
  QVERIFY(waitIdle(analyzer));
  auto current = analyzer.last().current;
  QTest::qWait(40);
  analyzer.setPinned({int8, int4}); // pinning the current config costs nothing
  QVERIFY(waitIdle(analyzer));
  QCOMPARE(int(analyzer.last().pinned.size()), 2);
  QVERIFY(analyzer.last().pinned[0] == current);
  QVERIFY(analyzer.last().current == current);
  QCOMPARE(analyzer.last().pinned[1]->metrics.mse, quantize(*tensor, int4)->metrics.mse);
  auto pinned4 = analyzer.last().pinned[1];
  QTest::qWait(40);
  QuantConfig int6;
  int6.format = "int6";
  analyzer.setConfig(int6); // pins are not recomputed for a config change
  QVERIFY(waitIdle(analyzer));
  QVERIFY(analyzer.last().pinned[1] == pinned4);
  QVERIFY(analyzer.last().pinned[0] == current);
  QCOMPARE(analyzer.last().current->config.format, std::string("int6"));
}

void AnalyzerTest::destroyWhileRunning() {
  auto tensor = gaussian(2048, 2048, 3);
  for (int i = 0; i < 3; ++i) {
    auto analyzer = std::make_unique<Analyzer>();
    analyzer->setTensor(tensor);
    analyzer->setConfig(configNumber(i));
    QTest::qWait(i * 3);
    analyzer.reset(); // cancels and waits for the worker
  }
  QVERIFY(tensor.use_count() == 1);
}

QTEST_GUILESS_MAIN(AnalyzerTest)
#include "analyzer_test.moc"
