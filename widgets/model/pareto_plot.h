#pragma once
// ParetoPlot: the lower frontier of the model's total error against bits per
// weight (ModelPlan::pareto, log error axis), the current plan on it and the
// greedy's error at the same size for comparison. A click asks for the budget
// under the pointer.
#include "core/model/model_plan.h"

#include <qcustomplot.h>

#include <memory>

namespace qs {

class ParetoPlot : public QCustomPlot {
  Q_OBJECT
public:
  explicit ParetoPlot(QWidget* parent = nullptr);

  void setPlan(std::shared_ptr<const ModelPlan> plan);
  // No plan: the message says why (scanning, a refused budget).
  void clearPlan(const QString& message);

signals:
  void budgetPicked(double bitsPerWeight);

private:
  void onMousePress(QMouseEvent* event);
  void onMouseMove(QMouseEvent* event);

  QCPTextElement* title_ = nullptr;
  std::shared_ptr<const ModelPlan> plan_;
};

} // namespace qs
