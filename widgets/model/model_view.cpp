#include "widgets/model/model_view.h"

#include "core/error.h"
#include "core/io/text_file.h"
#include "widgets/imatrix_stats_table.h"
#include "widgets/metric_rows.h"
#include "widgets/model/block_profile_plot.h"
#include "widgets/model/elided_label.h"
#include "widgets/model/format_picker.h"
#include "widgets/model/model_session.h"
#include "widgets/model/model_table.h"
#include "widgets/model/pareto_plot.h"
#include "widgets/model/plan_text.h"
#include "widgets/plots/plot_export.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace qs {

namespace {

constexpr int kSliderSteps = 1000;
const QColor kErrorColor(192, 57, 43);
// The slider's low end sits a hair above the smallest plan: a budget equal to
// it, summed in another order, could come out a rounding below.
constexpr double kAboveSmallest = 1 + 1e-9;

// Frames the plan's cell of each row, so the choice stands out whatever the colours.
class ChosenCellDelegate : public QStyledItemDelegate {
public:
  using QStyledItemDelegate::QStyledItemDelegate;
  void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override {
    QStyledItemDelegate::paint(painter, option, index);
    if (!index.data(ModelTable::kChosenRole).toBool())
      return;
    painter->save();
    painter->setPen(QPen(QColor(20, 20, 20), 2));
    painter->setBrush(Qt::NoBrush);
    painter->drawRect(QRectF(option.rect).adjusted(1, 1, -1, -1));
    painter->restore();
  }
};

// Group sizes offered for the scan's base config (block formats fix their own).
struct GranularityChoice {
  const char* label;
  int kind; // -1: the format's default
  int64_t groupSize;
};
constexpr GranularityChoice kGranularities[] = {{"format default", -1, 0},
                                                {"per channel", int(GranularityKind::Channel), 0},
                                                {"group 32", int(GranularityKind::Group), 32},
                                                {"group 64", int(GranularityKind::Group), 64},
                                                {"group 128", int(GranularityKind::Group), 128}};

QString sizeText(double bytes) {
  if (bytes >= 1e9)
    return QStringLiteral("%1 GB").arg(bytes / 1e9, 0, 'f', 2);
  return QStringLiteral("%1 MB").arg(bytes / 1e6, 0, 'f', 1);
}

} // namespace

