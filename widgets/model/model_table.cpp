#include "widgets/model/model_table.h"

#include "core/axis_layout.h"
#include "widgets/metric_rows.h"
#include "widgets/tensor_browser.h"

#include <QFont>
#include <QGuiApplication>

#include <algorithm>
#include <cmath>

namespace qs {

ModelTable::ModelTable(QObject* parent) : QAbstractTableModel(parent) {}

void ModelTable::setEntries(const std::vector<TensorEntry>& entries) {
  beginResetModel();
  rows_.clear();
  rowByName_.clear();
  plan_.reset();
  for (const TensorEntry& entry : entries) {
    Row row;
    row.entry = entry;
    row.role = tensorRole(entry.name);
    int64_t params = 1;
    for (int64_t d : entry.shape)
      params = d > 0 && params <= INT64_MAX / d ? params * d : 0; // a listing, not a checked read
    row.params = params;
    rowByName_[entry.name] = static_cast<int>(rows_.size());
    rows_.push_back(std::move(row));
  }
  endResetModel();
}

void ModelTable::setFormats(const std::vector<std::string>& formats) {
  beginResetModel();
  formats_ = formats;
  plan_.reset();
  for (Row& row : rows_) {
    row.scanned.reset();
    row.choice = nullptr;
  }
  endResetModel();
}

void ModelTable::setScanned(const ScannedTensor& tensor) {
  const int row = rowOf(QString::fromStdString(tensor.name));
  if (row < 0)
    return;
  rows_[row].scanned = tensor;
  emit dataChanged(index(row, 0), index(row, columnCount() - 1));
}

void ModelTable::setPlan(std::shared_ptr<const ModelPlan> plan) {
  plan_ = std::move(plan);
  for (Row& row : rows_)
    row.choice = nullptr;
  if (plan_)
    for (const TensorChoice& choice : plan_->tensors)
      if (auto it = rowByName_.find(choice.name); it != rowByName_.end())
        rows_[it->second].choice = &choice;
  if (!rows_.empty())
    emit dataChanged(index(0, Plan), index(rowCount() - 1, columnCount() - 1));
}

QString ModelTable::tensorName(int row) const {
  return row >= 0 && row < rowCount() ? QString::fromStdString(rows_[row].entry.name) : QString();
}

int ModelTable::rowOf(const QString& name) const {
  const auto it = rowByName_.find(name.toStdString());
  return it == rowByName_.end() ? -1 : it->second;
}

std::optional<std::string> ModelTable::formatOfColumn(int column) const {
  const int i = column - FirstFormat;
  if (i < 0 || i >= static_cast<int>(formats_.size()))
    return std::nullopt;
  return formats_[i];
}

std::string ModelTable::chosenFormat(int row) const {
  if (row < 0 || row >= rowCount() || !rows_[row].choice)
    return {};
  return rows_[row].choice->format;
}

const ScannedTensor* ModelTable::scanned(int row) const {
  if (row < 0 || row >= rowCount() || !rows_[row].scanned)
    return nullptr;
  return &*rows_[row].scanned;
}

QColor ModelTable::sqnrColor(double db) {
  // Hue 0 (red) at 10 dB through 40 (amber) at 20 dB to 120 (green) from 40 dB;
  // pale enough for dark text in either palette.
  const double t = std::clamp((db - 10.0) / 30.0, 0.0, 1.0);
  const double hue = t < 1.0 / 3.0 ? t * 3.0 * 40.0 : 40.0 + (t - 1.0 / 3.0) * 1.5 * 80.0;
  return QColor::fromHsvF(static_cast<float>(hue / 360.0), 0.45f, 1.0f);
}

int ModelTable::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int ModelTable::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : FirstFormat + static_cast<int>(formats_.size());
}

QVariant ModelTable::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal)
    return {};
  static const char* const names[] = {"Tensor", "Role", "Block", "Shape", "Params", "Stored", "Axis", "Plan"};
  if (role == Qt::DisplayRole) {
    if (section < FirstFormat)
      return tr(names[section]);
    if (auto format = formatOfColumn(section))
      return QString::fromStdString(*format);
  }
  if (role == Qt::ToolTipRole) {
    switch (section) {
    case Role:
      return tr("What the tensor is in its model, in llama.cpp's names (from the tensor's name)");
    case Block:
      return tr("The transformer block; empty outside blocks");
    case Axis:
      return tr("The output-channel axis (hover a cell for why)");
    case Plan:
      return tr("The format the plan chose under the budget, and its bits per weight");
    default:
      if (auto format = formatOfColumn(section))
        return tr("SQNR of %1 in dB (higher is better), from the scan").arg(QString::fromStdString(*format));
    }
  }
  return {};
}

QVariant ModelTable::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount())
    return {};
  const Row& row = rows_[index.row()];
  if (index.column() < FirstFormat)
    return fixedData(row, index.column(), role);
  return candidateData(row, static_cast<size_t>(index.column() - FirstFormat), role);
}

