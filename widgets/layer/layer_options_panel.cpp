#include "widgets/layer/layer_options_panel.h"

#include "widgets/document.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>

namespace qs {

namespace {

// Merge keys: consecutive edits of one of these controls are one undo step.
enum EditKey { kNoMerge = 0, kWeightFormat = 1, kGroupSize, kActFormat, kAlpha, kCalibFraction, kSeed };

QComboBox* makeFormatCombo(const QStringList& formats, QWidget* parent) {
  auto* combo = new QComboBox(parent);
  combo->setEditable(true);
  combo->addItems(formats);
  return combo;
}

// Setters skip equal values: an edit comes back through the Document while
// the user types or drags, and must not move the cursor or the slider.
template <class Widget, class Value> void showValue(Widget* widget, Value value) {
  if (widget->value() == value)
    return;
  QSignalBlocker block(widget);
  widget->setValue(value);
}

void showText(QComboBox* combo, const QString& text) {
  if (combo->currentText() == text)
    return;
  QSignalBlocker block(combo);
  if (combo->isEditable())
    combo->setEditText(text);
  else
    combo->setCurrentIndex(combo->findText(text));
}

void showChecked(QCheckBox* box, bool on) {
  QSignalBlocker block(box);
  box->setChecked(on);
}

} // namespace

LayerOptionsPanel::LayerOptionsPanel(Document* document, QWidget* parent)
    : QGroupBox(tr("Quantization"), parent), document_(document) {
  new QGridLayout(this);
  buildWeightRow(0);
  buildActivationRow(1);
  buildCalibrationRows(2);
  showSettings(document_->layerSettings());
  connectEdits();
  connect(document_, &Document::layerSettingsChanged, this, &LayerOptionsPanel::showSettings);
}

void LayerOptionsPanel::buildWeightRow(int row) {
  auto* grid = static_cast<QGridLayout*>(layout());
  weightFormat_ = makeFormatCombo({"int4", "int8", "int3", "int2", "nf4", "fp8_e4m3fn", "fp4_e2m1"}, this);
  granularity_ = new QComboBox(this);
  granularity_->addItems({"group", "channel", "tensor"});
  groupSize_ = new QSpinBox(this);
  groupSize_->setRange(1, 1 << 16);
  asymmetric_ = new QCheckBox(tr("asym"), this);
  grid->addWidget(new QLabel(tr("W"), this), row, 0);
  grid->addWidget(weightFormat_, row, 1);
  grid->addWidget(granularity_, row, 2);
  grid->addWidget(groupSize_, row, 3);
  grid->addWidget(asymmetric_, row, 4);
}

void LayerOptionsPanel::buildActivationRow(int row) {
  auto* grid = static_cast<QGridLayout*>(layout());
  actFormat_ = makeFormatCombo({"float", "int8", "int4", "fp8_e4m3fn", "fp8_e5m2"}, this);
  actMode_ = new QComboBox(this);
  for (ActMode m : {ActMode::Static, ActMode::DynamicTensor, ActMode::DynamicToken})
    actMode_->addItem(toString(m));
  actRange_ = new QComboBox(this);
  for (ActRange r :
       {ActRange::MinMax, ActRange::Percentile, ActRange::Mse, ActRange::Kl, ActRange::HistogramL2})
    actRange_->addItem(toString(r));
  actRange_->setToolTip(tr("Static range calibration on the calibration tokens (histogram-l2: PyTorch "
                           "HistogramObserver search)"));
  grid->addWidget(new QLabel(tr("X"), this), row, 0);
  grid->addWidget(actFormat_, row, 1);
  grid->addWidget(actMode_, row, 2);
  grid->addWidget(actRange_, row, 3);
}

void LayerOptionsPanel::buildCalibrationRows(int row) {
  auto* grid = static_cast<QGridLayout*>(layout());
  alpha_ = new QSlider(Qt::Horizontal, this);
  alpha_->setRange(0, 100);
  alpha_->setToolTip(tr("SmoothQuant migration strength: s_j = max|X_j|^α / max|W_j|^(1-α)"));
  alphaLabel_ = new QLabel(this);
  calibFraction_ = new QDoubleSpinBox(this);
  calibFraction_->setRange(0.05, 0.95);
  calibFraction_->setSingleStep(0.05);
  calibFraction_->setToolTip(
      tr("Share of the tokens used for calibration; the rest are held out for evaluation"));
  seed_ = new QSpinBox(this);
  seed_->setRange(0, 1 << 30);
  outlierRule_ = new QComboBox(this);
  outlierRule_->addItem(tr("absmax > 6 × median"));
  outlierRule_->addItem(tr("|x| > 6 (LLM.int8)"));
  outlierRule_->setToolTip(tr("Which input channels the absmax plot marks as outliers"));
  grid->addWidget(new QLabel(tr("SmoothQuant"), this), row, 0);
  grid->addWidget(alpha_, row, 1, 1, 2);
  grid->addWidget(alphaLabel_, row, 3);
  grid->addWidget(new QLabel(tr("Calibration"), this), row + 1, 0);
  grid->addWidget(calibFraction_, row + 1, 1);
  grid->addWidget(new QLabel(tr("seed"), this), row + 1, 2, Qt::AlignRight);
  grid->addWidget(seed_, row + 1, 3);
  // A row of its own keeps the grid narrow enough for the tab at 1366x768.
  grid->addWidget(new QLabel(tr("Outliers"), this), row + 2, 0);
  grid->addWidget(outlierRule_, row + 2, 1, 1, 2);
  auto* methods = new QHBoxLayout;
  const char* names[kLayerMethodCount] = {"RTN", "SmoothQuant", "AWQ", "GPTQ",
                                          "Hadamard"}; // LayerMethod order
  for (int i = 0; i < kLayerMethodCount; ++i) {
    methods_[i] = new QCheckBox(names[i], this);
    methods->addWidget(methods_[i]);
  }
  actOrder_ = new QCheckBox(tr("GPTQ act-order"), this);
  methods->addWidget(actOrder_);
  methods->addStretch();
  grid->addLayout(methods, row + 3, 0, 1, 5);
}

template <class Change> void LayerOptionsPanel::edit(const QString& text, int mergeKey, Change change) {
  LayerSettings s = document_->layerSettings();
  change(s);
  document_->editLayerSettings(s, text, mergeKey);
}

void LayerOptionsPanel::connectEdits() {
  connect(weightFormat_, &QComboBox::editTextChanged, this, [this](const QString& t) {
    edit(tr("Layer weight format"), kWeightFormat, [&](LayerSettings& s) { s.weightFormat = t; });
  });
  connect(granularity_, &QComboBox::currentTextChanged, this, [this](const QString& t) {
    edit(tr("Layer weight granularity"), kNoMerge,
         [&](LayerSettings& s) { s.weightGranularity = granularityKindFromString(t.toStdString()); });
  });
  connect(groupSize_, &QSpinBox::valueChanged, this, [this](int v) {
    edit(tr("Layer group size"), kGroupSize, [&](LayerSettings& s) { s.groupSize = v; });
  });
  connect(asymmetric_, &QCheckBox::toggled, this, [this](bool on) {
    edit(tr("Layer weight asymmetric"), kNoMerge, [&](LayerSettings& s) { s.weightAsymmetric = on; });
  });
  connect(actFormat_, &QComboBox::editTextChanged, this, [this](const QString& t) {
    edit(tr("Layer activation format"), kActFormat, [&](LayerSettings& s) { s.activationFormat = t; });
  });
  connect(actMode_, &QComboBox::currentTextChanged, this, [this](const QString& t) {
    edit(tr("Layer activation mode"), kNoMerge,
         [&](LayerSettings& s) { s.activationMode = actModeFromString(t.toStdString()); });
  });
  connect(actRange_, &QComboBox::currentTextChanged, this, [this](const QString& t) {
    edit(tr("Layer activation range"), kNoMerge,
         [&](LayerSettings& s) { s.activationRange = actRangeFromString(t.toStdString()); });
  });
  connect(alpha_, &QSlider::valueChanged, this, [this](int v) {
    edit(tr("SmoothQuant alpha"), kAlpha, [&](LayerSettings& s) { s.smoothAlphaPercent = v; });
  });
  connect(calibFraction_, &QDoubleSpinBox::valueChanged, this, [this](double v) {
    edit(tr("Calibration share"), kCalibFraction, [&](LayerSettings& s) { s.calibFraction = v; });
  });
  connect(seed_, &QSpinBox::valueChanged, this,
          [this](int v) { edit(tr("Layer seed"), kSeed, [&](LayerSettings& s) { s.seed = v; }); });
  connect(outlierRule_, &QComboBox::currentIndexChanged, this, [this](int i) {
    edit(tr("Outlier rule"), kNoMerge, [&](LayerSettings& s) {
      s.outlierRule = i == 1 ? OutlierRule::Absolute : OutlierRule::MedianRatio;
    });
  });
  for (int m = 0; m < kLayerMethodCount; ++m)
    connect(methods_[m], &QCheckBox::toggled, this, [this, m](bool on) {
      edit(tr("Layer methods"), kNoMerge, [&](LayerSettings& s) { s.methods[size_t(m)] = on; });
    });
  connect(actOrder_, &QCheckBox::toggled, this, [this](bool on) {
    edit(tr("GPTQ act-order"), kNoMerge, [&](LayerSettings& s) { s.gptqActOrder = on; });
  });
}

void LayerOptionsPanel::showSettings(const LayerSettings& s) {
  showText(weightFormat_, s.weightFormat);
  showText(granularity_, QString::fromLatin1(toString(s.weightGranularity)));
  showValue(groupSize_, s.groupSize);
  showChecked(asymmetric_, s.weightAsymmetric);
  showText(actFormat_, s.activationFormat);
  showText(actMode_, QString::fromLatin1(toString(s.activationMode)));
  showText(actRange_, QString::fromLatin1(toString(s.activationRange)));
  showValue(alpha_, s.smoothAlphaPercent);
  alphaLabel_->setText(tr("α %1").arg(s.smoothAlphaPercent / 100.0, 0, 'f', 2));
  showValue(calibFraction_, s.calibFraction);
  showValue(seed_, s.seed);
  QSignalBlocker blockRule(outlierRule_);
  outlierRule_->setCurrentIndex(s.outlierRule == OutlierRule::Absolute ? 1 : 0);
  for (int m = 0; m < kLayerMethodCount; ++m)
    showChecked(methods_[m], s.methods[size_t(m)]);
  showChecked(actOrder_, s.gptqActOrder);
}

} // namespace qs
