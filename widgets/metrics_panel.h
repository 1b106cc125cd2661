#pragma once
// MetricsPanel: the numbers of the current result, each with its definition
// as a tooltip.
#include "core/quant/quant_result.h"

#include <QWidget>

#include <memory>

class QLabel;
class QTableWidget;

namespace qs {

class MetricsPanel : public QWidget {
  Q_OBJECT
public:
  explicit MetricsPanel(QWidget* parent = nullptr);
  void setResult(const std::shared_ptr<const QuantResult>& result);
  QTableWidget* table() const { return table_; }

private:
  QLabel* title_;
  QTableWidget* table_;
};

} // namespace qs
