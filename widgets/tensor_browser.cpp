#include "widgets/tensor_browser.h"

#include "widgets/document.h"

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QStyle>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

#include <map>

namespace qs {

namespace {

enum Role { SourceRole = Qt::UserRole + 1, NameRole, KindRole, UnreadableRole };
enum Kind { FileKind = 1, GroupKind, TensorKind };

QStandardItem* readOnly(const QString& text) {
  auto* item = new QStandardItem(text);
  item->setEditable(false);
  return item;
}

} // namespace

TensorBrowser::TensorBrowser(Document* document, QWidget* parent)
    : QWidget(parent), document_(document), filter_(new QLineEdit(this)), view_(new QTreeView(this)),
      notice_(new QLabel(this)), model_(new QStandardItemModel(this)),
      proxy_(new QSortFilterProxyModel(this)) {
  filter_->setPlaceholderText(tr("Filter tensors (name, dtype, shape)…"));
  filter_->setClearButtonEnabled(true);
  proxy_->setSourceModel(model_);
  proxy_->setRecursiveFilteringEnabled(true);
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  proxy_->setFilterKeyColumn(-1); // any column: "float16" or "4096" filter too
  view_->setModel(proxy_);
  view_->setUniformRowHeights(true);
  // Long names keep both ends (ONNX "batch_norm2d_1.w_0" differ at the end).
  view_->setTextElideMode(Qt::ElideMiddle);
  // Deep HDF5 groups (model_weights/conv/conv/kernel:0) would otherwise leave
  // the names a few pixels at 1366 x 768.
  view_->setIndentation(std::max(10, view_->fontMetrics().height() * 3 / 4));
  view_->setAlternatingRowColors(true);
  view_->setContextMenuPolicy(Qt::CustomContextMenu);
  view_->header()->setStretchLastSection(false);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(filter_);
  layout->addWidget(view_);
  notice_->setWordWrap(true);
  notice_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  notice_->setFrameShape(QFrame::StyledPanel);
  notice_->setMargin(6);
  notice_->hide();
  layout->addWidget(notice_);

  connect(filter_, &QLineEdit::textChanged, this, [this](const QString& text) {
    proxy_->setFilterFixedString(text);
    if (!text.isEmpty())
      view_->expandAll();
  });
  connect(view_, &QTreeView::activated, this, &TensorBrowser::activated);
  connect(view_, &QTreeView::clicked, this, &TensorBrowser::activated);
  connect(view_, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
    const QModelIndex index = proxy_->mapToSource(view_->indexAt(pos));
    if (!index.isValid())
      return;
    const int source = model_->itemFromIndex(index.siblingAtColumn(0))->data(SourceRole).toInt();
    QMenu menu(this);
    menu.addAction(tr("Close file"), this, [this, source] { emit closeRequested(source); });
    menu.exec(view_->viewport()->mapToGlobal(pos));
  });
  connect(document_, &Document::sourceAdded, this, &TensorBrowser::rebuild);
  connect(document_, &Document::sourceRemoved, this, &TensorBrowser::rebuild);
  connect(document_, &Document::tensorChanged, this, &TensorBrowser::markCurrent);
  rebuild();
}

QString TensorBrowser::formatBytes(quint64 bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024.0 && unit < 4) {
    value /= 1024.0;
    ++unit;
  }
  return unit == 0 ? QStringLiteral("%1 B").arg(bytes)
                   : QStringLiteral("%1 %2").arg(value, 0, 'f', 1).arg(QLatin1String(units[unit]));
}

