// CompareView's table and |error| CDF; exportAll() and the export formats.
#include "core/error.h"
#include "plots_fixture.h"
#include "widgets/plots/compare_view.h"
#include "widgets/plots/histogram_view.h"
#include "widgets/plots/outlier_view.h"
#include "widgets/plots/plot_export.h"
#include "widgets/plots/plot_style.h"

#include <QFile>
#include <QImage>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <qcustomplot.h>

using namespace qs;

class PlotsCompareExportTest : public QObject {
  Q_OBJECT
private slots:
  void cdfOfAKnownHistogram() {
    // Bins of width 1 over [-2, 2): |error| bounds 2, 1, 1, 2.
    const Histogram h{-2.0, 2.0, {1, 2, 3, 4}};
    const auto cdf = CompareView::absErrorCdf(h);
    QCOMPARE(cdf.size(), size_t(2));
    QCOMPARE(cdf[0], std::make_pair(1.0, 0.5));
    QCOMPARE(cdf[1], std::make_pair(2.0, 1.0));
  }

  void cdfBoundsTheTrueShare() {
    auto tensor = testfx::makeTensor();
    auto r = testfx::makeInt4Result(*tensor);
    const auto cdf = CompareView::absErrorCdf(r->histError);
    QCOMPARE(cdf.back().second, 1.0);
    const double w = r->histError.binWidth();
    // The histogram CDF at e lies between the true shares at e - w and e.
    for (size_t i = 0; i < cdf.size(); i += 7) {
      const double e = cdf[i].first;
      double below = 0, belowLess = 0;
      for (size_t k = 0; k < tensor->values.size(); ++k) {
        const double err = std::fabs(double(tensor->values[k]) - r->dequantized[k]);
        below += err <= e * (1 + 1e-9);
        belowLess += err <= e - w;
      }
      const double n = double(tensor->values.size());
      QVERIFY2(cdf[i].second <= below / n + 1e-12 && cdf[i].second >= belowLess / n - 1e-12,
               qPrintable(QStringLiteral("e=%1 cdf=%2 true=%3").arg(e).arg(cdf[i].second).arg(below / n)));
    }
  }

  void tableMarksTheBest() {
    auto tensor = testfx::makeTensor();
    auto current = testfx::makeInt4Result(*tensor, 12.0f);
    auto pin = testfx::makeInt4Result(*tensor, 6.0f);
    CompareView view;
    view.setResult(current, tensor);
    view.setPinned({PinnedResult{QStringLiteral("P1 · INT4 clip 6"), plotstyle::pinPalette()[0], pin}});
    QTableWidget* t = view.table();
    QCOMPARE(t->columnCount(), 2);
    QCOMPARE(t->horizontalHeaderItem(1)->text(), QStringLiteral("P1"));
    int sqnrRow = -1;
    for (int r = 0; r < t->rowCount(); ++r)
      if (t->verticalHeaderItem(r)->text() == QLatin1String("SQNR"))
        sqnrRow = r;
    QVERIFY(sqnrRow > 0);
    QVERIFY(!t->verticalHeaderItem(sqnrRow)->toolTip().isEmpty());
    const int better = current->metrics.sqnrDb > pin->metrics.sqnrDb ? 0 : 1;
    QVERIFY(t->item(sqnrRow, better)->font().bold());
    QVERIFY(!t->item(sqnrRow, 1 - better)->font().bold());
    QCOMPARE(view.plot()->graphCount(), 2);
    testfx::saveShot(view, QStringLiteral("compare"), QSize(900, 760));
  }

  void exportAllWritesEveryFormat() {
    auto tensor = testfx::makeTensor();
    auto r = testfx::makeInt4Result(*tensor);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    HistogramView hist;
    hist.setResult(r, tensor);
    OutlierView outliers;
    outliers.setResult(r, tensor);
    QStringList files = plotexport::exportAll(hist, dir.path());
    files += plotexport::exportAll(outliers, dir.path());
    QStringList names;
    for (const QString& f : files)
      names << QFileInfo(f).fileName();
    names.sort();
    QCOMPARE(names, QStringList({"histogram.pdf", "histogram.png", "histogram.svg", "outliers.pdf",
                                 "outliers.png", "outliers.svg", "outliers_topk.csv"}));
    QImage png(dir.filePath(QStringLiteral("histogram.png")));
    QCOMPARE(png.size(), QSize(900, 560));
    QFile svg(dir.filePath(QStringLiteral("histogram.svg")));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QByteArray svgText = svg.readAll();
    QVERIFY(svgText.contains("<svg") && svgText.contains("value x (tensor units)"));
    QFile pdf(dir.filePath(QStringLiteral("histogram.pdf")));
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    QVERIFY(pdf.read(5) == "%PDF-");
    QFile csv(dir.filePath(QStringLiteral("outliers_topk.csv")));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(csv.readAll()), plotexport::tableToCsv(*outliers.table()));
    QVERIFY_THROWS_EXCEPTION(qs::Error,
                             plotexport::savePlot(hist.plot(), dir.filePath(QStringLiteral("x.gif"))));
  }

  void csvQuotes() {
    QTableWidget t(1, 2);
    t.setHorizontalHeaderLabels({QStringLiteral("a,b"), QStringLiteral("say \"hi\"")});
    t.verticalHeader()->setVisible(false);
    t.setItem(0, 0, new QTableWidgetItem(QStringLiteral("1")));
    t.setItem(0, 1, new QTableWidgetItem(QStringLiteral("two\nlines")));
    QCOMPARE(plotexport::tableToCsv(t), QStringLiteral("\"a,b\",\"say \"\"hi\"\"\"\r\n1,\"two\nlines\"\r\n"));
  }
};

QTEST_MAIN(PlotsCompareExportTest)
#include "plots_compare_export_test.moc"
