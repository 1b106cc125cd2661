// OutlierView highlights the planted outlier channel and locates elements;
// ScaleMapView draws one cell per scale group.
#include "plots_fixture.h"
#include "widgets/plots/outlier_view.h"
#include "widgets/plots/plot_export.h"
#include "widgets/plots/scale_map_view.h"

#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest>
#include <qcustomplot.h>

using namespace qs;

class PlotsOutlierTest : public QObject {
  Q_OBJECT
private slots:
  void highlightsThePlantedChannel() {
    auto tensor = testfx::makeTensor();
    auto r = testfx::makeInt4Result(*tensor);
    QCOMPARE(r->channels.outlierChannels, std::vector<int64_t>{testfx::kOutlierChannel});
    OutlierView view;
    view.setResult(r, tensor);
    QCOMPARE(view.outlierBars()->dataCount(), 1);
    QCOMPARE(view.outlierBars()->data()->constBegin()->key, double(testfx::kOutlierChannel));
    QCOMPARE(view.outlierBars()->data()->constBegin()->value,
             double(r->channels.absMax[testfx::kOutlierChannel]));
    QCOMPARE(view.channelBars()->dataCount(), int(testfx::kRows) - 1);
    QVERIFY(view.outlierBars()->brush().color() != view.channelBars()->brush().color());
    view.setStat(OutlierView::Stat::Kurtosis);
    QCOMPARE(view.channelBars()->dataCount() + view.outlierBars()->dataCount(), int(testfx::kRows));
    view.setStat(OutlierView::Stat::AbsMax);
    testfx::saveShot(view, QStringLiteral("outliers"), QSize(900, 700));
  }

  void tableAndBarsLocateElements() {
    auto tensor = testfx::makeTensor();
    auto r = testfx::makeInt4Result(*tensor, 12.0f); // no clipping: the planted error is the worst
    OutlierView view;
    view.setResult(r, tensor);
    QCOMPARE(view.table()->rowCount(), int(r->topErrors.size()));
    QCOMPARE(view.table()->item(0, 1)->text(), QString::number(testfx::kErrRow));
    QCOMPARE(view.table()->item(0, 2)->text(), QString::number(testfx::kErrCol));
    QSignalSpy spy(&view, &ResultView::locateRequested);
    emit view.table()->cellClicked(0, 3);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy[0][0].toLongLong(), testfx::kErrRow);
    QCOMPARE(spy[0][1].toLongLong(), testfx::kErrCol);
    // A bar of the planted error's channel locates that element.
    QCOMPARE(view.locateForChannel(testfx::kErrRow),
             std::make_pair(qint64(testfx::kErrRow), qint64(testfx::kErrCol)));
    // (the outlier channel 17 sits in the other bars, so channel 40 is data point 39)
    emit view.plot()->plottableClick(view.channelBars(), int(testfx::kErrRow) - 1, nullptr);
    QCOMPARE(spy.size(), 2);
    QCOMPARE(spy[1][0].toLongLong(), testfx::kErrRow);
    view.setTopList(OutlierView::TopList::Magnitudes);
    QCOMPARE(view.table()->item(0, 1)->text(), QString::number(testfx::kOutlierChannel));
    const QString csv = plotexport::tableToCsv(*view.table());
    QVERIFY(
        csv.startsWith(QStringLiteral("#,row,column,original x,dequantized q,error x − q,flat index\r\n")));
    QCOMPARE(csv.count(QStringLiteral("\r\n")), 1 + int(r->topMagnitude.size()));
  }

  void manyChannelsAreLines() {
    // Beyond kMaxBars channels 1 px lines replace the bars; the outlier bars
    // stay, and a click on a line locates its channel.
    auto tensor = testfx::makeTensor();
    auto r = testfx::makeInt4Result(*tensor, 12.0f);
    const int n = OutlierView::kMaxBars + 976, outlier = 1500;
    ChannelStats& ch = r->channels;
    ch.absMax.assign(size_t(n), 0.0f);
    for (int i = 0; i < n; ++i)
      ch.absMax[size_t(i)] = 1.0f + 0.1f * float(i % 7);
    ch.absMax[outlier] = 50.0f;
    ch.stdDev = ch.mean = ch.kurtosis = ch.absMax;
    ch.outlierChannels = {outlier};
    OutlierView view;
    view.setResult(r, tensor);
    QCOMPARE(view.channelBars()->dataCount(), 0);
    QCOMPARE(view.channelLines()->dataCount(), n);
    for (int i : {0, 999, outlier, n - 1}) {
      const auto it = view.channelLines()->data()->constBegin() + i;
      QCOMPARE(it->key, double(i));
      QCOMPARE(it->value, i == outlier ? 0.0 : double(ch.absMax[size_t(i)])); // under its red bar
    }
    QCOMPARE(view.outlierBars()->dataCount(), 1);
    QCOMPARE(view.outlierBars()->data()->constBegin()->key, double(outlier));
    QSignalSpy spy(&view, &ResultView::locateRequested);
    emit view.plot()->plottableClick(view.channelLines(), int(testfx::kErrRow), nullptr);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy[0][0].toLongLong(), testfx::kErrRow);
    QCOMPARE(spy[0][1].toLongLong(), testfx::kErrCol);
    testfx::saveShot(view, QStringLiteral("outliers_many_channels"), QSize(900, 700));
    // Back to a few channels: bars again, no lines.
    view.setResult(testfx::makeInt4Result(*tensor), tensor);
    QCOMPARE(view.channelLines()->dataCount(), 0);
    QCOMPARE(view.channelBars()->dataCount(), int(testfx::kRows) - 1);
  }

  void scaleMapOneCellPerGroup() {
    auto r = std::make_shared<QuantResult>();
    r->tensorName = "w";
    r->formatLabel = "INT4 sym · group 32 along axis 1";
    r->scaleShape = {8, 4};
    for (int i = 0; i < 32; ++i)
      r->scales.push_back(0.01f * float(i + 1));
    r->clipLo.assign(32, -1.0f);
    r->clipHi.assign(32, 1.0f);
    ScaleMapView view;
    view.setResult(r, nullptr);
    QCPColorMapData* d = view.colorMap()->data();
    QCOMPARE(d->keySize(), 4);
    QCOMPARE(d->valueSize(), 8);
    QCOMPARE(d->data(2.5, 5.5), double(r->scales[5 * 4 + 2]));
    QVERIFY(view.groupTooltip(5, 2).contains(QStringLiteral("0.23")));
    testfx::saveShot(view, QStringLiteral("scale_map"));
    // Per-channel scales: a line with one point per channel.
    r->scaleShape = {32};
    view.setResult(r, nullptr);
    QCOMPARE(view.plot()->graphCount(), 1);
    QCOMPARE(view.plot()->graph(0)->dataCount(), 32);
    view.setLogColor(true);
    testfx::saveShot(view, QStringLiteral("scale_vector_log"));
  }
};

QTEST_MAIN(PlotsOutlierTest)
#include "plots_outlier_test.moc"
