#pragma once
// LayerResultsView: one line about the compared layer (shapes, token split,
// formats, outlier channels) and the table of methods with their output and
// weight error, activation clipping and time; the best SQNR is bold.
#include <QWidget>

class QLabel;
class QTableWidget;

namespace qs {

struct LayerReport;

class LayerResultsView : public QWidget {
  Q_OBJECT
public:
  explicit LayerResultsView(QWidget* parent = nullptr);

  // source: "W × X" or "demo layer"; how: how X was flattened.
  void showReport(const LayerReport& report, const QString& source, const QString& how);

private:
  void buildTable();
  void fillTable(const LayerReport& report);

  QLabel* summary_ = nullptr;
  QTableWidget* table_ = nullptr;
};

} // namespace qs
