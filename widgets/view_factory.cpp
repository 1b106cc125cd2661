#include "widgets/view_factory.h"

#include "widgets/plots/compare_view.h"
#include "widgets/plots/error_histogram_view.h"
#include "widgets/plots/error_map_view.h"
#include "widgets/plots/float_format_explorer.h"
#include "widgets/plots/histogram_view.h"
#include "widgets/plots/outlier_view.h"
#include "widgets/plots/scale_map_view.h"
#include "widgets/plots/sweep_view.h"
#include "widgets/plots/transfer_view.h"

namespace qs {

std::vector<ResultView*> createPlotViews(QWidget* parent) {
  // Weights have long tails (outlier channels): counts on a log axis show
  // them next to the bulk, so that is how the workbench opens.
  auto* histogram = new HistogramView(parent);
  histogram->setLogY(true);
  return {histogram,
          new ErrorHistogramView(parent),
          new TransferView(parent),
          new ErrorMapView(parent),
          new ScaleMapView(parent),
          new OutlierView(parent),
          new CompareView(parent),
          new SweepView(parent),
          new FloatFormatExplorer(parent)};
}

} // namespace qs
