// The GUI reads the core's tables: File > Open offers every extension of the
// reader table, and the metric rows (metrics panel, compare table) hold every
// entry of the metric table with its definition as the tooltip.
#include "core/demo/demo_source.h"
#include "core/io/reader_table.h"
#include "core/metrics/metric_table.h"
#include "widgets/config_panel.h"
#include "widgets/file_filters.h"
#include "widgets/metric_rows.h"
#include "widgets/plots/plot_style.h"

#include <QLabel>
#include <QRegularExpression>
#include <QtTest>

using namespace qs;

class CoreTablesTest : public QObject {
  Q_OBJECT
private slots:
  void openFilterListsEveryExtension() {
    const QString filter = tensorFileFilter();
    const QString patterns = filter.section(QStringLiteral(";;"), 0, 0);
    for (const ReaderEntry& r : readerTable())
      for (const std::string& e : r.extensions) {
        const QString pattern = QStringLiteral("*") + QString::fromStdString(e);
        QVERIFY2(
            patterns.split(QRegularExpression(QStringLiteral("[ ()]")), Qt::SkipEmptyParts).contains(pattern),
            qPrintable(pattern + QStringLiteral(" missing from ") + filter));
      }
    for (const char* e : {"*.hdf", "*.keras", "*.h5", "*.onnx"})
      QVERIFY2(patterns.contains(QLatin1String(e)), e);
    QVERIFY(filter.endsWith(QStringLiteral(";;All files (*)")));
  }

  void metricRowsCoverTheTable() {
    const auto& rows = metricRows();
    QCOMPARE(rows.size(), metricTable().size() + 1); // + the scale count
    QCOMPARE(rows.front().label, QStringLiteral("SQNR"));
    QuantResult r;
    r.metrics.mse = 1;
    r.metrics.rmse = 2;
    r.metrics.maxAbsError = 3;
    r.metrics.sqnrDb = 4;
    r.metrics.cosine = 5;
    r.metrics.clippedFraction = 6;
    r.metrics.bitsPerElement = 7;
    r.metrics.codeEntropyBits = 8;
    r.metrics.count = 9;
    r.metrics.nonFinite = 10;
    for (const MetricInfo& info : metricTable()) {
      bool found = false;
      for (const MetricRow& row : rows)
        if (row.label == QString::fromUtf8(info.label)) {
          found = true;
          QCOMPARE(row.value(r), info.value(r.metrics));
          QVERIFY(row.tooltip.startsWith(QString::fromUtf8(info.definition)));
        }
      QVERIFY2(found, info.key);
      QCOMPARE(plotstyle::metricDefinition(QString::fromUtf8(info.field)),
               QString::fromUtf8(info.definition));
      QCOMPARE(plotstyle::metricDefinition(QString::fromUtf8(info.key)), QString::fromUtf8(info.definition));
    }
    QVERIFY(metricRows()[0].tooltip.endsWith(QStringLiteral("(higher is better)")));
  }

  void configPanelShowsTheCoreProblems() {
    ConfigPanel panel;
    QuantConfig c;
    c.format = "int4";
    c.granularity = Granularity{GranularityKind::Group, 1, 32};
    panel.setConfig(c);
    panel.setTensorShape(Shape{4, 64});
    QVERIFY(panel.problemsLabel()->isHidden());
    panel.setTensorShape(Shape{64}); // axis 1 of a vector
    QVERIFY(!panel.problemsLabel()->isHidden());
    QCOMPARE(panel.problemsLabel()->text(),
             QStringLiteral("'granularity.axis' 1 is out of range for a tensor of shape [64]"));
    panel.resize(340, panel.sizeHint().height());
    QVERIFY(panel.grab().save(QStringLiteral(QS_TEST_OUT_DIR "/config_panel_problem.png"))); // to look at
    c.format = "codebook";
    c.granularity.reset();
    panel.setConfig(c);
    QVERIFY(panel.problemsLabel()->text().contains(QStringLiteral("needs levels")));
    c.codebook = {-1.0f, 1.0f};
    panel.setConfig(c);
    QVERIFY(panel.problemsLabel()->isHidden());
  }

  void demoSourceComesFromTheCore() {
    const auto source = makeDemoSource();
    QCOMPARE(source->list().size(), demoTensorNames().size());
    QVERIFY(source->find(defaultDemoTensor()) != nullptr);
  }
};

QTEST_MAIN(CoreTablesTest)
#include "core_tables_test.moc"
