#pragma once
// LayerPlots: the layer workbench's five plots of one LayerReport: output
// error histogram, per-output-channel error, activation channel absmax before
// and after smoothing (outliers highlighted), per-token range, AWQ search.
// Three columns when the tab is wide enough, two when it is narrow.
#include <QColor>
#include <QList>
#include <QWidget>

class QCustomPlot;

namespace qs {

struct LayerReport;
enum class LayerMethod;

QColor methodColor(LayerMethod method); // one colour per method, shared with the table

class LayerPlots : public QWidget {
  Q_OBJECT
public:
  explicit LayerPlots(QWidget* parent = nullptr);

  void showReport(const LayerReport& report);
  QList<QWidget*> exportables() const;

protected:
  void resizeEvent(QResizeEvent* event) override;

private:
  void arrange(int columns);
  void plotErrorHistogram(const LayerReport& report);
  void plotChannelError(const LayerReport& report);
  void plotActivationAbsMax(const LayerReport& report);
  void plotTokenRange(const LayerReport& report);
  void plotAwqGrid(const LayerReport& report);

  QCustomPlot* errorHist_ = nullptr;
  QCustomPlot* channelError_ = nullptr;
  QCustomPlot* actAbsMax_ = nullptr;
  QCustomPlot* tokenRange_ = nullptr;
  QCustomPlot* awqGrid_ = nullptr;
  int columns_ = 0;
};

} // namespace qs