void TensorBrowser::rebuild() {
  model_->clear();
  notice_->hide();
  model_->setHorizontalHeaderLabels({tr("Name"), tr("Shape"), tr("Dtype"), tr("Size")});
  const auto& sources = document_->sources();
  for (size_t s = 0; s < sources.size(); ++s) {
    const int sourceIndex = static_cast<int>(s);
    const auto& entries = sources[s].source->list();
    auto* file = readOnly(sources[s].label);
    file->setData(sourceIndex, SourceRole);
    file->setData(FileKind, KindRole);
    file->setToolTip(QStringLiteral("%1\n%2 · %3 tensors")
                         .arg(sources[s].path, QString::fromStdString(sources[s].source->formatName()))
                         .arg(entries.size()));
    quint64 total = 0;
    std::map<QString, QStandardItem*> groups; // "a/b" -> item
    for (const TensorEntry& entry : entries) {
      const QString name = QString::fromStdString(entry.name);
      QStringList parts = name.split(QLatin1Char('/'), Qt::SkipEmptyParts);
      QStandardItem* parent = file;
      QString prefix;
      for (int i = 0; i + 1 < parts.size(); ++i) {
        prefix += parts[i] + QLatin1Char('/');
        auto it = groups.find(prefix);
        if (it == groups.end()) {
          auto* group = readOnly(parts[i]);
          group->setData(sourceIndex, SourceRole);
          group->setData(GroupKind, KindRole);
          parent->appendRow({group, readOnly({}), readOnly({}), readOnly({})});
          it = groups.emplace(prefix, group).first;
        }
        parent = it->second;
      }
      auto* item = readOnly(parts.isEmpty() ? name : parts.last());
      item->setData(sourceIndex, SourceRole);
      item->setData(name, NameRole);
      item->setData(TensorKind, KindRole);
      item->setToolTip(name);
      auto* size = readOnly(formatBytes(entry.bytes));
      size->setData(QVariant::fromValue(entry.bytes), Qt::UserRole);
      size->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      const QList<QStandardItem*> row{item, readOnly(QString::fromStdString(shapeToString(entry.shape))),
                                      readOnly(QString::fromStdString(entry.storedDtype)), size};
      if (!entry.unreadable.empty()) {
        const QString reason = tr("Tensor '%1' %2.").arg(name, QString::fromStdString(entry.unreadable));
        item->setData(reason, UnreadableRole);
        for (QStandardItem* cell : row) {
          cell->setForeground(palette().brush(QPalette::Disabled, QPalette::Text));
          cell->setToolTip(name + QLatin1Char('\n') + reason);
        }
      }
      parent->appendRow(row);
      total += entry.bytes;
    }
    auto* fileSize = readOnly(formatBytes(total));
    fileSize->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    model_->appendRow(
        {file, readOnly(QString::fromStdString(sources[s].source->formatName())), readOnly({}), fileSize});
  }
  view_->header()->setSectionResizeMode(0, QHeaderView::Stretch); // needs the columns
  view_->expandToDepth(1);
  fitDetailColumns();
  markCurrent();
}

void TensorBrowser::fitDetailColumns() {
  // Shape, dtype and size are never elided: each column is as wide as its
  // widest text anywhere in the tree (resizeColumnToContents measures only
  // the rows on screen), and the name column takes what is left.
  const QFontMetrics metrics(view_->font());
  const int padding = 2 * view_->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, view_) + 4;
  std::vector<int> widths(4, 0);
  for (int c = 1; c < 4; ++c) // the header's own text
    widths[size_t(c)] =
        metrics.horizontalAdvance(model_->headerData(c, Qt::Horizontal).toString()) + 2 * padding;
  std::vector<QStandardItem*> stack;
  for (int r = 0; r < model_->rowCount(); ++r)
    stack.push_back(model_->item(r));
  while (!stack.empty()) {
    QStandardItem* item = stack.back();
    stack.pop_back();
    const QStandardItem* parent = item->parent() ? item->parent() : model_->invisibleRootItem();
    for (int c = 1; c < 4; ++c)
      if (const QStandardItem* cell = parent->child(item->row(), c))
        widths[size_t(c)] = std::max(widths[size_t(c)], metrics.horizontalAdvance(cell->text()) + padding);
    for (int r = 0; r < item->rowCount(); ++r)
      stack.push_back(item->child(r));
  }
  for (int c = 1; c < 4; ++c) {
    view_->header()->setSectionResizeMode(c, QHeaderView::Fixed);
    view_->header()->resizeSection(c, widths[size_t(c)]);
  }
}