ModelView::ModelView(QWidget* parent)
    : QWidget(parent), session_(new ModelSession(this)), table_(new ModelTable(this)),
      proxy_(new QSortFilterProxyModel(this)) {
  proxy_->setSourceModel(table_);
  proxy_->setSortRole(ModelTable::kSortRole);
  proxy_->setFilterKeyColumn(ModelTable::Name);
  proxy_->setDynamicSortFilter(false); // rows keep their place while the scan fills them

  view_ = new QTableView(this);
  view_->setObjectName(QStringLiteral("modelTable"));
  view_->setModel(proxy_);
  view_->setItemDelegate(new ChosenCellDelegate(view_));
  view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  view_->setSelectionMode(QAbstractItemView::SingleSelection);
  view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  view_->setTextElideMode(Qt::ElideMiddle);
  view_->setWordWrap(false);
  view_->verticalHeader()->hide();
  view_->verticalHeader()->setDefaultSectionSize(view_->fontMetrics().height() + 6);
  view_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder); // the file's order first
  view_->setSortingEnabled(true);
  view_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  view_->horizontalHeader()->setStretchLastSection(false);
  view_->setToolTip(tr("Double-click a tensor to open it in the workbench with the plan's format "
                       "(or the format of the column clicked)"));

  pareto_ = new ParetoPlot(this);
  profile_ = new BlockProfilePlot(this);
  plotexport::installExportMenu(pareto_, QStringLiteral("model_pareto"));
  plotexport::installExportMenu(profile_, QStringLiteral("model_block_profile"));
  profileOf_ = new QComboBox(this);
  profileOf_->setToolTip(tr("Colour the blocks by the SQNR of one candidate format on every tensor "
                            "(how sensitive each is) or of the plan's formats (what the plan leaves)"));

  auto* profileBox = new QWidget(this);
  auto* profileLayout = new QVBoxLayout(profileBox);
  profileLayout->setContentsMargins(0, 0, 0, 0);
  profileLayout->setSpacing(2);
  auto* profileRow = new QHBoxLayout;
  profileRow->addWidget(new QLabel(tr("Colour by:"), this));
  profileRow->addWidget(profileOf_);
  profileRow->addStretch(1);
  profileLayout->addLayout(profileRow);
  profileLayout->addWidget(profile_, 1);

  // The imatrix, when one is loaded: llama-imatrix's statistics per tensor.
  imatrixBox_ = new QWidget(this);
  auto* imatrixLayout = new QVBoxLayout(imatrixBox_);
  imatrixLayout->setContentsMargins(0, 0, 0, 0);
  imatrixLayout->setSpacing(2);
  imatrixLabel_ = new QLabel(this);
  imatrixTable_ = new ImatrixStatsTable({}, this);
  // Beside the plots only what tells the tensors apart (the name holds role
  // and block); View ▸ Imatrix statistics has every column.
  for (int c : {ImatrixStatsTable::Role, ImatrixStatsTable::Block, ImatrixStatsTable::Elements,
                ImatrixStatsTable::Min, ImatrixStatsTable::Max, ImatrixStatsTable::Mean,
                ImatrixStatsTable::StdDev, ImatrixStatsTable::Zd})
    imatrixTable_->setColumnHidden(c, true);
  imatrixTable_->verticalHeader()->hide();
  imatrixTable_->verticalHeader()->setDefaultSectionSize(imatrixTable_->fontMetrics().height() + 6);
  imatrixLabel_->setWordWrap(true);
  imatrixLayout->addWidget(imatrixLabel_);
  imatrixLayout->addWidget(imatrixTable_, 1);
  imatrixBox_->hide();

  auto* plots = new QSplitter(Qt::Horizontal, this);
  plots->addWidget(pareto_);
  plots->addWidget(profileBox);
  plots->addWidget(imatrixBox_);
  plots->setStretchFactor(0, 2);
  plots->setStretchFactor(1, 3);
  plots->setStretchFactor(2, 3);
  plots->setChildrenCollapsible(false);
  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(view_);
  split->addWidget(plots);
  split->setChildrenCollapsible(false);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 1);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->setSpacing(4);
  layout->addWidget(buildScanRow());
  layout->addWidget(buildBudgetRow());
  layout->addWidget(buildPlanRow());
  layout->addWidget(split, 1);
  wire();
  updateCount();
}

ModelView::~ModelView() = default;

void ModelView::setImatrix(std::shared_ptr<const Imatrix> imatrix, std::vector<ImatrixTensorStats> stats) {
  session_->setImatrix(imatrix);
  imatrixBox_->setVisible(imatrix != nullptr);
  if (imatrix)
    imatrixLabel_->setText(tr("imatrix %1 (%2 tensors) weighs the errors")
                               .arg(QString::fromStdString(imatrix->path.filename().string()))
                               .arg(imatrix->entries.size()));
  imatrixTable_->setStats(std::move(stats));
  if (session_->source())
    startScan(); // the errors (and so the plan) change with the weights
}

QWidget* ModelView::buildScanRow() {
  auto* row = new QWidget(this);
  auto* h = new QHBoxLayout(row);
  h->setContentsMargins(0, 0, 0, 0);
  picker_ = new FormatPicker(row);
  granularity_ = new QComboBox(row);
  for (const GranularityChoice& g : kGranularities)
    granularity_->addItem(tr(g.label));
  granularity_->setCurrentIndex(4); // group 128: the usual 4-bit layout
  granularity_->setToolTip(tr("Granularity of the integer and codebook candidates; MX and GGUF "
                              "formats keep their own blocks"));
  scan_ = new QPushButton(tr("Scan"), row);
  scan_->setToolTip(tr("Quantize every tensor with every candidate format (one tensor in memory at a time)"));
  cancel_ = new QPushButton(tr("Cancel"), row);
  cancel_->setEnabled(false);
  progress_ = new QProgressBar(row);
  progress_->setMaximumWidth(100);
  progress_->setTextVisible(false);
  scanStatus_ = new ElidedLabel(row);
  h->addWidget(picker_);
  h->addWidget(granularity_);
  h->addWidget(scan_);
  h->addWidget(cancel_);
  h->addWidget(progress_);
  h->addWidget(scanStatus_, 1);
  return row;
}

