#pragma once
// ComparePanel: the current config beside up to four pinned ones, metric by
// metric, with the best value of each row in bold. The pins' colours are the
// colours the plot overlays use.
#include "core/quant/quant_result.h"

#include <QString>
#include <QWidget>

#include <memory>
#include <vector>

class QLabel;
class QPushButton;
class QTableWidget;

namespace qs {

class Document;

// One column of the table: a result, or why there is none.
struct CompareColumn {
  std::shared_ptr<const QuantResult> result;
  QString notApplicable;  // the core refused this config for this tensor: its reason
  bool computing = false; // a result is on its way ("…"); otherwise no result is "–"
};

class ComparePanel : public QWidget {
  Q_OBJECT
public:
  explicit ComparePanel(Document* document, QWidget* parent = nullptr);

  // `pinned` follows document->pins(). A config that does not apply to the
  // tensor is greyed, "n/a" in every row, its reason in the header's tooltip
  // and in a note under the table.
  void setColumns(const CompareColumn& current, const std::vector<CompareColumn>& pinned);
  QTableWidget* table() const { return table_; }
  QLabel* note() const { return note_; }
  static QColor currentColor(); // the colour of the current config everywhere

private:
  void updateButtons();

  Document* document_;
  QTableWidget* table_;
  QLabel* note_;
  QPushButton* pin_;
  QPushButton* unpin_;
  QPushButton* clear_;
};

} // namespace qs
