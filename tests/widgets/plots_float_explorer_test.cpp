// FloatFormatExplorer shows the right bits and stored values. Expected bit
// strings: FP32/FP16/BF16 from NumPy/PyTorch casts, FP8/FP4 from the OCP spec
// (worked by hand; an exhaustive nearest-code search over all 256 E4M3 codes
// decoded by the spec formula double-checks them).
#include "plots_fixture.h"
#include "widgets/plots/float_format_explorer.h"

#include <QLabel>
#include <QTableWidget>
#include <QtTest>

using namespace qs;

namespace {
// OCP E4M3FN decoded from the spec formula, independent of the core.
double e4m3Spec(int code) {
  const int s = code >> 7, e = (code >> 3) & 15, m = code & 7;
  if (e == 15 && m == 7)
    return std::nan("");
  const double mag = e == 0 ? std::ldexp(m / 8.0, -6) : std::ldexp(1.0 + m / 8.0, e - 7);
  return s ? -mag : mag;
}
// Nearest code, ties to the even code (saturating: |x| > 448 -> 448).
int e4m3Nearest(double x) {
  int best = -1;
  double bestDist = 1e300;
  for (int c = 0; c < 256; ++c) {
    const double v = e4m3Spec(c);
    if (std::isnan(v) || (v == 0 && std::signbit(v) != std::signbit(x)))
      continue;
    const double d = std::fabs(std::clamp(x, -448.0, 448.0) - v);
    if (d < bestDist || (d == bestDist && (c & 1) == 0)) {
      bestDist = d;
      best = c;
    }
  }
  return best;
}
QString codeBits(int code) {
  const QString b = QStringLiteral("%1").arg(code, 8, 2, QLatin1Char('0'));
  return b.left(1) + QLatin1Char(' ') + b.mid(1, 4) + QLatin1Char(' ') + b.mid(5);
}
} // namespace

class PlotsFloatExplorerTest : public QObject {
  Q_OBJECT
private slots:
  void bitStrings_data() {
    QTest::addColumn<QString>("format");
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("bits");
    QTest::addColumn<double>("stored");
    QTest::newRow("e4m3 1.0") << "fp8_e4m3" << 1.0 << "0 0111 000" << 1.0;
    QTest::newRow("e4m3 -2.5") << "fp8_e4m3" << -2.5 << "1 1000 010" << -2.5;
    QTest::newRow("e4m3 448") << "fp8_e4m3" << 448.0 << "0 1111 110" << 448.0;
    QTest::newRow("e4m3 0.1") << "fp8_e4m3" << 0.1 << "0 0011 101" << 0.1015625;
    QTest::newRow("e4m3 500 saturates") << "fp8_e4m3" << 500.0 << "0 1111 110" << 448.0;
    QTest::newRow("e5m2 1.0") << "fp8_e5m2" << 1.0 << "0 01111 00" << 1.0;
    QTest::newRow("e5m2 -2.5") << "fp8_e5m2" << -2.5 << "1 10000 01" << -2.5;
    QTest::newRow("e5m2 448") << "fp8_e5m2" << 448.0 << "0 10111 11" << 448.0;
    QTest::newRow("e5m2 0.1") << "fp8_e5m2" << 0.1 << "0 01011 10" << 0.09375;
    QTest::newRow("fp4 1.0") << "fp4_e2m1" << 1.0 << "0 01 0" << 1.0;
    QTest::newRow("fp4 -2.5 tie to even") << "fp4_e2m1" << -2.5 << "1 10 0" << -2.0;
    QTest::newRow("fp4 448 saturates") << "fp4_e2m1" << 448.0 << "0 11 1" << 6.0;
    QTest::newRow("fp4 0.1 underflows") << "fp4_e2m1" << 0.1 << "0 00 0" << 0.0;
    QTest::newRow("fp16 0.1") << "fp16" << 0.1 << "0 01011 1001100110" << 0.0999755859375;
    QTest::newRow("fp16 448") << "fp16" << 448.0 << "0 10111 1100000000" << 448.0;
    QTest::newRow("bf16 0.1") << "bf16" << 0.1 << "0 01111011 1001101" << 0.10009765625;
    QTest::newRow("bf16 -2.5") << "bf16" << -2.5 << "1 10000000 0100000" << -2.5;
    QTest::newRow("fp32 0.1") << "fp32" << 0.1 << "0 01111011 10011001100110011001101" << double(0.1f);
  }

  void bitStrings() {
    QFETCH(QString, format);
    QFETCH(double, value);
    QFETCH(QString, bits);
    QFETCH(double, stored);
    FloatFormatExplorer view;
    view.setValueText(QString::number(value, 'g', 17));
    const int row = view.rowOf(format);
    QVERIFY(row >= 0);
    QCOMPARE(view.bitsTable()->item(row, FloatFormatExplorer::ColBits)->text(), bits);
    QCOMPARE(view.bitsTable()->item(row, FloatFormatExplorer::ColStored)->text().toDouble(), stored);
    const double err = view.bitsTable()->item(row, FloatFormatExplorer::ColAbsError)->text().toDouble();
    QVERIFY(std::fabs(err - (stored - value)) <= 1e-3 * std::fabs(stored - value) + 1e-300);
    // The coloured label shows the same digits.
    const QString rich =
        static_cast<QLabel*>(view.bitsTable()->cellWidget(row, FloatFormatExplorer::ColBits))->text();
    for (const QString& field : bits.split(QLatin1Char(' ')))
      QVERIFY(rich.contains(QStringLiteral("&nbsp;") + field + QStringLiteral("&nbsp;")));
  }

  void e4m3AgreesWithTheSpecEverywhere() {
    // Every code's value, every midpoint between neighbours, and values beyond the range.
    std::vector<double> probes;
    for (int c = 0; c < 256; ++c)
      if (!std::isnan(e4m3Spec(c)))
        probes.push_back(e4m3Spec(c));
    std::sort(probes.begin(), probes.end());
    const size_t n = probes.size();
    for (size_t i = 0; i + 1 < n; ++i)
      probes.push_back(0.5 * (probes[i] + probes[i + 1]) * 1.0001);
    probes.push_back(1000.0);
    probes.push_back(-1e6);
    for (double x : probes) {
      if (x == 0)
        continue;
      QCOMPARE(FloatFormatExplorer::bitString(fp8E4M3Format(), float(x)), codeBits(e4m3Nearest(float(x))));
    }
  }

  void rangeTable() {
    FloatFormatExplorer view;
    const int r = view.rowOf(QStringLiteral("fp8_e4m3"));
    QCOMPARE(view.rangeTable()->item(r, 3)->text(), QStringLiteral("448"));
    QCOMPARE(view.rangeTable()->item(r, 4)->text().toDouble(), std::ldexp(1.0, -6));
    QCOMPARE(view.rangeTable()->item(r, 5)->text().toDouble(), std::ldexp(1.0, -9));
    QCOMPARE(view.rangeTable()->item(r, 6)->text().toDouble(), 0.125);
    const int h = view.rowOf(QStringLiteral("fp16"));
    QCOMPARE(view.rangeTable()->item(h, 3)->text(), QStringLiteral("65504"));
    view.setValueText(QStringLiteral("-2.5"));
    testfx::saveShot(view, QStringLiteral("float_explorer"), QSize(1100, 640));
    view.setValueText(QStringLiteral("abc"));
    QVERIFY(view.bitsTable()->item(0, FloatFormatExplorer::ColStored)->text().isEmpty());
  }
};

QTEST_MAIN(PlotsFloatExplorerTest)
#include "plots_float_explorer_test.moc"