QWidget* ModelView::buildBudgetRow() {
  auto* row = new QWidget(this);
  auto* h = new QHBoxLayout(row);
  h->setContentsMargins(0, 0, 0, 0);
  auto* label = new QLabel(tr("Budget:"), row);
  slider_ = new QSlider(Qt::Horizontal, row);
  slider_->setObjectName(QStringLiteral("budgetSlider"));
  slider_->setRange(0, kSliderSteps);
  slider_->setMinimumWidth(160);
  slider_->setToolTip(tr("The model's size: the plan picks each tensor's format for the least total "
                         "error within it"));
  spin_ = new QDoubleSpinBox(row);
  spin_->setKeyboardTracking(false);
  unit_ = new QComboBox(row);
  unit_->addItems({tr("bits/weight"), tr("GB")});
  unit_->setToolTip(tr("Give the budget in bits per weight or as the model's size"));
  planStatus_ = new ElidedLabel(row);
  h->addWidget(label);
  h->addWidget(slider_, 1);
  h->addWidget(spin_);
  h->addWidget(unit_);
  h->addWidget(planStatus_, 1);
  export_ = new QPushButton(tr("Export plan"), row);
  export_->setToolTip(tr("Write the plan for the tool that deploys it"));
  export_->setEnabled(false);
  auto* menu = new QMenu(export_);
  menu->setToolTipsVisible(true);
  for (const PlanExportInfo& info : planExportKinds()) {
    QAction* action = menu->addAction(info.menuText);
    action->setToolTip(info.description);
    connect(action, &QAction::triggered, this, [this, info] {
      const QString path =
          QFileDialog::getSaveFileName(this, tr("Export plan"), info.fileName, info.fileFilter);
      if (!path.isEmpty())
        exportPlan(info.kind, path);
    });
  }
  export_->setMenu(menu);
  h->addWidget(export_);
  return row;
}

QWidget* ModelView::buildPlanRow() {
  auto* row = new QWidget(this);
  auto* h = new QHBoxLayout(row);
  h->setContentsMargins(0, 0, 0, 0);
  filter_ = new QLineEdit(row);
  filter_->setPlaceholderText(tr("Filter (regex or text)"));
  filter_->setClearButtonEnabled(true);
  count_ = new QLabel(row);
  pins_ = new QLineEdit(row);
  pins_->setPlaceholderText(tr("Pins: REGEX=FORMAT; …"));
  pins_->setToolTip(tr("Tensors whose name matches REGEX get FORMAT; separate pins with ';'\n"
                       "e.g. embed_tokens|lm_head=q8_0; layers\\.0\\.=q6_k"));
  keeps_ = new QLineEdit(row);
  keeps_->setPlaceholderText(tr("Keep: REGEX; …"));
  keeps_->setToolTip(tr("Tensors whose name matches stay at their stored dtype; separate regexes with ';'\n"
                        "e.g. lm_head"));
  h->addWidget(filter_, 2);
  h->addWidget(count_);
  h->addWidget(pins_, 3);
  h->addWidget(keeps_, 2);
  return row;
}

