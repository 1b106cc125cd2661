#include "widgets/config_panel.h"

#include "core/error.h"
#include "core/formats/format_registry.h"
#include "core/quant/config_check.h"
#include "core/quant/format_config.h"
#include "widgets/clip_applicability.h"
#include "widgets/format_family.h"
#include "widgets/hqq_controls.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStringList>
#include <QVBoxLayout>

#include <cmath>

namespace qs {

namespace {

// A spin box repaints (and so does the group box behind it) on every
// setValue(), even an unchanged one: showConfig() sets only what changed.
template <class SpinBox, class Value> void setValueIfChanged(SpinBox* spin, Value value) {
  if (spin->value() != value)
    spin->setValue(value);
}

// Group sizes step by powers of two (32, 64, 128 …) but any value can be typed.
class PowerOfTwoSpinBox : public QSpinBox {
public:
  using QSpinBox::QSpinBox;
  void stepBy(int steps) override {
    int v = value();
    for (; steps > 0; --steps)
      v = v < maximum() / 2 ? v * 2 : maximum();
    for (; steps < 0; ++steps)
      v = std::max(minimum(), v / 2);
    setValue(v);
  }
};

// Shows 99.99 rather than 99.99000 (the value keeps all its decimals).
class TrimmedSpinBox : public QDoubleSpinBox {
public:
  using QDoubleSpinBox::QDoubleSpinBox;
  QString textFromValue(double value) const override {
    QString text = locale().toString(value, 'f', decimals());
    const QChar point = locale().decimalPoint().front();
    if (text.contains(point)) {
      while (text.endsWith(QLatin1Char('0')))
        text.chop(1);
      if (text.endsWith(point))
        text.chop(1);
    }
    return text;
  }
};

constexpr double kSliderLowNines = 1.0;  // p = 90
constexpr double kSliderHighNines = 5.0; // p = 99.999

// The registry entry for a name, or null for a name it does not know.
const FormatInfo* lookup(const std::string& name) {
  return isKnownFormat(name) ? &findFormat(name) : nullptr;
}

// The integer format with `bits` bits, or null.
const FormatInfo* integerFormat(int bits) {
  for (const FormatInfo& info : allFormats())
    if (info.family == "integer" && info.bits == bits)
      return &info;
  return nullptr;
}

QString describeFormat(const FormatInfo& info) {
  QString text = QString::fromStdString(info.description);
  if (info.bitsPerElement > 0 && info.bitsPerElement != info.bits)
    text += QObject::tr(" %1 bits per element with its block scales.").arg(info.bitsPerElement);
  return text;
}

int comboIndexOfData(const QComboBox* combo, const QVariant& data) {
  return combo->findData(data);
}

} // namespace

int ConfigPanel::percentileToSlider(double percentile) {
  const double tail = std::max(100.0 - percentile, 1e-12);
  const double nines = std::clamp(-std::log10(tail / 100.0), kSliderLowNines, kSliderHighNines);
  return static_cast<int>(
      std::lround((nines - kSliderLowNines) / (kSliderHighNines - kSliderLowNines) * kSliderSteps));
}

double ConfigPanel::sliderToPercentile(int position) {
  const double nines =
      kSliderLowNines + (kSliderHighNines - kSliderLowNines) * position / double(kSliderSteps);
  // The tail 100 - p to three significant digits: 99.9, 99.99, 99.99899 …
  const double tail = 100.0 * std::pow(10.0, -nines);
  const double unit = std::pow(10.0, std::floor(std::log10(tail)) - 2);
  return 100.0 - std::round(tail / unit) * unit;
}

ConfigPanel::ConfigPanel(QWidget* parent)
    : QWidget(parent), format_(new QComboBox(this)), formatInfo_(new QLabel(this)), bits_(new QSpinBox(this)),
      symmetric_(new QComboBox(this)), granularity_(new QComboBox(this)), axis_(new QSpinBox(this)),
      groupSize_(new PowerOfTwoSpinBox(this)), clip_(new QComboBox(this)),
      percentile_(new TrimmedSpinBox(this)), percentileSlider_(new QSlider(Qt::Horizontal, this)),
      twoSided_(new QCheckBox(tr("Two-sided (P and 100−P of x)"), this)), fixedMin_(new TrimmedSpinBox(this)),
      fixedMax_(new TrimmedSpinBox(this)), hqq_(new HqqControls(this)), rounding_(new QComboBox(this)),
      seed_(new QSpinBox(this)), problems_(new QLabel(this)), scaleFormat_(new QComboBox(this)) {
  buildFormatCombo();
  formatInfo_->setWordWrap(true);
  formatInfo_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  // Room for three lines, so switching formats rarely relayouts the panel.
  formatInfo_->setMinimumHeight(3 * formatInfo_->fontMetrics().lineSpacing());
  formatInfo_->setStyleSheet(QStringLiteral("color: palette(mid);"));
  bits_->setRange(1, 32);
  bits_->setSuffix(tr(" bit"));
  bits_->setToolTip(tr("Bit width of the integer grid (int2 … int8); fixed by the format otherwise"));
  symmetric_->addItem(tr("Symmetric (zero point 0)"), true);
  symmetric_->addItem(tr("Asymmetric (zero point)"), false);
  symmetric_->setToolTip(
      tr("Symmetric: scale = amax / (2^(k−1) − 1). Asymmetric: PyTorch MinMaxObserver affine "
         "scheme with an integer zero point"));

  granularity_->addItem(tr("Format default"), -1);
  granularity_->addItem(tr("None (plain cast)"), int(GranularityKind::None));
  granularity_->addItem(tr("Per tensor"), int(GranularityKind::Tensor));
  granularity_->addItem(tr("Per channel"), int(GranularityKind::Channel));
  granularity_->addItem(tr("Per group"), int(GranularityKind::Group));
  granularity_->addItem(tr("Per token (row)"), int(GranularityKind::Token));
  granularity_->addItem(tr("Per block (R×C tile)"), int(GranularityKind::Block));
  granularity_->setToolTip(tr("Which values share one scale. Channel: one scale per output channel "
                              "(per index along the axis). Group: each output channel's row — all the "
                              "other axes flattened, [out, in·kh·kw] — cut into runs of group size. "
                              "Block: that [out, in·kh·kw] view cut into R×C tiles."));
  axis_->setRange(kAxisSpinAuto, 1);
  axis_->setSpecialValueText(tr("auto"));
  axis_->setToolTip(tr("The output-channel axis: channel scales along it; groups and blocks run along "
                       "every other axis. Auto: inferred from the file"));
  groupSize_->setRange(1, 1 << 20);
  groupSize_->setToolTip(tr("Elements per group (arrows step by powers of two)"));

  clip_->addItem(tr("Min / max"), int(ClipMethod::MinMax));
  clip_->addItem(tr("Percentile"), int(ClipMethod::Percentile));
  clip_->addItem(tr("MSE-optimal"), int(ClipMethod::Mse));
  clip_->addItem(tr("KL divergence (TensorRT)"), int(ClipMethod::Kl));
  clip_->addItem(tr("Fixed range"), int(ClipMethod::Fixed));
  clip_->addItem(tr("HQQ (fit scale and zero)"), int(ClipMethod::Hqq));
  clip_->setToolTip(tr("How the range the grid covers is chosen; values outside it are clipped"));
  percentile_->setRange(50.0, 100.0);
  percentile_->setDecimals(5);
  percentile_->setSingleStep(0.01);
  percentile_->setSuffix(QStringLiteral(" %"));
  percentile_->setKeyboardTracking(false);
  percentileSlider_->setRange(0, kSliderSteps);
  percentileSlider_->setToolTip(tr("Percentile on a 'nines' scale: 90 … 99.999"));
  for (QDoubleSpinBox* spin : {fixedMin_, fixedMax_}) {
    spin->setRange(-1e30, 1e30);
    spin->setDecimals(6);
    spin->setKeyboardTracking(false);
  }
  for (ScaleFormat f :
       {ScaleFormat::Fp32, ScaleFormat::Fp16, ScaleFormat::Bf16, ScaleFormat::E4m3, ScaleFormat::Ue8m0Ceil,
        ScaleFormat::Ue8m0Floor, ScaleFormat::Ue8m0Round, ScaleFormat::Int8Dq})
    scaleFormat_->addItem(f == ScaleFormat::Int8Dq ? tr("int8dq (bitsandbytes double quant)")
                                                   : QString::fromLatin1(toString(f)),
                          int(f));
  scaleFormat_->setToolTip(tr("How each fitted scale is stored; the elements use the stored scale. "
                              "ue8m0: a power of two (ceil never clips, floor may); int8dq: the scales "
                              "minus their mean in blocks of 256 on bitsandbytes' dynamic 8-bit map"));
  rounding_->addItem(tr("Nearest (ties to even)"), int(Rounding::Nearest));
  rounding_->addItem(tr("Stochastic"), int(Rounding::Stochastic));
  rotation_ = new QComboBox(this);
  rotation_->addItem(tr("None"), int(Rotation::None));
  rotation_->addItem(tr("Hadamard (randomized, seeded)"), int(Rotation::Hadamard));
  rotation_->setToolTip(tr("Quantize H·D·x/√b along the reduction axis (D: random signs from the seed; b: "
                           "the largest power of two dividing the row length) and rotate back: outliers "
                           "spread over their row. Metrics stay in the original basis."));
  seed_->setRange(0, std::numeric_limits<int>::max());
  seed_->setPrefix(tr("seed "));
  seed_->setKeyboardTracking(false);

  // Narrow docks: combos and spin boxes shrink instead of forcing a scroll bar.
  for (QComboBox* combo : {format_, symmetric_, granularity_, clip_, rounding_, rotation_, scaleFormat_}) {
    combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    combo->setMinimumContentsLength(8);
  }
  for (QAbstractSpinBox* spin : std::initializer_list<QAbstractSpinBox*>{bits_, groupSize_, percentile_,
                                                                         fixedMin_, fixedMax_, seed_}) {
    spin->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    spin->setMinimumWidth(64);
  }

  // Compact: the whole panel fits a 768 px high screen without scrolling.
  auto compactForm = [](QGroupBox* box) {
    auto* form = new QFormLayout(box);
    form->setContentsMargins(6, 2, 6, 4);
    form->setVerticalSpacing(3);
    return form;
  };
  auto* formatBox = new QGroupBox(tr("Format"), this);
  auto* formatForm = compactForm(formatBox);
  auto* formatRow = new QHBoxLayout;
  formatRow->addWidget(format_, 3);
  formatRow->addWidget(bits_, 1);
  formatForm->addRow(tr("Format"), formatRow);
  formatForm->addRow(formatInfo_);
  problems_->setWordWrap(true);
  problems_->setStyleSheet(QStringLiteral("color: #c0392b;"));
  problems_->hide();
  formatForm->addRow(problems_);
  auto* scaleBox = new QGroupBox(tr("Scale"), this);
  auto* scaleForm = compactForm(scaleBox);
  scaleForm->addRow(tr("Mode"), symmetric_);
  scaleForm->addRow(tr("Granularity"), granularity_);
  auto* axisRow = new QHBoxLayout;
  axisRow->addWidget(axis_);
  axisRow->addWidget(new QLabel(tr("group"), this));
  axisRow->addWidget(groupSize_, 1);
  scaleForm->addRow(tr("Axis"), axisRow);
  blockRow_ = buildBlockControls();
  scaleForm->addRow(tr("Block"), blockRow_);
  scaleForm_ = scaleForm;
  scaleForm->addRow(tr("Stored as"), scaleFormat_);
  auto* clipBox = new QGroupBox(tr("Clipping"), this);
  auto* clipForm = compactForm(clipBox);
  clipForm->addRow(tr("Method"), clip_);
  auto* percentileRow = new QHBoxLayout;
  percentileRow->addWidget(percentile_, 2);
  percentileRow->addWidget(percentileSlider_, 3);
  clipForm->addRow(tr("Percentile"), percentileRow);
  clipForm->addRow(twoSided_);
  auto* fixedRow = new QHBoxLayout;
  fixedRow->addWidget(fixedMin_);
  fixedRow->addWidget(new QLabel(QStringLiteral("…"), this));
  fixedRow->addWidget(fixedMax_);
  clipForm->addRow(tr("Range"), fixedRow);
  clipForm->addRow(tr("HQQ"), hqq_);
  clipForm_ = clipForm;
  auto* roundBox = new QGroupBox(tr("Rounding"), this);
  auto* roundForm = compactForm(roundBox);
  auto* roundRow = new QHBoxLayout;
  roundRow->addWidget(rounding_, 3);
  roundRow->addWidget(seed_, 2);
  roundForm->addRow(roundRow);
  roundForm->addRow(tr("Rotation"), rotation_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 2, 4, 2);
  layout->setSpacing(4);
  for (QGroupBox* box : {formatBox, scaleBox, clipBox, roundBox})
    layout->addWidget(box);
  layout->addStretch();

  // ---- edits
  connect(format_, &QComboBox::activated, this, [this](int index) {
    QuantConfig c = config_;
    c.format = format_->itemData(index).toString().toStdString();
    edit(c, tr("Format %1").arg(QString::fromStdString(c.format)));
  });
  connect(bits_, &QSpinBox::valueChanged, this, [this](int bits) {
    QuantConfig c = config_;
    const FormatInfo* info = integerFormat(bits);
    if (!info)
      return; // no integer format that wide: keep the current one
    c.format = info->name;
    edit(c, tr("Bits %1").arg(bits));
  });
  connect(symmetric_, &QComboBox::activated, this, [this](int index) {
    QuantConfig c = config_;
    c.symmetric = symmetric_->itemData(index).toBool();
    edit(c, c.symmetric ? tr("Symmetric") : tr("Asymmetric"));
  });
  connect(granularity_, &QComboBox::activated, this, [this](int index) {
    QuantConfig c = config_;
    const int kind = granularity_->itemData(index).toInt();
    if (kind < 0) {
      c.granularity.reset();
    } else {
      const bool wasGroup = c.granularity && c.granularity->kind == GranularityKind::Group;
      Granularity g = c.granularity.value_or(Granularity{});
      g.kind = static_cast<GranularityKind>(kind);
      // A new group starts at the format's usual size (128 for integers, 64 for NF4).
      if (g.kind == GranularityKind::Group && !wasGroup)
        if (const FormatInfo* info = lookup(c.format))
          g.groupSize = info->groupSize;
      c.granularity = g;
    }
    edit(c, tr("Granularity %1").arg(granularity_->itemText(index)));
  });
  connect(axis_, &QSpinBox::valueChanged, this, [this](int axis) {
    QuantConfig c = config_;
    if (!c.granularity) { // the format's default, with this axis (blocks: the rows they run along)
      const std::optional<Granularity> g = formatDefault(c);
      if (!g)
        return;
      c.granularity = g;
    }
    c.granularity->axis = axis == kAxisSpinAuto ? kAutoAxis : axis;
    edit(c, axis == kAxisSpinAuto ? tr("Axis auto") : tr("Axis %1").arg(axis));
  });
  connect(groupSize_, &QSpinBox::valueChanged, this, [this](int size) {
    if (!config_.granularity)
      return;
    QuantConfig c = config_;
    c.granularity->groupSize = size;
    edit(c, tr("Group size %1").arg(size));
  });
  for (QSpinBox* spin : {blockRows_, blockCols_})
    connect(spin, &QSpinBox::valueChanged, this, [this] {
      if (!config_.granularity)
        return;
      QuantConfig c = config_;
      c.granularity->blockRows = blockRows_->value();
      c.granularity->blockCols = blockCols_->value();
      edit(c, tr("Block %1×%2").arg(blockRows_->value()).arg(blockCols_->value()));
    });
  connect(clip_, &QComboBox::activated, this, [this](int index) {
    QuantConfig c = config_;
    c.clipping.method = static_cast<ClipMethod>(clip_->itemData(index).toInt());
    edit(c, tr("Clipping %1").arg(clip_->itemText(index)));
  });
  connect(percentile_, &QDoubleSpinBox::valueChanged, this, [this](double p) {
    QuantConfig c = config_;
    c.clipping.percentile = p;
    c.clipping.method = ClipMethod::Percentile;
    edit(c, tr("Percentile %1").arg(p));
  });
  connect(percentileSlider_, &QSlider::sliderPressed, this, [this] { dragKey_ = nextDragKey_++; });
  connect(percentileSlider_, &QSlider::sliderReleased, this, [this] { dragKey_ = 0; });
  connect(percentileSlider_, &QSlider::valueChanged, this, [this](int position) {
    QuantConfig c = config_;
    c.clipping.percentile = sliderToPercentile(position);
    c.clipping.method = ClipMethod::Percentile;
    edit(c, tr("Percentile %1").arg(c.clipping.percentile), dragKey_);
  });
  connect(twoSided_, &QCheckBox::toggled, this, [this](bool on) {
    QuantConfig c = config_;
    c.clipping.twoSided = on;
    edit(c, on ? tr("Two-sided percentile") : tr("One-sided percentile"));
  });
  connect(fixedMin_, &QDoubleSpinBox::valueChanged, this, [this](double v) {
    QuantConfig c = config_;
    c.clipping.fixedMin = v;
    edit(c, tr("Clip minimum %1").arg(v));
  });
  connect(fixedMax_, &QDoubleSpinBox::valueChanged, this, [this](double v) {
    QuantConfig c = config_;
    c.clipping.fixedMax = v;
    edit(c, tr("Clip maximum %1").arg(v));
  });
  connect(hqq_, &HqqControls::edited, this, [this](const QString& what) {
    QuantConfig c = config_;
    c.clipping = hqq_->applied(c.clipping);
    edit(c, what);
  });
  connect(rounding_, &QComboBox::activated, this, [this](int index) {
    QuantConfig c = config_;
    c.rounding = static_cast<Rounding>(rounding_->itemData(index).toInt());
    edit(c, tr("Rounding %1").arg(rounding_->itemText(index)));
  });
  connect(scaleFormat_, &QComboBox::activated, this, [this](int index) {
    QuantConfig c = config_;
    c.scaleFormat = static_cast<ScaleFormat>(scaleFormat_->itemData(index).toInt());
    edit(c, tr("Scales stored as %1").arg(QString::fromLatin1(toString(c.scaleFormat))));
  });
  connect(rotation_, &QComboBox::activated, this, [this](int index) {
    QuantConfig c = config_;
    c.rotation = static_cast<Rotation>(rotation_->itemData(index).toInt());
    edit(c, tr("Rotation %1").arg(rotation_->itemText(index)));
  });
  connect(seed_, &QSpinBox::valueChanged, this, [this](int seed) {
    QuantConfig c = config_;
    c.seed = static_cast<uint64_t>(seed);
    edit(c, tr("Seed %1").arg(seed));
  });
  for (QWidget* w : clippingWidgets())
    clipTips_.push_back(w->toolTip());
  showConfig();
}

std::vector<QWidget*> ConfigPanel::clippingWidgets() const {
  return {clip_, percentile_, percentileSlider_, twoSided_, fixedMin_, fixedMax_, hqq_};
}

void ConfigPanel::buildFormatCombo() {
  // One combo, grouped by family with unselectable bold headers.
  auto* model = new QStandardItemModel(format_);
  std::string lastFamily;
  for (const FormatInfo& info : allFormats()) {
    if (info.family != lastFamily) {
      auto* header = new QStandardItem(formatFamilyTitle(info.family));
      header->setFlags(Qt::NoItemFlags);
      QFont font = header->font();
      font.setBold(true);
      header->setFont(font);
      model->appendRow(header);
      lastFamily = info.family;
    }
    const QString name = QString::fromStdString(info.name);
    auto* item =
        new QStandardItem(QStringLiteral("   %1  (%2)").arg(QString::fromStdString(info.label), name));
    item->setData(name, Qt::UserRole);
    item->setToolTip(describeFormat(info));
    model->appendRow(item);
  }
  format_->setModel(model);
  format_->setMaxVisibleItems(24);
}

// "R × C": the tile of block granularity, each side stepping by powers of two.
QLayout* ConfigPanel::buildBlockControls() {
  blockRows_ = new PowerOfTwoSpinBox(this);
  blockCols_ = new PowerOfTwoSpinBox(this);
  for (QSpinBox* spin : {blockRows_, blockCols_}) {
    spin->setRange(1, 1 << 20);
    spin->setValue(128);
    spin->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    spin->setMinimumWidth(64);
  }
  blockRows_->setToolTip(tr("Tile rows R: output channels per tile (arrows step by powers of two)"));
  blockCols_->setToolTip(tr("Tile columns C: elements of the other axes, flattened, per tile"));
  auto* row = new QHBoxLayout;
  row->addWidget(blockRows_, 1);
  row->addWidget(new QLabel(QStringLiteral("×"), this));
  row->addWidget(blockCols_, 1);
  return row;
}

std::optional<Granularity> ConfigPanel::formatDefault(const QuantConfig& config) {
  try {
    return defaultGranularity(*makeKernel(config));
  } catch (const Error&) { // an unknown format or a refused codebook: the problem line says why
    return std::nullopt;
  }
}

void ConfigPanel::setTensorRank(int rank) {
  rank_ = std::max(1, rank);
  QSignalBlocker block(axis_);
  axis_->setRange(kAxisSpinAuto, rank_ - 1);
}

void ConfigPanel::setTensorShape(const std::optional<Shape>& shape, const AxisLayout& layout) {
  shape_ = shape;
  layout_ = layout;
  setTensorRank(shape ? int(shape->size()) : 2);
  axis_->setSpecialValueText(shape && shape->size() >= 2 ? tr("auto (%1)").arg(layout.outAxis) : tr("auto"));
  axis_->setToolTip(tr("The output-channel axis: channel scales along it; groups and blocks run along "
                       "every other axis, flattened. Auto: %1")
                        .arg(layout.reason.empty() ? tr("inferred from the file (PyTorch's [out, in, …] when "
                                                        "nothing says otherwise)")
                                                   : QString::fromStdString(layout.reason)));
  showProblems();
}

void ConfigPanel::showProblems() {
  const auto problems = shape_ ? configProblems(config_, *shape_) : configProblems(config_);
  QStringList lines;
  for (const ConfigProblem& p : problems)
    lines << QString::fromStdString(p.message());
  problems_->setText(lines.join(QLatin1Char('\n')));
  problems_->setVisible(!lines.isEmpty());
}

void ConfigPanel::setConfig(const QuantConfig& config) {
  config_ = config;
  showConfig();
}

void ConfigPanel::edit(const QuantConfig& config, const QString& text, int mergeKey) {
  if (config == config_)
    return;
  config_ = config;
  showConfig();
  emit configEdited(config_, text, mergeKey);
}

void ConfigPanel::showConfig() {
  const QuantConfig& c = config_;
  const QString name = QString::fromStdString(c.format);
  const FormatInfo* info = lookup(c.format);
  {
    QSignalBlocker blockRows(blockRows_), blockCols(blockCols_);
    QSignalBlocker b1(format_), b2(bits_), b3(symmetric_), b4(granularity_), b5(axis_), b6(groupSize_),
        b7(clip_), b8(percentile_), b9(percentileSlider_), b10(twoSided_), b11(fixedMin_), b12(fixedMax_),
        b13(rounding_), b14(seed_), b15(rotation_), b16(scaleFormat_);
    // An alias ("q4_k", "fp8") selects its entry's canonical name.
    int index = comboIndexOfData(format_, info ? QString::fromStdString(info->name) : name);
    if (index < 0) { // a name the catalog does not list (from JSON): show it anyway
      format_->addItem(name, name);
      index = format_->count() - 1;
    }
    format_->setCurrentIndex(index);
    setValueIfChanged(bits_, info ? info->bits : 0);
    formatInfo_->setText(info ? describeFormat(*info) : tr("Unknown format"));
    symmetric_->setCurrentIndex(c.symmetric ? 0 : 1);
    const int kind = c.granularity ? int(c.granularity->kind) : -1;
    granularity_->setCurrentIndex(comboIndexOfData(granularity_, kind));
    if (c.granularity) {
      int axis = c.granularity->axis;
      if (c.granularity->autoAxis())
        axis = kAxisSpinAuto;
      else if (axis < 0) // counted from the end
        axis += rank_;
      const int maxAxis = std::max(rank_ - 1, axis);
      if (axis_->maximum() != maxAxis)
        axis_->setRange(kAxisSpinAuto, maxAxis);
      setValueIfChanged(axis_, std::max(axis, int(kAxisSpinAuto)));
      setValueIfChanged(groupSize_, static_cast<int>(c.granularity->groupSize));
      setValueIfChanged(blockRows_, static_cast<int>(std::min<int64_t>(c.granularity->blockRows, 1 << 20)));
      setValueIfChanged(blockCols_, static_cast<int>(std::min<int64_t>(c.granularity->blockCols, 1 << 20)));
    } else {
      setValueIfChanged(axis_, int(kAxisSpinAuto));
      if (info)
        setValueIfChanged(groupSize_,
                          static_cast<int>(info->fixedBlock ? info->fixedBlock : info->groupSize));
    }
    clip_->setCurrentIndex(comboIndexOfData(clip_, int(c.clipping.method)));
    setValueIfChanged(percentile_, c.clipping.percentile);
    percentileSlider_->setValue(percentileToSlider(c.clipping.percentile));
    twoSided_->setChecked(c.clipping.twoSided);
    setValueIfChanged(fixedMin_, c.clipping.fixedMin);
    setValueIfChanged(fixedMax_, c.clipping.fixedMax);
    hqq_->display(c.clipping);
    rounding_->setCurrentIndex(comboIndexOfData(rounding_, int(c.rounding)));
    rotation_->setCurrentIndex(comboIndexOfData(rotation_, int(c.rotation)));
    scaleFormat_->setCurrentIndex(comboIndexOfData(scaleFormat_, int(c.scaleFormat)));
    setValueIfChanged(seed_, static_cast<int>(std::min<uint64_t>(c.seed, std::numeric_limits<int>::max())));
  }
  updateEnabled();
  showProblems();
}

void ConfigPanel::updateEnabled() {
  const QuantConfig& c = config_;
  const FormatInfo* info = lookup(c.format);
  const bool integer = info && info->family == "integer";
  const bool block = info && info->family == "block";
  bits_->setEnabled(integer);
  symmetric_->setEnabled(integer);
  granularity_->setEnabled(!block); // MX/GGUF blocks fix their own scale groups
  scaleFormat_->setEnabled(!block || c.scaleFormat != ScaleFormat::Fp32); // blocks store their own
  const bool hasGranularity = c.granularity && !block;
  const auto kind = hasGranularity ? c.granularity->kind : GranularityKind::Tensor;
  // Blocks keep an output-channel axis too: their rows run along the others.
  const std::optional<Granularity> fallback = c.granularity ? std::nullopt : formatDefault(c);
  const auto axisKind = fallback ? fallback->kind : kind;
  axis_->setEnabled(block || axisKind == GranularityKind::Channel || axisKind == GranularityKind::Group ||
                    axisKind == GranularityKind::Block);
  groupSize_->setEnabled(kind == GranularityKind::Group);
  blockRows_->setEnabled(kind == GranularityKind::Block);
  blockCols_->setEnabled(kind == GranularityKind::Block);
  // Clipping does nothing for block formats and plain casts: disabled, with the reason on hover.
  const QString noClip = clippingNotApplicable(c);
  const bool clips = noClip.isEmpty();
  const bool percentile = clips && c.clipping.method == ClipMethod::Percentile;
  const bool fixed = clips && c.clipping.method == ClipMethod::Fixed;
  clip_->setEnabled(clips);
  percentile_->setEnabled(percentile);
  percentileSlider_->setEnabled(percentile);
  twoSided_->setEnabled(percentile);
  fixedMin_->setEnabled(fixed);
  fixedMax_->setEnabled(fixed);
  hqq_->setEnabled(clips && c.clipping.method == ClipMethod::Hqq);
  clipForm_->setRowVisible(hqq_, c.clipping.method == ClipMethod::Hqq);
  scaleForm_->setRowVisible(blockRow_, kind == GranularityKind::Block);
  const std::vector<QWidget*> widgets = clippingWidgets();
  for (size_t i = 0; i < widgets.size(); ++i)
    widgets[i]->setToolTip(clips ? clipTips_[i] : noClip);
  seed_->setEnabled(c.rounding == Rounding::Stochastic || c.rotation != Rotation::None);
}

} // namespace qs
