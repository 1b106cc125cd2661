// The views follow the output-channel axis: on a Keras kernel [kh, kw, in, out]
// the outlier channels, error-map rows and scale grid are the 32 output
// channels, and the axis labels say which tensor axes they are.
#include "core/pipeline/quantize.h"
#include "widgets/plots/error_map_view.h"
#include "widgets/plots/outlier_view.h"
#include "widgets/plots/scale_map_view.h"

#include <QtTest>
#include <qcustomplot.h>

#include <cmath>

using namespace qs;

namespace {

std::shared_ptr<Tensor> kerasKernel() {
  auto t = std::make_shared<Tensor>();
  t->name = "conv/kernel:0";
  t->shape = {3, 3, 16, 32};
  t->layout = AxisLayout{3, "Keras kernel [kh, kw, in, out]: output channels on axis 3"};
  t->values.resize(3 * 3 * 16 * 32);
  for (size_t i = 0; i < t->values.size(); ++i) // output channel i % 32 scaled by (1 + its index)
    t->values[i] = float(std::sin(0.7 * double(i)) * double(1 + i % 32));
  return t;
}

std::shared_ptr<const QuantResult> run(const Tensor& t, std::optional<Granularity> g) {
  QuantConfig c;
  c.format = g && g->kind == GranularityKind::Group ? "int4" : "int8";
  c.granularity = g;
  return quantize(t, c);
}

} // namespace

class AxisViewsTest : public QObject {
  Q_OBJECT
private slots:
  void outliersAndErrorMapShowOutputChannels() {
    auto t = kerasKernel();
    const auto r = run(*t, std::nullopt); // the format default: per channel, auto axis
    QCOMPARE(r->granularity.axis, 3);
    QCOMPARE(r->viewAxis, 3);
    OutlierView outliers;
    outliers.setResult(r, t);
    QCOMPARE(outliers.channelBars()->dataCount() + outliers.outlierBars()->dataCount(), 32);
    QCOMPARE(outliers.plot()->xAxis->label(), QStringLiteral("output channel (axis 3 of [kh, kw, in, out])"));
    ErrorMapView map;
    map.setResult(r, t);
    QCOMPARE(map.plot()->yAxis->label(), QStringLiteral("output channel (axis 3 of [kh, kw, in, out])"));
    QCOMPARE(map.plot()->xAxis->label(), QStringLiteral("kh·kw·in (axes 0, 1, 2 flattened)"));
    QCOMPARE(r->errorMap.rows, 32);
    QCOMPARE(r->errorMap.cols, 3 * 3 * 16);
  }

  void scalesAreLabelledByChannelAndGroup() {
    auto t = kerasKernel();
    const auto r = run(*t, Granularity{GranularityKind::Group, kAutoAxis, 48});
    QCOMPARE(r->scaleShape, (Shape{3, 32})); // [groups, channels]: channels are the last axis
    ScaleMapView scales;
    scales.setResult(r, t);
    QCOMPARE(scales.plot()->xAxis->label(), QStringLiteral("output channel (axis 3 of [kh, kw, in, out])"));
    QCOMPARE(scales.plot()->yAxis->label(), QStringLiteral("group along kh·kw·in"));
    const auto channel = run(*t, Granularity{GranularityKind::Channel, kAutoAxis, 1});
    scales.setResult(channel, t);
    QCOMPARE(scales.plot()->xAxis->label(), QStringLiteral("output channel (axis 3 of [kh, kw, in, out])"));
  }
};

QTEST_MAIN(AxisViewsTest)
#include "axis_views_test.moc"
