#pragma once
// ComparePanel: the current config beside up to four pinned ones, metric by
// metric, with the best value of each row in bold. The pins' colours are the
// colours the plot overlays use.
#include "core/quant/quant_result.h"

#include <QWidget>

#include <memory>
#include <vector>

class QPushButton;
class QTableWidget;

namespace qs {

class Document;

class ComparePanel : public QWidget {
  Q_OBJECT
public:
  explicit ComparePanel(Document* document, QWidget* parent = nullptr);

  // `pinned` follows document->pins(); entries may be null while computing.
  void setResults(const std::shared_ptr<const QuantResult>& current,
                  const std::vector<std::shared_ptr<const QuantResult>>& pinned);
  QTableWidget* table() const { return table_; }
  static QColor currentColor(); // the colour of the current config everywhere

private:
  void updateButtons();

  Document* document_;
  QTableWidget* table_;
  QPushButton* pin_;
  QPushButton* unpin_;
  QPushButton* clear_;
};

} // namespace qs
