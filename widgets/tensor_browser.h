#pragma once
// TensorBrowser: the open files as a tree (file -> groups -> tensors) with
// shape, stored dtype and size columns and a filter box. Selecting a tensor
// asks the Document to load it; the browser itself never reads tensor data.
// A tensor QuantScope cannot read (TensorEntry::unreadable) is greyed, and
// selecting it shows why under the tree instead of loading it.
#include "core/io/tensor_source.h"

#include <QString>
#include <QWidget>

#include <vector>

class QLabel;
class QLineEdit;
class QStandardItem;
class QStandardItemModel;
class QSortFilterProxyModel;
class QTreeView;

namespace qs {

class Document;

class TensorBrowser : public QWidget {
  Q_OBJECT
public:
  explicit TensorBrowser(Document* document, QWidget* parent = nullptr);

  // Selects (and so loads) a tensor by name in a source; false if absent.
  // An unreadable tensor is selected without loading, its reason shown.
  bool selectTensor(int sourceIndex, const QString& name);
  // Selects the tensor a file opens on (after opening it): see defaultTensor().
  void selectDefaultTensor(int sourceIndex);
  // The largest weight: most elements among tensors of rank >= 2 (the first
  // of equals), else the largest tensor. Files often list small biases and
  // norms first, whose metrics say little. Unreadable tensors are never
  // chosen. Empty when nothing is readable.
  static QString defaultTensor(const std::vector<TensorEntry>& entries);
  QTreeView* view() const { return view_; }
  QLineEdit* filterEdit() const { return filter_; }
  // The reason shown for the selected unreadable tensor (hidden otherwise).
  QLabel* notice() const { return notice_; }

  static QString formatBytes(quint64 bytes); // "64.0 MiB"

signals:
  void closeRequested(int sourceIndex);

private:
  void rebuild();
  void markCurrent();
  void fitDetailColumns();
  void activated(const QModelIndex& proxyIndex);
  // Shows (or hides) why the tensor cannot be read; true when it cannot.
  bool showIfUnreadable(QStandardItem* item);
  QStandardItem* findTensorItem(int sourceIndex, const QString& name) const;

  Document* document_;
  QLineEdit* filter_;
  QTreeView* view_;
  QLabel* notice_;
  QStandardItemModel* model_;
  QSortFilterProxyModel* proxy_;
};

} // namespace qs
