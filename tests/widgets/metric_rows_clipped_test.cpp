// "Clipped" says n/a, with the reason on hover, where clipping does not apply
// (a format whose blocks fix their scale, a plain cast that overflowed
// nothing) and a percentage where it does.
#include "core/pipeline/quantize.h"
#include "widgets/metric_rows.h"
#include "widgets/metrics_panel.h"

#include <QTableWidget>
#include <QTest>

#include <cmath>

using namespace qs;

namespace {

int clippedRow() {
  const auto& rows = metricRows();
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i].label == QLatin1String("Clipped"))
      return int(i);
  return -1;
}

} // namespace

class MetricRowsClippedTest : public QObject {
  Q_OBJECT
private slots:
  void clippedSaysWhenItDoesNotApply_data() {
    QTest::addColumn<QString>("format");
    QTest::addColumn<bool>("applies");
    QTest::newRow("int4") << "int4" << true;
    QTest::newRow("mxfp4") << "mxfp4" << false;
    QTest::newRow("q4_0") << "q4_0" << false;
    QTest::newRow("fp16") << "fp16" << false;
  }
  void clippedSaysWhenItDoesNotApply() {
    QFETCH(QString, format);
    QFETCH(bool, applies);
    Tensor t;
    t.name = "w";
    t.shape = {8, 64};
    for (int i = 0; i < 8 * 64; ++i)
      t.values.push_back(std::sin(0.3f * float(i)));
    QuantConfig c;
    c.format = format.toStdString();
    c.clipping.method = ClipMethod::Percentile;
    c.clipping.percentile = 90.0;
    const auto result = quantize(t, c);
    MetricsPanel panel;
    panel.setResult(result);
    const int row = clippedRow();
    QVERIFY(row >= 0);
    QTableWidgetItem* item = panel.table()->item(row, 0);
    if (applies) {
      QVERIFY2(item->text().endsWith("%"), qPrintable(item->text()));
      QVERIFY(item->text() != "0 %"); // a 90th percentile clips
    } else {
      QCOMPARE(item->text(), QString("n/a"));
      QVERIFY2(item->toolTip().contains("no clip range"), qPrintable(item->toolTip()));
      QVERIFY(std::isnan(metricRows()[size_t(row)].value(*result)));
    }
  }
};

QTEST_MAIN(MetricRowsClippedTest)
#include "metric_rows_clipped_test.moc"
