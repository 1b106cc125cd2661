#pragma once
// Whether a config's clipping settings do anything, asked of the format
// registry: a format whose blocks fix their own scale (MX, GGUF: FormatInfo::
// fixedBlock > 0) and a plain cast (granularity None on a castable format)
// have no clip range to choose. The config panel disables its clipping
// controls and the metric rows show "n/a" for "Clipped" with this reason.
#include "core/quant/quant_config.h"

#include <QString>

namespace qs {

// Why clipping does not apply to `config`; empty when it does.
QString clippingNotApplicable(const QuantConfig& config);
// True when `config`'s format fixes its block scales (MX, GGUF).
bool hasFixedBlockScale(const QuantConfig& config);

} // namespace qs
