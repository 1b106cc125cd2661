#include "widgets/metric_rows.h"

#include "widgets/clip_applicability.h"

#include <QHeaderView>
#include <QObject>
#include <QTableWidget>

#include <cmath>
#include <string_view>

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

namespace {

QString (*textFor(MetricStyle style))(double) {
  switch (style) {
  case MetricStyle::Scientific:
    return sci;
  case MetricStyle::Decibel:
    return decibel;
  case MetricStyle::Ratio:
    return ratio;
  case MetricStyle::Fraction:
    return percent;
  case MetricStyle::Bits:
    return bits;
  case MetricStyle::Count:
    return count;
  }
  return sci;
}

MetricRow::Better betterFor(Better b) {
  switch (b) {
  case Better::Higher:
    return MetricRow::Better::Higher;
  case Better::Lower:
    return MetricRow::Better::Lower;
  case Better::Neither:
    break;
  }
  return MetricRow::Better::None;
}

} // namespace

QString MetricRow::display(const QuantResult& result) const {
  if (notApplicable && !notApplicable(result).isEmpty())
    return QObject::tr("n/a");
  return text(value(result));
}

namespace {

// "Clipped" of a format with fixed block scales is never counted, and a plain
// cast only counts overflow: with none there is nothing the number could say.
QString clippedNotApplicable(const QuantResult& r) {
  if (hasFixedBlockScale(r.config) ||
      (r.granularity.kind == GranularityKind::None && r.metrics.clippedFraction == 0))
    return clippingNotApplicable(r.config);
  return {};
}

} // namespace

QString metricTooltip(const MetricInfo& info) {
  QString tip = QString::fromUtf8(info.definition);
  if (info.better == Better::Higher)
    tip += QObject::tr(" (higher is better)");
  else if (info.better == Better::Lower)
    tip += QObject::tr(" (lower is better)");
  return tip;
}

const std::vector<MetricRow>& metricRows() {
  // The metric table with SQNR (the headline number) first, and the scale
  // count, which belongs to the result rather than to Metrics, before the counts.
  static const std::vector<MetricRow> rows = [] {
    std::vector<const MetricInfo*> order{&metricInfo("sqnr_db")};
    for (const MetricInfo& info : metricTable())
      if (&info != order.front())
        order.push_back(&info);
    std::vector<MetricRow> out;
    bool scalesAdded = false;
    for (const MetricInfo* info : order) {
      if (info->style == MetricStyle::Count && !scalesAdded) {
        out.push_back({QObject::tr("Scale groups"),
                       QObject::tr("how many scales (and zero points) are stored"),
                       [](const QuantResult& r) { return static_cast<double>(r.scales.size()); }, count,
                       MetricRow::Better::None});
        scalesAdded = true;
      }
      MetricRow row{QObject::tr(info->label), metricTooltip(*info),
                    [info](const QuantResult& r) { return info->value(r.metrics); }, textFor(info->style),
                    betterFor(info->better)};
      if (std::string_view(info->key) == "clipped_fraction") {
        row.notApplicable = clippedNotApplicable;
        row.value = [info](const QuantResult& r) {
          return clippedNotApplicable(r).isEmpty() ? info->value(r.metrics) : std::nan("");
        };
      }
      out.push_back(std::move(row));
    }
    return out;
  }();
  return rows;
}

} // namespace qs
