#include "widgets/clip_applicability.h"

#include "core/error.h"
#include "core/formats/format_registry.h"
#include "core/quant/format_config.h"

#include <QObject>

namespace qs {

bool hasFixedBlockScale(const QuantConfig& config) {
  return isKnownFormat(config.format) && findFormat(config.format).fixedBlock > 0;
}

QString clippingNotApplicable(const QuantConfig& config) {
  if (!isKnownFormat(config.format))
    return {};
  const FormatInfo& info = findFormat(config.format);
  const QString label = QString::fromStdString(info.label);
  if (info.fixedBlock > 0)
    return QObject::tr("%1 fixes its own scales: one per block of %2 values, set from the block's largest "
                       "magnitude, so there is no clip range to choose.")
        .arg(label)
        .arg(info.fixedBlock);
  try {
    const auto kernel = info.makeKernel(kernelOptions(config));
    const Granularity g = config.granularity.value_or(defaultGranularity(*kernel));
    if (g.kind == GranularityKind::None && kernel->castable())
      return QObject::tr("A plain cast to %1 has no scale and no clip range: every value is rounded to the "
                         "nearest %1 number (only values beyond its largest one saturate).")
          .arg(label);
  } catch (const Error&) { // a config the kernel refuses (a codebook without levels): not ours to judge
  }
  return {};
}

} // namespace qs