void ModelView::wire() {
  connect(scan_, &QPushButton::clicked, this, &ModelView::startScan);
  connect(cancel_, &QPushButton::clicked, this, &ModelView::cancelScan);
  connect(session_, &ModelSession::scanStarted, this, [this](int total) {
    scan_->setEnabled(false);
    cancel_->setEnabled(true);
    progress_->setRange(0, std::max(total, 1));
    progress_->setValue(0);
    scanStatus_->setText(tr("Scanning %1 tensors…").arg(total));
  });
  connect(session_, &ModelSession::tensorScanned, this,
          [this](const ScannedTensor& tensor, int done, int total) {
            table_->setScanned(tensor);
            progress_->setRange(0, std::max(total, 1));
            progress_->setValue(done);
            scanStatus_->setText(
                tr("Scanned %1 / %2 — %3").arg(done).arg(total).arg(QString::fromStdString(tensor.name)));
          });
  connect(session_, &ModelSession::scanEnded, this, &ModelView::onScanEnded);
  connect(session_, &ModelSession::planReady, this, &ModelView::onPlan);
  connect(session_, &ModelSession::planFailed, this, [this](const QString& message) {
    planPending_ = false;
    planStatus_->setText(message, kErrorColor);
    table_->setPlan(nullptr);
    export_->setEnabled(false);
    pareto_->clearPlan(tr("no plan: see the message above"));
    updateProfile();
  });

  connect(slider_, &QSlider::valueChanged, this, [this](int value) {
    budget_ = rangeLo_ + (rangeHi_ - rangeLo_) * value / kSliderSteps;
    showBudget();
    requestPlan();
  });
  connect(spin_, &QDoubleSpinBox::valueChanged, this, [this](double value) {
    const auto plan = session_->plan();
    const double bytesPerBpw = plan && plan->bitsPerWeight > 0
                                   ? plan->totalBytes / plan->bitsPerWeight
                                   : static_cast<double>(session_->scan().totalParams()) / 8.0;
    budget_ = unit_->currentIndex() == 1 ? value * 1e9 / bytesPerBpw : value;
    budget_ = std::clamp(budget_, rangeLo_, rangeHi_);
    showBudget();
    requestPlan();
  });
  connect(unit_, &QComboBox::currentIndexChanged, this, [this] {
    showBudget();
    requestPlan();
  });
  connect(pareto_, &ParetoPlot::budgetPicked, this, &ModelView::setBudget);
  connect(pins_, &QLineEdit::editingFinished, this, &ModelView::requestPlan);
  connect(keeps_, &QLineEdit::editingFinished, this, &ModelView::requestPlan);
  connect(filter_, &QLineEdit::textChanged, this, &ModelView::updateFilter);
  connect(profileOf_, &QComboBox::currentIndexChanged, this, &ModelView::updateProfile);
  connect(view_, &QTableView::doubleClicked, this, &ModelView::activated);
  connect(proxy_, &QAbstractItemModel::rowsInserted, this, &ModelView::updateCount);
  connect(proxy_, &QAbstractItemModel::modelReset, this, &ModelView::updateCount);
}

void ModelView::setModel(std::shared_ptr<const TensorSource> source, const QString& label) {
  session_->setSource(source, label);
  table_->setEntries(source ? source->list() : std::vector<TensorEntry>{});
  table_->setFormats({});
  arrangeColumns();
  view_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
  proxy_->sort(-1);
  pareto_->clearPlan(tr("planning starts when the scan ends"));
  profile_->clearData(tr("the profile follows the scan"));
  planStatus_->setText({});
  updateCount();
  startScan();
}

std::shared_ptr<const TensorSource> ModelView::source() const {
  return session_->source();
}

QuantConfig ModelView::baseConfig() const {
  QuantConfig config;
  const GranularityChoice& g = kGranularities[std::max(0, granularity_->currentIndex())];
  if (g.kind >= 0) {
    Granularity granularity;
    granularity.kind = static_cast<GranularityKind>(g.kind);
    if (g.groupSize > 0)
      granularity.groupSize = g.groupSize;
    config.granularity = granularity;
  }
  return config;
}

