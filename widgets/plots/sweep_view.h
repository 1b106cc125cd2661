#pragma once
// SweepView: SQNR (dB) against bits per element for whole families of
// formats and granularities on the current tensor, computed off the GUI
// thread (cancellable), one line with markers per family, and the current
// config as a highlighted point.
#include "core/sweep/sweep_runner.h"
#include "widgets/background_job.h"
#include "widgets/plots/plot_view_base.h"

#include <map>

class QCheckBox;
class QLabel;
class QPushButton;

namespace qs {

class SweepView : public PlotViewBase {
  Q_OBJECT
public:
  // Larger tensors are swept on evenly strided rows (the sweep stays interactive).
  static constexpr int64_t kMaxSweepElements = int64_t(1) << 22;

  explicit SweepView(QWidget* parent = nullptr);
  ~SweepView() override;
  QString title() const override { return tr("Sweep"); }
  void setResult(std::shared_ptr<const QuantResult> result, std::shared_ptr<const Tensor> original) override;
  void releaseResults() override;
  bool isCaughtUp() const override { return !dirty_ && !isRunning(); }
  void catchUp() override;

  void setFamilyEnabled(const std::string& family, bool on);
  // Starts (or restarts) the sweep of the current tensor; cancels a running one.
  void runSweep();
  void cancelSweep();
  bool isRunning() const;
  const std::vector<SweepPoint>& points() const { return points_; }

signals:
  void sweepFinished();

protected:
  void showEvent(QShowEvent* event) override;

private:
  void addPoint(const SweepPoint& point, quint64 generation);
  void redraw();
  void drawParetoFront(const QFont& labelFont);
  void onMouseMove(QMouseEvent* event);

  std::map<std::string, QCheckBox*> familyBoxes_;
  QPushButton* run_ = nullptr;
  QLabel* status_ = nullptr;
  BackgroundJob job_;
  quint64 generation_ = 0;
  bool dirty_ = false; // the tensor changed while the view was hidden
  std::shared_ptr<const QuantResult> result_;
  std::shared_ptr<const Tensor> original_;
  std::vector<SweepPoint> points_;
  int expected_ = 0;
  QString sampleNote_;
};

} // namespace qs
