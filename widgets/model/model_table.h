#pragma once
// ModelTable: every tensor of a model as a row (name, role, block, shape,
// params, stored dtype, axis, the plan's choice) and one column per candidate
// format holding its SQNR, coloured by it. Rows exist from the moment the
// model is open; the scan fills their cells tensor by tensor, the plan marks
// the chosen cell. Sorting keys are in kSortRole.
#include "core/io/tensor_source.h"
#include "core/model/model_plan.h"
#include "core/model/scan.h"

#include <QAbstractTableModel>
#include <QColor>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace qs {

class ModelTable : public QAbstractTableModel {
  Q_OBJECT
public:
  enum Column { Name, Role, Block, Shape, Params, Dtype, Axis, Plan, FirstFormat };
  static constexpr int kSortRole = Qt::UserRole + 1;
  static constexpr int kChosenRole = Qt::UserRole + 2; // true on the plan's cell

  explicit ModelTable(QObject* parent = nullptr);

  // A new model: one row per entry, scan and plan cleared.
  void setEntries(const std::vector<TensorEntry>& entries);
  // The candidate columns of the next scan (clears scanned cells and the plan).
  void setFormats(const std::vector<std::string>& formats);
  void setScanned(const ScannedTensor& tensor);
  void setPlan(std::shared_ptr<const ModelPlan> plan);

  const std::vector<std::string>& formats() const { return formats_; }
  QString tensorName(int row) const;
  int rowOf(const QString& name) const; // -1 when absent
  // The candidate format of a column; nullopt for the fixed columns.
  std::optional<std::string> formatOfColumn(int column) const;
  // The plan's format of a row; empty: kept, not planned or no plan.
  std::string chosenFormat(int row) const;
  const ScannedTensor* scanned(int row) const;

  // The colour of an SQNR cell: red below 10 dB, amber at 20, green from 40.
  static QColor sqnrColor(double db);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
  struct Row {
    TensorEntry entry;
    TensorRole role;
    int64_t params = 0;
    std::optional<ScannedTensor> scanned;
    const TensorChoice* choice = nullptr; // into plan_
  };
  QVariant fixedData(const Row& row, int column, int role) const;
  QVariant candidateData(const Row& row, size_t format, int role) const;

  std::vector<Row> rows_;
  std::map<std::string, int> rowByName_;
  std::vector<std::string> formats_;
  std::shared_ptr<const ModelPlan> plan_;
};

} // namespace qs
