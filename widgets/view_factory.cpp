#include "widgets/view_factory.h"

#include "widgets/plots/error_histogram_view.h"
#include "widgets/plots/histogram_view.h"
#include "widgets/plots/transfer_view.h"

namespace qs {

std::vector<ResultView*> createPlotViews(QWidget* parent) {
  return {new HistogramView(parent), new ErrorHistogramView(parent), new TransferView(parent)};
}

} // namespace qs