void ModelView::startScan() {
  if (!session_->source())
    return;
  const std::vector<std::string> formats = picker_->formats();
  if (formats.empty()) {
    scanStatus_->setText(tr("Check at least one format to scan"));
    return;
  }
  ScanOptions options;
  options.formats = formats;
  options.base = baseConfig();
  options.base.format = formats.front();
  table_->setFormats(formats);
  arrangeColumns();
  {
    const QSignalBlocker block(profileOf_);
    profileOf_->clear();
    profileOf_->addItem(tr("the plan's formats"), QString());
    for (const std::string& f : formats)
      profileOf_->addItem(QString::fromStdString(f), QString::fromStdString(f));
  }
  pareto_->clearPlan(tr("planning starts when the scan ends"));
  profile_->clearData(tr("the profile follows the scan"));
  export_->setEnabled(false);
  planPending_ = false;
  session_->startScan(options);
}

void ModelView::arrangeColumns() {
  // What decides (the plan and the SQNR per format) comes first, so it is in
  // view in a narrow tab; the tensor's details follow. Candidate columns fit
  // their numbers; the name keeps a readable width and elides in the middle.
  QHeaderView* header = view_->horizontalHeader();
  for (int c = 0; c < table_->columnCount(); ++c)
    header->setSectionResizeMode(c, c == ModelTable::Name ? QHeaderView::Interactive
                                                          : QHeaderView::ResizeToContents);
  header->resizeSection(ModelTable::Name, view_->fontMetrics().horizontalAdvance(
                                              QStringLiteral("model.layers.0.self_attn.q_proj.w")));
  for (int c : {ModelTable::Shape, ModelTable::Params, ModelTable::Dtype, ModelTable::Axis})
    header->moveSection(header->visualIndex(c), table_->columnCount() - 1);
}

void ModelView::cancelScan() {
  session_->cancelScan();
}

void ModelView::onScanEnded(bool complete, const QString& error) {
  scan_->setEnabled(true);
  cancel_->setEnabled(false);
  const ScanResult& scan = session_->scan();
  if (!error.isEmpty())
    scanStatus_->setText(tr("Scan failed: %1").arg(error), kErrorColor);
  else if (!complete)
    scanStatus_->setText(tr("Scan cancelled after %1 of %2 tensors; the plan covers those")
                             .arg(scan.tensors.size())
                             .arg(table_->rowCount()));
  else
    scanStatus_->setText(tr("%1 tensors · %2 params · %3 formats%4")
                             .arg(scan.tensors.size())
                             .arg(formatCount(static_cast<double>(scan.totalParams())))
                             .arg(scan.formats.size())
                             .arg(scan.architecture.empty()
                                      ? QString()
                                      : QStringLiteral(" · ") + QString::fromStdString(scan.architecture)));
  if (complete)
    progress_->setValue(progress_->maximum());
  if (!session_->endedScan()) {
    pareto_->clearPlan(tr("nothing scanned"));
    return;
  }
  // Colour the profile by the smallest candidate by default: where it hurts most shows best.
  const ScannedTensor* sample = nullptr;
  for (const ScannedTensor& t : scan.tensors)
    if (!t.keep && !t.candidates.empty()) {
      sample = &t;
      break;
    }
  if (sample) {
    const CandidateScore* smallest = nullptr;
    for (const CandidateScore& c : sample->candidates)
      if (c.ok() && (!smallest || c.bitsPerElement < smallest->bitsPerElement))
        smallest = &c;
    if (smallest) {
      const QSignalBlocker block(profileOf_);
      profileOf_->setCurrentIndex(
          std::max(0, profileOf_->findData(QString::fromStdString(smallest->format))));
    }
  }
  updateBudgetRange();
  requestPlan();
}

