#pragma once
// BlockProfilePlot: the model's error per transformer block and role as a
// heat strip (blocks across, roles down), coloured by SQNR — of one candidate
// format for every tensor (how sensitive each tensor is) or of the plan's
// formats (what the plan leaves) — with the plan's format written in each
// cell when it fits. Tensors outside blocks and kept ones are not drawn.
#include "core/model/model_plan.h"
#include "core/model/scan.h"

#include <qcustomplot.h>

#include <memory>
#include <string>
#include <vector>

namespace qs {

class BlockProfilePlot : public QCustomPlot {
  Q_OBJECT
public:
  explicit BlockProfilePlot(QWidget* parent = nullptr);

  // `format` empty: the plan's format per tensor; else that candidate's SQNR.
  void setData(std::shared_ptr<const ScanResult> scan, std::shared_ptr<const ModelPlan> plan,
               const std::string& format);
  void clearData(const QString& message);

  // What is drawn, for tests: roles down (top first), blocks across; NaN where
  // no tensor is.
  const std::vector<std::string>& roles() const { return roles_; }
  int blocks() const { return blocks_; }
  double cell(int block, int roleRow) const;

protected:
  void resizeEvent(QResizeEvent* event) override;

private:
  void placeCellLabels();
  void onMouseMove(QMouseEvent* event);

  QCPTextElement* title_ = nullptr;
  QCPColorMap* map_ = nullptr;
  QCPColorScale* scale_ = nullptr;
  std::vector<std::string> roles_;
  int blocks_ = 0;
  std::vector<double> values_;      // [role][block]
  std::vector<QString> cellLabels_; // the plan's format per cell
  std::vector<QString> cellTips_;   // tensor name and numbers per cell
};

} // namespace qs
