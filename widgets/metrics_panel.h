#pragma once
// MetricsPanel: the numbers of the current result, each with its definition
// as a tooltip, and a one-line note when the numbers need one (a refused
// config, a tiny 1-D tensor).
#include "core/quant/quant_result.h"

#include <QString>
#include <QWidget>

#include <memory>

class QLabel;
class QTableWidget;

namespace qs {

class MetricsPanel : public QWidget {
  Q_OBJECT
public:
  explicit MetricsPanel(QWidget* parent = nullptr);
  // `refusal`: why there is no result for the selected tensor (the core refused the config).
  void setResult(const std::shared_ptr<const QuantResult>& result, const QString& refusal = {});
  QTableWidget* table() const { return table_; }
  QLabel* note() const { return note_; }

  // Why per-tensor metrics of a small 1-D tensor (a bias, a norm) look odd;
  // empty for anything else.
  static QString smallTensorNote(const QuantResult& result);

protected:
  void resizeEvent(QResizeEvent* event) override;

private:
  void fitNote();

  QLabel* title_;
  QLabel* note_;
  QLabel* rotation_ = nullptr; // QuantResult::rotation: before and after
  QTableWidget* table_;
};

} // namespace qs