void ModelView::updateBudgetRange() {
  // The smallest and the largest plan: every tensor at its cheapest or its
  // dearest candidate, kept ones at their stored size. The Pareto curve of
  // each plan refines this (it knows the pins and keeps).
  const ScanResult& scan = session_->scan();
  double fixed = 0, lo = 0, hi = 0;
  for (const ScannedTensor& t : scan.tensors) {
    double tLo = 1e300, tHi = 0;
    for (const CandidateScore& c : t.candidates)
      if (c.ok()) {
        tLo = std::min(tLo, c.bytes * 8);
        tHi = std::max(tHi, c.bytes * 8);
      }
    if (t.keep || tLo > tHi) {
      fixed += static_cast<double>(t.storedBytes) * 8;
    } else {
      lo += tLo;
      hi += tHi;
    }
  }
  const double params = static_cast<double>(std::max<int64_t>(scan.totalParams(), 1));
  rangeLo_ = (fixed + lo) / params * kAboveSmallest;
  rangeHi_ = std::max(rangeLo_ + 1e-6, (fixed + hi) / params);
  budget_ = std::clamp(budget_, rangeLo_, rangeHi_);
  showBudget();
}

void ModelView::showBudget() {
  const QSignalBlocker blockSlider(slider_);
  const QSignalBlocker blockSpin(spin_);
  slider_->setValue(
      static_cast<int>(std::lround((budget_ - rangeLo_) / (rangeHi_ - rangeLo_) * kSliderSteps)));
  const auto plan = session_->plan();
  const double bytesPerBpw = plan && plan->bitsPerWeight > 0
                                 ? plan->totalBytes / plan->bitsPerWeight
                                 : static_cast<double>(session_->scan().totalParams()) / 8.0;
  if (unit_->currentIndex() == 1) {
    spin_->setDecimals(bytesPerBpw * rangeHi_ < 1e9 ? 4 : 2);
    spin_->setSingleStep(bytesPerBpw * rangeHi_ < 1e9 ? 0.001 : 0.1);
    spin_->setRange(rangeLo_ * bytesPerBpw / 1e9, rangeHi_ * bytesPerBpw / 1e9);
    spin_->setValue(budget_ * bytesPerBpw / 1e9);
  } else {
    spin_->setDecimals(2);
    spin_->setSingleStep(0.05);
    spin_->setRange(rangeLo_, rangeHi_);
    spin_->setValue(budget_);
  }
}

void ModelView::setBudget(double bitsPerWeight) {
  budget_ = std::clamp(bitsPerWeight, rangeLo_, rangeHi_);
  showBudget();
  requestPlan();
}

PlanRequest ModelView::request() const {
  PlanRequest r;
  const auto plan = session_->plan();
  if (unit_->currentIndex() == 1) {
    const double bytesPerBpw = plan && plan->bitsPerWeight > 0
                                   ? plan->totalBytes / plan->bitsPerWeight
                                   : static_cast<double>(session_->scan().totalParams()) / 8.0;
    r.targetBytes = budget_ * bytesPerBpw;
  } else {
    r.targetBitsPerWeight = budget_;
  }
  try {
    r.pins = parsePins(pins_->text());
    r.keeps = parseKeeps(keeps_->text());
  } catch (const Error&) {
    // requestPlan() says why and sends nothing; the request is the rest.
  }
  return r;
}

void ModelView::requestPlan() {
  if (!session_->endedScan())
    return;
  try {
    parsePins(pins_->text());
    parseKeeps(keeps_->text());
  } catch (const Error& e) {
    planStatus_->setText(QString::fromUtf8(e.what()), kErrorColor);
    return;
  }
  planPending_ = true;
  session_->setRequest(request());
}

