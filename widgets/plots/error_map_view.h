#pragma once
// ErrorMapView: a heat map of the error over the tensor's 2-D view, pooled to
// the widget's pixels. Wheel zoom and drag pan ask the core to re-pool the
// visible region (qs::poolErrorMap on a worker thread, debounced; a stale
// job's result is dropped). Hovering shows the single element under the
// mouse; centreOn() jumps to an element (the outlier view's clicks).
#include "widgets/background_job.h"
#include "widgets/plots/plot_view_base.h"

class QComboBox;
class QLabel;
class QTimer;
class QCPColorMap;
class QCPColorScale;
class QCPItemEllipse;

namespace qs {

class ErrorMapView : public PlotViewBase {
  Q_OBJECT
public:
  enum class Mode { MaxAbs, MeanAbs, MeanSigned, Relative };

  explicit ErrorMapView(QWidget* parent = nullptr);
  ~ErrorMapView() override;
  QString title() const override { return tr("Error map"); }
  void setResult(std::shared_ptr<const QuantResult> result, std::shared_ptr<const Tensor> original) override;
  void releaseResults() override;

  void setMode(Mode mode);
  Mode mode() const;
  QCPColorMap* colorMap() const { return map_; }
  // The hover text for one element of the 2-D view: reads that element only.
  QString elementTooltip(qint64 row, qint64 col) const;
  // Re-pool delay after the last zoom/pan/resize.
  static constexpr int kDebounceMs = 120;

public slots:
  // Centres the view on (row, col) of the 2-D view, zooming in when the
  // whole tensor is shown; col < 0 keeps the current column centre.
  void centreOn(qint64 row, qint64 col);

signals:
  // A re-pooled region is on screen (tests and status bars listen).
  void repooled();

protected:
  void resizeEvent(QResizeEvent* event) override;

private:
  struct Pooled {
    ErrorMap map;
    std::vector<float> meanAbsOriginal; // for Mode::Relative (empty otherwise)
    qint64 r0 = 0, r1 = 0, c0 = 0, c1 = 0;
    quint64 generation = 0;
  };

  void showPooled();
  void scheduleRepool();
  void startRepool();
  void pooledArrived(Pooled pooled);
  void clampRanges();
  void onMouseMove(QMouseEvent* event);
  void onDoubleClick(QMouseEvent* event);

  QComboBox* modeBox_ = nullptr;
  QLabel* status_ = nullptr;
  QCPColorMap* map_ = nullptr;
  QCPColorScale* scale_ = nullptr;
  QCPItemEllipse* marker_ = nullptr;
  QTimer* debounce_ = nullptr;
  BackgroundJob job_;
  bool pending_ = false;       // a request arrived while a job was running
  bool settingRanges_ = false; // our own range changes do not schedule re-pools
  quint64 generation_ = 0;     // bumps on every new result; stale jobs are dropped
  std::shared_ptr<const QuantResult> result_;
  std::shared_ptr<const Tensor> original_;
  Pooled shown_;
};

} // namespace qs
