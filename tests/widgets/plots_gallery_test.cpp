// Every view on real core results for several formats: nothing is empty,
// nothing throws, and each is rendered to <test out>/gallery_<view>_<format>.png
// for a human look.
#include "core/pipeline/quantize.h"
#include "plots_fixture.h"
#include "widgets/plots/compare_view.h"
#include "widgets/plots/error_histogram_view.h"
#include "widgets/plots/error_map_view.h"
#include "widgets/plots/histogram_view.h"
#include "widgets/plots/outlier_view.h"
#include "widgets/plots/plot_style.h"
#include "widgets/plots/scale_map_view.h"
#include "widgets/plots/transfer_view.h"

#include <QSignalSpy>
#include <QtTest>
#include <qcustomplot.h>

#include <random>

using namespace qs;

namespace {

std::shared_ptr<Tensor> weightLike() {
  auto t = std::make_shared<Tensor>();
  t->name = "model.layers.3.mlp.down_proj.weight";
  t->shape = {384, 1024};
  t->values.resize(384 * 1024);
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  for (int64_t r = 0; r < 384; ++r)
    for (int64_t c = 0; c < 1024; ++c)
      t->values[size_t(r * 1024 + c)] = normal(rng) * (r == 50 || r == 301 ? 12.0f : 1.0f);
  t->values[size_t(200 * 1024 + 700)] = 0.9f; // one huge weight
  return t;
}

bool isEmpty(QCustomPlot* plot) {
  for (int i = 0; i < plot->itemCount(); ++i)
    if (plot->item(i)->objectName() == QLatin1String("emptyMessage"))
      return true;
  return false;
}

} // namespace

class PlotsGalleryTest : public QObject {
  Q_OBJECT
private slots:
  void allViews_data() {
    QTest::addColumn<QString>("format");
    QTest::addColumn<int>("granularity");
    QTest::addColumn<int>("clip");
    QTest::newRow("int4_group128") << "int4" << int(GranularityKind::Group) << int(ClipMethod::MinMax);
    QTest::newRow("int8_channel_pct")
        << "int8" << int(GranularityKind::Channel) << int(ClipMethod::Percentile);
    QTest::newRow("int3_tensor_asym") << "int3" << int(GranularityKind::Tensor) << int(ClipMethod::Mse);
    QTest::newRow("fp8_e4m3") << "fp8_e4m3" << -1 << int(ClipMethod::MinMax);
    QTest::newRow("nf4") << "nf4" << -1 << int(ClipMethod::MinMax);
    QTest::newRow("mxfp4") << "mxfp4" << -1 << int(ClipMethod::MinMax);
    QTest::newRow("fp16") << "fp16" << -1 << int(ClipMethod::MinMax);
  }

  void allViews() {
    QFETCH(QString, format);
    QFETCH(int, granularity);
    QFETCH(int, clip);
    static const auto tensor = weightLike();
    QuantConfig config;
    config.format = format.toStdString();
    config.symmetric = QTest::currentDataTag() != QLatin1String("int3_tensor_asym");
    if (granularity >= 0)
      config.granularity = Granularity{GranularityKind(granularity), kAutoAxis, 128};
    config.clipping.method = ClipMethod(clip);
    config.clipping.percentile = 99.9;
    const auto result = quantize(*tensor, config);
    const QString tag = QString::fromLatin1(QTest::currentDataTag());

    HistogramView hist;
    hist.setResult(result, tensor);
    hist.setLogY(true);
    QVERIFY(!isEmpty(hist.plot()));
    testfx::saveShot(hist, QStringLiteral("gallery_histogram_") + tag);

    ErrorHistogramView errHist;
    errHist.setResult(result, tensor);
    QVERIFY(!isEmpty(errHist.plot()));
    testfx::saveShot(errHist, QStringLiteral("gallery_error_histogram_") + tag);

    TransferView transfer;
    transfer.setResult(result, tensor);
    testfx::saveShot(transfer, QStringLiteral("gallery_transfer_") + tag);
    QVERIFY(!isEmpty(transfer.plot()));

    ErrorMapView map;
    map.resize(900, 560);
    map.show();
    QSignalSpy spy(&map, &ErrorMapView::repooled);
    map.setResult(result, tensor);
    QVERIFY(spy.wait(5000));
    QVERIFY(map.colorMap()->visible());
    testfx::saveShot(map, QStringLiteral("gallery_error_map_") + tag);

    ScaleMapView scales;
    scales.setResult(result, tensor);
    testfx::saveShot(scales, QStringLiteral("gallery_scales_") + tag);

    OutlierView outliers;
    outliers.setResult(result, tensor);
    QVERIFY(!isEmpty(outliers.plot()));
    QVERIFY(outliers.outlierBars()->dataCount() >= 2); // channels 50 and 301
    testfx::saveShot(outliers, QStringLiteral("gallery_outliers_") + tag, QSize(900, 700));
  }

  void compareFormats() {
    const auto tensor = weightLike();
    QuantConfig a, b, c;
    a.format = "int4";
    a.granularity = Granularity{GranularityKind::Group, 0, 128};
    b.format = "nf4";
    c.format = "fp8_e4m3";
    const auto ra = quantize(*tensor, a), rb = quantize(*tensor, b), rc = quantize(*tensor, c);
    CompareView view;
    view.setResult(ra, tensor);
    view.setPinned({PinnedResult{QStringLiteral("P1 · NF4"), plotstyle::pinPalette()[0], rb},
                    PinnedResult{QStringLiteral("P2 · FP8 E4M3"), plotstyle::pinPalette()[1], rc}});
    QCOMPARE(view.plot()->graphCount(), 3);
    testfx::saveShot(view, QStringLiteral("gallery_compare"), QSize(900, 760));
    HistogramView hist;
    hist.setResult(ra, tensor);
    hist.setPinned({PinnedResult{QStringLiteral("P1 · NF4"), plotstyle::pinPalette()[0], rb}});
    testfx::saveShot(hist, QStringLiteral("gallery_histogram_pinned"));
  }

  void darkPalette() {
    const auto tensor = weightLike();
    QuantConfig config;
    config.format = "int4";
    const auto r = quantize(*tensor, config);
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(40, 40, 44));
    dark.setColor(QPalette::Base, QColor(30, 30, 34));
    dark.setColor(QPalette::WindowText, QColor(225, 225, 225));
    dark.setColor(QPalette::Text, QColor(225, 225, 225));
    dark.setColor(QPalette::Button, QColor(50, 50, 55));
    dark.setColor(QPalette::ButtonText, QColor(225, 225, 225));
    HistogramView hist;
    hist.setPalette(dark);
    hist.setResult(r, tensor);
    QCOMPARE(hist.plot()->xAxis->labelColor(), QColor(225, 225, 225));
    testfx::saveShot(hist, QStringLiteral("gallery_histogram_dark"));
    QCOMPARE(hist.plot()->grab().toImage().pixelColor(3, 3), QColor(30, 30, 34));
    ErrorMapView map;
    map.setPalette(dark);
    map.setResult(r, nullptr);
    testfx::saveShot(map, QStringLiteral("gallery_error_map_dark"));
  }
};

QTEST_MAIN(PlotsGalleryTest)
#include "plots_gallery_test.moc"
