#pragma once
// ImatrixActions: the main window's importance-matrix actions. File ▸ Open
// imatrix… reads one into the Document (off the GUI thread; it replaces the
// loaded one), the status bar names it, the Outliers view gets it, and
// View ▸ Imatrix statistics shows its --show-statistics table in a dialog.
#include <QObject>

class QAction;
class QDialog;
class QLabel;

namespace qs {

class ImatrixStatsTable;
class MainWindow;

class ImatrixActions : public QObject {
  Q_OBJECT
public:
  explicit ImatrixActions(MainWindow* window);

  QAction* openAction() const { return open_; }
  QAction* statsAction() const { return stats_; }
  QLabel* indicator() const { return indicator_; }         // in the status bar
  ImatrixStatsTable* statsTable() const { return table_; } // null until first shown
  void showStats();

private:
  void loaded();
  void fillDialog();

  MainWindow* window_;
  QAction* open_ = nullptr;
  QAction* stats_ = nullptr;
  QLabel* indicator_ = nullptr;
  QDialog* dialog_ = nullptr;
  QLabel* header_ = nullptr;
  ImatrixStatsTable* table_ = nullptr;
};

} // namespace qs