void ModelView::onPlan(std::shared_ptr<const ModelPlan> plan) {
  planPending_ = false;
  export_->setEnabled(true);
  table_->setPlan(plan);
  pareto_->setPlan(plan);
  if (plan->pareto.size() >= 2) { // the real ends, pins and keeps included
    rangeLo_ = plan->pareto.front().bits * kAboveSmallest;
    rangeHi_ = std::max(rangeLo_ + 1e-6, plan->pareto.back().bits);
    budget_ = std::clamp(budget_, rangeLo_, rangeHi_);
    showBudget();
  }
  QString text = tr("%1 bpw · %2 · error %3")
                     .arg(plan->bitsPerWeight, 0, 'f', 2)
                     .arg(sizeText(plan->totalBytes))
                     .arg(plan->totalError, 0, 'g', 3);
  if (plan->lowerBound > 0)
    text += tr(" ≥ %1").arg(plan->lowerBound, 0, 'g', 3);
  planStatus_->setText(text);
  planStatus_->setToolTip(
      tr("%1\nThe plan's bits per weight, storage and total error Σ (x − q)²%2; no plan of this size has "
         "less error than the bound after ≥; the greedy upgrade would leave %3")
          .arg(text)
          .arg(plan->weighted ? tr(" weighted by the imatrix") : QString())
          .arg(plan->greedyError, 0, 'g', 4));
  updateProfile();
  if (isSettled())
    emit settled();
}

void ModelView::exportPlan(PlanExportKind kind, const QString& path) {
  const auto plan = session_->plan();
  const auto scan = session_->endedScan();
  const auto source = session_->source();
  if (!plan || !scan || !source) {
    emit exportFinished(path, tr("no plan to export"));
    return;
  }
  scanStatus_->setText(tr("Writing %1…").arg(QFileInfo(path).fileName()));
  JobHandlers<bool> handlers;
  handlers.done = [this, path](bool) {
    scanStatus_->setText(tr("Plan written to %1").arg(path));
    emit exportFinished(path, {});
  };
  handlers.failed = [this, path](const QString& error) {
    scanStatus_->setText(tr("Could not export: %1").arg(error), kErrorColor);
    emit exportFinished(path, error);
  };
  handlers.cancelled = [this, path] {
    scanStatus_->setText(tr("Export cancelled"));
    emit exportFinished(path, tr("cancelled"));
  };
  exports_.start<bool>(
      [kind, path, plan, scan, source](JobControl& job) {
        writeFileAtomically(path.toStdString(),
                            planExportText(kind, *plan, *scan, *source, job.cancelFlag()));
        return true;
      },
      std::move(handlers));
}

void ModelView::updateProfile() {
  const auto scan = session_->endedScan();
  if (!scan) {
    profile_->clearData(tr("the profile follows the scan"));
    return;
  }
  profile_->setData(scan, session_->plan(), profileOf_->currentData().toString().toStdString());
}

void ModelView::updateFilter() {
  const QString text = filter_->text();
  QRegularExpression re(text, QRegularExpression::CaseInsensitiveOption);
  if (!re.isValid()) // a half-typed regex filters as plain text
    re = QRegularExpression(QRegularExpression::escape(text), QRegularExpression::CaseInsensitiveOption);
  proxy_->setFilterRegularExpression(re);
  updateCount();
}

void ModelView::updateCount() {
  const int all = table_->rowCount();
  const int shown = proxy_->rowCount();
  count_->setText(shown == all ? tr("%1 tensors").arg(all) : tr("%1 of %2 tensors").arg(shown).arg(all));
}

bool ModelView::isSettled() const {
  return session_->scan().complete && !session_->isScanning() && session_->plan() && !planPending_ &&
         !session_->isPlanning();
}

void ModelView::activated(const QModelIndex& proxyIndex) {
  const QModelIndex index = proxy_->mapToSource(proxyIndex);
  const int row = index.row();
  if (row < 0)
    return;
  std::string format;
  if (auto f = table_->formatOfColumn(index.column()))
    format = *f; // the cell double-clicked
  if (format.empty())
    format = table_->chosenFormat(row);
  if (format.empty() && !table_->formats().empty())
    format = table_->formats().front(); // kept or not planned yet
  QuantConfig config = session_->scanOptions().base;
  if (!format.empty())
    config.format = format;
  emit openInWorkbench(table_->tensorName(row), config);
}

QString ModelView::planStatusText() const {
  return planStatus_->text();
}

QList<QWidget*> ModelView::exportables() const {
  return {pareto_, profile_};
}

} // namespace qs
