#pragma once
// What the views show of QuantConfig::rotation (QuantResult::rotation): the
// rotated input's histogram beside the original's, and a one-line summary of
// kurtosis, absmax and outlier channels before and after the rotation.
#include "core/quant/quant_result.h"

#include <QString>

class QCustomPlot;

namespace qs {

// Adds the step graph "rotated input R·x" (object name "rotatedInput") when
// the result was rotated; returns its largest bin count (0 when not added).
double addRotatedInputHistogram(QCustomPlot* plot, const QuantResult& result, double floor);

// "Hadamard rotation, block 256: excess kurtosis 41.2 → 0.31 · absmax 9.1 →
// 1.4 · outlier channels 6 → 0" (plain text); empty without a rotation.
QString rotationSummary(const QuantResult& result);

} // namespace qs