QStandardItem* TensorBrowser::findTensorItem(int sourceIndex, const QString& name) const {
  for (int r = 0; r < model_->rowCount(); ++r) {
    QStandardItem* file = model_->item(r);
    if (file->data(SourceRole).toInt() != sourceIndex)
      continue;
    std::vector<QStandardItem*> stack{file};
    while (!stack.empty()) {
      QStandardItem* item = stack.back();
      stack.pop_back();
      if (item->data(KindRole).toInt() == TensorKind && item->data(NameRole).toString() == name)
        return item;
      for (int c = 0; c < item->rowCount(); ++c)
        stack.push_back(item->child(c));
    }
  }
  return nullptr;
}

void TensorBrowser::markCurrent() {
  // The loaded tensor is bold; everything else normal.
  std::vector<QStandardItem*> stack;
  for (int r = 0; r < model_->rowCount(); ++r)
    stack.push_back(model_->item(r));
  QStandardItem* current = findTensorItem(document_->tensorSource(), document_->tensorName());
  while (!stack.empty()) {
    QStandardItem* item = stack.back();
    stack.pop_back();
    if (item->data(KindRole).toInt() == TensorKind) {
      QFont font = item->font();
      if (font.bold() != (item == current)) {
        font.setBold(item == current);
        item->setFont(font);
      }
    }
    for (int c = 0; c < item->rowCount(); ++c)
      stack.push_back(item->child(c));
  }
}

bool TensorBrowser::selectTensor(int sourceIndex, const QString& name) {
  QStandardItem* item = findTensorItem(sourceIndex, name);
  if (!item)
    return false;
  const QModelIndex proxyIndex = proxy_->mapFromSource(item->index());
  view_->setCurrentIndex(proxyIndex);
  view_->scrollTo(proxyIndex);
  if (!showIfUnreadable(item))
    document_->selectTensor(sourceIndex, name);
  return true;
}

void TensorBrowser::selectDefaultTensor(int sourceIndex) {
  const auto& sources = document_->sources();
  if (sourceIndex < 0 || sourceIndex >= static_cast<int>(sources.size()))
    return;
  const QString name = defaultTensor(sources[sourceIndex].source->list());
  if (!name.isEmpty())
    selectTensor(sourceIndex, name);
}

QString TensorBrowser::defaultTensor(const std::vector<TensorEntry>& entries) {
  const TensorEntry* weight = nullptr;
  const TensorEntry* largest = nullptr;
  for (const TensorEntry& entry : entries) {
    if (!entry.unreadable.empty())
      continue;
    const int64_t n = shapeNumel(entry.shape);
    if (!largest || n > shapeNumel(largest->shape))
      largest = &entry;
    if (entry.shape.size() >= 2 && (!weight || n > shapeNumel(weight->shape)))
      weight = &entry;
  }
  const TensorEntry* chosen = weight ? weight : largest;
  return chosen ? QString::fromStdString(chosen->name) : QString();
}

void TensorBrowser::activated(const QModelIndex& proxyIndex) {
  const QModelIndex index = proxy_->mapToSource(proxyIndex).siblingAtColumn(0);
  QStandardItem* item = model_->itemFromIndex(index);
  if (!item || item->data(KindRole).toInt() != TensorKind)
    return;
  if (showIfUnreadable(item))
    return;
  const int source = item->data(SourceRole).toInt();
  const QString name = item->data(NameRole).toString();
  if (source == document_->tensorSource() && name == document_->tensorName() && !document_->isLoading())
    return;
  document_->selectTensor(source, name);
}

bool TensorBrowser::showIfUnreadable(QStandardItem* item) {
  // The views keep the tensor they show: reading this one would only fail.
  const QString reason = item->data(UnreadableRole).toString();
  notice_->setText(reason);
  notice_->setVisible(!reason.isEmpty());
  return !reason.isEmpty();
}

} // namespace qs