QVariant ModelTable::fixedData(const Row& row, int column, int role) const {
  const TensorEntry& e = row.entry;
  if (role == Qt::DisplayRole) {
    switch (column) {
    case Name:
      return QString::fromStdString(e.name);
    case Role:
      return QString::fromStdString(row.role.role) + (row.role.isBias ? tr(" (bias)") : QString());
    case Block:
      return row.role.block >= 0 ? QVariant(row.role.block) : QVariant();
    case Shape:
      return QString::fromStdString(shapeToString(e.shape));
    case Params:
      return formatCount(static_cast<double>(row.params));
    case Dtype:
      return QString::fromStdString(e.storedDtype);
    case Axis:
      return e.shape.size() <= 1 ? QString() : QString::number(e.layout.outAxis);
    case Plan:
      if (!row.choice)
        return row.scanned && row.scanned->keep ? tr("kept") : QString();
      if (row.choice->format.empty())
        return tr("kept");
      return QStringLiteral("%1 · %2")
          .arg(QString::fromStdString(row.choice->format))
          .arg(row.params > 0 ? row.choice->bits / static_cast<double>(row.params) : 0.0, 0, 'f', 2);
    }
  }
  if (role == kSortRole) {
    switch (column) {
    case Block:
      return row.role.block;
    case Params:
      return static_cast<qlonglong>(row.params);
    case Axis:
      return e.layout.outAxis;
    case Plan:
      return row.choice && row.params > 0 ? row.choice->bits / static_cast<double>(row.params) : -1.0;
    default:
      return fixedData(row, column, Qt::DisplayRole);
    }
  }
  if (role == Qt::ToolTipRole) {
    if (column == Axis && e.shape.size() > 1) {
      const QString names = QString::fromStdString(axisNames(e.shape, e.layout.outAxis));
      return tr("Output channels along axis %1 %2\n%3")
          .arg(e.layout.outAxis)
          .arg(names)
          .arg(e.layout.reason.empty() ? tr("nothing known: PyTorch's [out, in, …] assumed")
                                       : QString::fromStdString(e.layout.reason));
    }
    if (column == Name || column == Role) {
      QString tip = QString::fromStdString(e.name);
      if (!row.role.ggufName.empty())
        tip += tr("\nllama.cpp name: %1").arg(QString::fromStdString(row.role.ggufName));
      if (row.scanned)
        tip += tr("\nabsmax %1 · std %2 · excess kurtosis %3 · %4 outlier channels")
                   .arg(row.scanned->absMax, 0, 'g', 4)
                   .arg(row.scanned->stdDev, 0, 'g', 4)
                   .arg(row.scanned->kurtosis, 0, 'f', 1)
                   .arg(row.scanned->outlierChannels);
      return tip;
    }
    if (column == Plan && row.choice && !row.choice->format.empty())
      return tr("%1 bits, error %2 (Σ (x − q)²%3)")
          .arg(row.choice->bits, 0, 'g', 6)
          .arg(row.choice->error, 0, 'g', 4)
          .arg(plan_ && plan_->weighted ? tr(", imatrix-weighted") : QString());
  }
  if (role == Qt::TextAlignmentRole && (column == Block || column == Params || column == Axis))
    return int(Qt::AlignRight | Qt::AlignVCenter);
  return {};
}

QVariant ModelTable::candidateData(const Row& row, size_t format, int role) const {
  if (!row.scanned) {
    if (role == kSortRole)
      return -1e9;
    return {};
  }
  const ScannedTensor& s = *row.scanned;
  if (s.keep || format >= s.candidates.size()) {
    if (role == Qt::DisplayRole)
      return QStringLiteral("–");
    if (role == Qt::ToolTipRole)
      return tr("Kept at its stored dtype (rank ≤ 1: biases and norms are not quantized)");
    if (role == kSortRole)
      return -1e9;
    return {};
  }
  const CandidateScore& c = s.candidates[format];
  const bool chosen = row.choice && row.choice->format == c.format;
  switch (role) {
  case Qt::DisplayRole:
    return c.ok() ? QString::number(c.sqnrDb, 'f', 1) : tr("n/a");
  case kSortRole:
    return c.ok() ? c.sqnrDb : -1e8;
  case kChosenRole:
    return chosen;
  case Qt::BackgroundRole:
    return c.ok() ? QVariant(sqnrColor(c.sqnrDb)) : QVariant();
  case Qt::ForegroundRole:
    return c.ok() ? QVariant(QColor(Qt::black))
                  : QVariant(QGuiApplication::palette().color(QPalette::PlaceholderText));
  case Qt::FontRole:
    if (chosen) {
      QFont bold;
      bold.setBold(true);
      return bold;
    }
    return {};
  case Qt::TextAlignmentRole:
    return int(Qt::AlignRight | Qt::AlignVCenter);
  case Qt::ToolTipRole:
    if (!c.ok())
      return tr("%1 cannot take this tensor: %2")
          .arg(QString::fromStdString(c.format), QString::fromStdString(c.problem));
    return tr("%1%2\nSQNR %3 dB · relative error %4 · cosine %5\n%6 bits per weight · %7")
        .arg(QString::fromStdString(c.format))
        .arg(chosen ? tr(" (the plan's choice)") : QString())
        .arg(c.sqnrDb, 0, 'f', 2)
        .arg(c.relError, 0, 'g', 4)
        .arg(c.cosine, 0, 'f', 6)
        .arg(c.bitsPerElement, 0, 'f', 3)
        .arg(TensorBrowser::formatBytes(static_cast<quint64>(c.bytes)));
  }
  return {};
}

} // namespace qs
