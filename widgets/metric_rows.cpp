#include "widgets/metric_rows.h"

#include <QHeaderView>
#include <QObject>
#include <QTableWidget>

#include <cmath>

namespace qs {

namespace {

QString sci(double v) {
  return QString::number(v, 'g', 4);
}
QString decibel(double v) {
  return std::isinf(v) ? QStringLiteral("∞ dB") : QStringLiteral("%1 dB").arg(v, 0, 'f', 2);
}
QString ratio(double v) {
  return QString::number(v, 'f', 6);
}
QString percent(double v) {
  return QStringLiteral("%1 %").arg(100.0 * v, 0, 'g', 4);
}
QString bits(double v) {
  return QStringLiteral("%1 bit").arg(v, 0, 'f', 3);
}
QString count(double v) {
  return formatCount(v);
}

} // namespace

QString formatCount(double v) {
  if (std::fabs(v) >= 1e9)
    return QStringLiteral("%1 G").arg(v / 1e9, 0, 'f', 1);
  if (std::fabs(v) >= 1e6)
    return QStringLiteral("%1 M").arg(v / 1e6, 0, 'f', 1);
  if (std::fabs(v) >= 1e4)
    return QStringLiteral("%1 k").arg(v / 1e3, 0, 'f', 1);
  return QString::number(static_cast<qint64>(v));
}

void fitTableHeight(QTableWidget* table) {
  int height = 2 * table->frameWidth();
  if (!table->horizontalHeader()->isHidden())
    height += table->horizontalHeader()->sizeHint().height();
  for (int r = 0; r < table->rowCount(); ++r)
    height += table->verticalHeader()->sectionSizeHint(r);
  table->setFixedHeight(height);
}

const std::vector<MetricRow>& metricRows() {
  using B = MetricRow::Better;
  static const std::vector<MetricRow> rows = {
      {QObject::tr("SQNR"),
       QObject::tr("20·log10(‖x‖₂ / ‖x−q‖₂), in dB (the PyTorch Numeric Suite / ONNX Runtime "
                   "definition; higher is better)"),
       [](const QuantResult& r) { return r.metrics.sqnrDb; }, decibel, B::Higher},
      {QObject::tr("MSE"), QObject::tr("mean((x−q)²)"), [](const QuantResult& r) { return r.metrics.mse; },
       sci, B::Lower},
      {QObject::tr("RMSE"), QObject::tr("√MSE"), [](const QuantResult& r) { return r.metrics.rmse; }, sci,
       B::Lower},
      {QObject::tr("Max |error|"), QObject::tr("max |x−q| over all finite values"),
       [](const QuantResult& r) { return r.metrics.maxAbsError; }, sci, B::Lower},
      {QObject::tr("Cosine"), QObject::tr("⟨x,q⟩ / (‖x‖·‖q‖)"),
       [](const QuantResult& r) { return r.metrics.cosine; }, ratio, B::Higher},
      {QObject::tr("Clipped"), QObject::tr("share of values outside the clip range"),
       [](const QuantResult& r) { return r.metrics.clippedFraction; }, percent, B::Lower},
      {QObject::tr("Bits / element"), QObject::tr("code bits + (scale + zero-point bits) / group size"),
       [](const QuantResult& r) { return r.metrics.bitsPerElement; }, bits, B::Lower},
      {QObject::tr("Code entropy"),
       QObject::tr("Shannon entropy of the code histogram: the bits a lossless coder would need"),
       [](const QuantResult& r) { return r.metrics.codeEntropyBits; }, bits, B::None},
      {QObject::tr("Scale groups"), QObject::tr("how many scales (and zero points) are stored"),
       [](const QuantResult& r) { return static_cast<double>(r.scales.size()); }, count, B::None},
      {QObject::tr("Values"), QObject::tr("finite values measured (NaN/Inf are excluded)"),
       [](const QuantResult& r) { return static_cast<double>(r.metrics.count); }, count, B::None},
      {QObject::tr("Non-finite"), QObject::tr("NaN/Inf inputs, excluded from the metrics"),
       [](const QuantResult& r) { return static_cast<double>(r.metrics.nonFinite); }, count, B::None},
  };
  return rows;
}

} // namespace qs
