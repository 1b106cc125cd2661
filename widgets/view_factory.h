#pragma once
// The plot views the main window shows, in their default tab order.
#include "widgets/result_view.h"

#include <vector>

namespace qs {

std::vector<ResultView*> createPlotViews(QWidget* parent);

} // namespace qs
