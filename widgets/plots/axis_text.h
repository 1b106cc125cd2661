#pragma once
// Axis labels that say which tensor axes a view's rows and columns are: the
// rows of the error map, channel statistics and scales are the result's
// channel axis (QuantResult::viewAxis), the columns every other axis flattened.
#include "core/quant/quant_result.h"

#include <QString>

namespace qs::axistext {

// "output channel (axis 3 of [kh, kw, in, out])", "row (axis 0)".
QString rows(const QuantResult& result);
// "kh·kw·in (axes 0, 1, 2 flattened)", "in (axis 1)".
QString columns(const QuantResult& result);
// Along a row of groups: "group along kh·kw·in", "group".
QString groups(const QuantResult& result);

} // namespace qs::axistext
