#include "widgets/layer/layer_view.h"

#include "core/error.h"
#include "core/layer/layer_source.h"
#include "core/layer/synthetic_layer.h"
#include "widgets/document.h"
#include "widgets/plots/plot_style.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrent>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace qs {

namespace {

// Item data of the operand combos: source index (-1 = demo layer) and entry name.
constexpr int kSourceRole = Qt::UserRole;
constexpr int kNameRole = Qt::UserRole + 1;

QColor methodColor(LayerMethod m) {
  switch (m) {
  case LayerMethod::Rtn:
    return QColor(120, 120, 120);
  case LayerMethod::SmoothQuant:
    return QColor(40, 110, 200);
  case LayerMethod::Awq:
    return QColor(30, 150, 70);
  case LayerMethod::Gptq:
    return QColor(220, 120, 20);
  }
  return Qt::black;
}

QCustomPlot* makePlot(const QString& title, QWidget* parent) {
  auto* plot = new QCustomPlot(parent);
  plotstyle::applyBase(plot);
  plot->setMinimumSize(260, 200);
  plot->plotLayout()->insertRow(0);
  auto* t = new QCPTextElement(plot, title, QFont(plot->font().family(), 9, QFont::Bold));
  plot->plotLayout()->addElement(0, 0, t);
  plot->legend->setVisible(false);
  QFont lf = plot->font();
  lf.setPointSize(7);
  plot->legend->setFont(lf);
  plot->legend->setRowSpacing(0);
  plot->legend->setBrush(QColor(255, 255, 255, 190)); // data stays visible under the legend
  plotstyle::setEmptyMessage(plot, QObject::tr("Run the comparison"));
  return plot;
}

void resetPlot(QCustomPlot* plot) {
  plot->clearPlottables();
  plot->clearItems();
  plot->legend->clearItems();
  plot->yAxis->setScaleType(QCPAxis::stLinear);
  plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
}

void logY(QCustomPlot* plot) {
  plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
  plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
  plot->yAxis->setNumberFormat("eb");
  plot->yAxis->setNumberPrecision(0);
}

QCPGraph* addLine(QCustomPlot* plot, const QVector<double>& x, const QVector<double>& y, const QColor& color,
                  const QString& name, double width = 1.2) {
  QCPGraph* g = plot->addGraph();
  g->setData(x, y, true);
  g->setPen(QPen(color, width));
  g->setName(name);
  return g;
}

QString pct(double v) {
  return QString::number(100.0 * v, 'f', 3);
}

} // namespace

LayerView::LayerView(Document* document, QWidget* parent) : QWidget(parent), document_(document) {
  buildUi();
  refillOperands();
  connect(document_, &Document::sourceAdded, this, [this](int) { refillOperands(); });
  connect(document_, &Document::sourceRemoved, this, [this](int) { refillOperands(); });
  connect(&watcher_, &QFutureWatcher<Outcome>::finished, this, &LayerView::onFinished);
}

LayerView::~LayerView() {
  if (cancel_)
    cancel_->store(true);
  watcher_.waitForFinished();
}

void LayerView::buildUi() {
  auto* top = new QWidget(this);
  auto* topLayout = new QVBoxLayout(top);
  topLayout->setContentsMargins(4, 4, 4, 4);

  // Operands.
  auto* operands = new QGroupBox(tr("Layer Y = X W^T"), top);
  auto* of = new QHBoxLayout(operands); // one row: the plot tab is often narrow
  weightCombo_ = new QComboBox(operands);
  inputCombo_ = new QComboBox(operands);
  weightCombo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  inputCombo_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  weightCombo_->setToolTip(tr("W [out, in] or a 1x1 convolution [out, in, 1, 1]"));
  inputCombo_->setToolTip(tr("X [tokens, in], [B, S, in] (-> [B*S, in]) or [N, in, H, W] (-> [N*H*W, in])"));
  weightCombo_->setMinimumContentsLength(18);
  inputCombo_->setMinimumContentsLength(18);
  of->addWidget(new QLabel(tr("Weight W"), operands));
  of->addWidget(weightCombo_, 1);
  of->addWidget(new QLabel(tr("Input X"), operands));
  of->addWidget(inputCombo_, 1);
  connect(weightCombo_, &QComboBox::currentIndexChanged, this, [this](int) { weightChosen(); });

  // Formats and methods.
  auto* opts = new QGroupBox(tr("Quantization"), top);
  auto* grid = new QGridLayout(opts);
  wFormat_ = new QComboBox(opts);
  wFormat_->setEditable(true);
  wFormat_->addItems({"int4", "int8", "int3", "int2", "nf4", "fp8_e4m3fn", "fp4_e2m1"});
  wGranularity_ = new QComboBox(opts);
  wGranularity_->addItems({"group", "channel", "tensor"});
  groupSize_ = new QSpinBox(opts);
  groupSize_->setRange(1, 1 << 16);
  groupSize_->setValue(128);
  wAsym_ = new QCheckBox(tr("asym"), opts);
  aFormat_ = new QComboBox(opts);
  aFormat_->setEditable(true);
  aFormat_->addItems({"float", "int8", "int4", "fp8_e4m3fn", "fp8_e5m2"});
  aMode_ = new QComboBox(opts);
  for (ActMode m : {ActMode::Static, ActMode::DynamicTensor, ActMode::DynamicToken})
    aMode_->addItem(toString(m));
  aClip_ = new QComboBox(opts);
  for (ActRange r :
       {ActRange::MinMax, ActRange::Percentile, ActRange::Mse, ActRange::Kl, ActRange::HistogramL2})
    aClip_->addItem(toString(r));
  aClip_->setToolTip(tr("Static range calibration on the calibration tokens (histogram-l2: PyTorch "
                        "HistogramObserver search)"));
  alpha_ = new QSlider(Qt::Horizontal, opts);
  alpha_->setRange(0, 100);
  alpha_->setValue(50);
  alphaLabel_ = new QLabel(opts);
  auto updateAlpha = [this] { alphaLabel_->setText(tr("α %1").arg(alpha_->value() / 100.0, 0, 'f', 2)); };
  connect(alpha_, &QSlider::valueChanged, this, updateAlpha);
  updateAlpha();
  alpha_->setToolTip(tr("SmoothQuant migration strength: s_j = max|X_j|^α / max|W_j|^(1-α)"));
  calibFraction_ = new QDoubleSpinBox(opts);
  calibFraction_->setRange(0.05, 0.95);
  calibFraction_->setSingleStep(0.05);
  calibFraction_->setValue(0.5);
  calibFraction_->setToolTip(
      tr("Share of the tokens used for calibration; the rest are held out for evaluation"));
  seed_ = new QSpinBox(opts);
  seed_->setRange(0, 1 << 30);
  actOrder_ = new QCheckBox(tr("GPTQ act-order"), opts);
  outlierRule_ = new QComboBox(opts);
  outlierRule_->addItem(tr("outliers: absmax > 6 × median"));
  outlierRule_->addItem(tr("outliers: |x| > 6 (LLM.int8)"));
  outlierRule_->setToolTip(tr("Which input channels the absmax plot marks as outliers"));

  int row = 0;
  grid->addWidget(new QLabel(tr("W"), opts), row, 0);
  grid->addWidget(wFormat_, row, 1);
  grid->addWidget(wGranularity_, row, 2);
  grid->addWidget(groupSize_, row, 3);
  grid->addWidget(wAsym_, row, 4);
  ++row;
  grid->addWidget(new QLabel(tr("X"), opts), row, 0);
  grid->addWidget(aFormat_, row, 1);
  grid->addWidget(aMode_, row, 2);
  grid->addWidget(aClip_, row, 3);
  ++row;
  grid->addWidget(new QLabel(tr("SmoothQuant"), opts), row, 0);
  grid->addWidget(alpha_, row, 1, 1, 2);
  grid->addWidget(alphaLabel_, row, 3);
  ++row;
  grid->addWidget(new QLabel(tr("Calibration"), opts), row, 0);
  grid->addWidget(calibFraction_, row, 1);
  grid->addWidget(new QLabel(tr("seed"), opts), row, 2, Qt::AlignRight);
  grid->addWidget(seed_, row, 3);
  grid->addWidget(outlierRule_, row, 4);
  ++row;
  auto* methods = new QHBoxLayout;
  const char* names[4] = {"RTN", "SmoothQuant", "AWQ", "GPTQ"};
  for (int i = 0; i < 4; ++i) {
    methodBoxes_[i] = new QCheckBox(names[i], opts);
    methodBoxes_[i]->setChecked(true);
    methods->addWidget(methodBoxes_[i]);
  }
  methods->addWidget(actOrder_);
  methods->addStretch();
  grid->addLayout(methods, row, 0, 1, 5);

  auto* buttons = new QHBoxLayout;
  runButton_ = new QPushButton(tr("Compare"), top);
  cancelButton_ = new QPushButton(tr("Cancel"), top);
  cancelButton_->setEnabled(false);
  status_ = new QLabel(top);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  buttons->addWidget(runButton_);
  buttons->addWidget(cancelButton_);
  buttons->addWidget(status_, 1);
  connect(runButton_, &QPushButton::clicked, this, &LayerView::run);
  connect(cancelButton_, &QPushButton::clicked, this, &LayerView::cancel);

  summary_ = new QLabel(top);
  summary_->setWordWrap(true);
  summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  table_ = new QTableWidget(0, 9, top);
  table_->setHorizontalHeaderLabels({tr("Method"), tr("out MSE"), tr("SQNR dB"), tr("cosine"),
                                     tr("max |err|"), tr("W MSE"), tr("W SQNR dB"), tr("X clip %"),
                                     tr("ms")});
  const char* keys[9] = {"",    "mse",    "sqnrDb",          "cosine", "maxAbsError",
                         "mse", "sqnrDb", "clippedFraction", ""};
  for (int c = 0; c < 9; ++c)
    if (keys[c][0])
      table_->horizontalHeaderItem(c)->setToolTip(plotstyle::metricDefinition(keys[c]));
  table_->horizontalHeaderItem(1)->setToolTip(tr("Output Y vs the float output on held-out tokens. ") +
                                              plotstyle::metricDefinition("mse"));
  table_->horizontalHeaderItem(5)->setToolTip(tr("Effective weight Q(W s)/s vs W. ") +
                                              plotstyle::metricDefinition("mse"));
  table_->horizontalHeaderItem(7)->setToolTip(
      tr("Held-out activation values outside the static range calibrated on the calibration tokens"));
  table_->verticalHeader()->setVisible(false);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->setMinimumHeight(140);

  auto* upper = new QVBoxLayout;
  upper->addWidget(operands);
  upper->addWidget(opts);
  topLayout->addLayout(upper);
  topLayout->addLayout(buttons);
  topLayout->addWidget(summary_);
  topLayout->addWidget(table_, 1);

  auto* plots = new QWidget(this);
  auto* pg = new QGridLayout(plots);
  pg->setContentsMargins(0, 0, 0, 0);
  errorHist_ = makePlot(tr("Output error y_q − y (held-out)"), plots);
  channelError_ = makePlot(tr("Per-output-channel MSE"), plots);
  actAbsMax_ = makePlot(tr("Activation absmax per channel"), plots);
  tokenRange_ = makePlot(tr("Per-token range (held-out)"), plots);
  awqGrid_ = makePlot(tr("AWQ search: output MSE vs α"), plots);
  pg->addWidget(errorHist_, 0, 0);
  pg->addWidget(channelError_, 0, 1);
  pg->addWidget(actAbsMax_, 0, 2);
  pg->addWidget(tokenRange_, 1, 0);
  pg->addWidget(awqGrid_, 1, 1);

  auto* splitter = new QSplitter(Qt::Vertical, this);
  splitter->addWidget(top);
  splitter->addWidget(plots);
  splitter->setStretchFactor(0, 2);
  splitter->setStretchFactor(1, 3);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(splitter);
}

void LayerView::refillOperands() {
  const QString wName = weightCombo_->currentData(kNameRole).toString();
  const int wSource =
      weightCombo_->currentData(kSourceRole).isValid() ? weightCombo_->currentData(kSourceRole).toInt() : -2;
  const QString xName = inputCombo_->currentData(kNameRole).toString();
  QSignalBlocker b1(weightCombo_), b2(inputCombo_);
  weightCombo_->clear();
  inputCombo_->clear();
  weightCombo_->addItem(tr("Demo layer (synthetic, outlier channels)"));
  weightCombo_->setItemData(0, -1, kSourceRole);
  weightCombo_->setItemData(0, QString(), kNameRole);
  const auto& sources = document_->sources();
  for (int s = 0; s < int(sources.size()); ++s) {
    if (!sources[size_t(s)].source)
      continue;
    for (const TensorEntry& e : sources[size_t(s)].source->list()) {
      const QString name = QString::fromStdString(e.name);
      const QString text =
          sources[size_t(s)].label + ": " + name + " " + QString::fromStdString(shapeToString(e.shape));
      const Shape& sh = e.shape;
      const bool linear = sh.size() == 2 || (sh.size() == 4 && sh[2] == 1 && sh[3] == 1);
      if (linear) {
        weightCombo_->addItem(text);
        weightCombo_->setItemData(weightCombo_->count() - 1, s, kSourceRole);
        weightCombo_->setItemData(weightCombo_->count() - 1, name, kNameRole);
      }
      if (sh.size() >= 2 && sh.size() <= 4) {
        inputCombo_->addItem(text);
        inputCombo_->setItemData(inputCombo_->count() - 1, s, kSourceRole);
        inputCombo_->setItemData(inputCombo_->count() - 1, name, kNameRole);
      }
    }
  }
  // Keep the previous choice when it still exists.
  for (int i = 0; i < weightCombo_->count(); ++i)
    if (weightCombo_->itemData(i, kNameRole).toString() == wName &&
        weightCombo_->itemData(i, kSourceRole).toInt() == wSource)
      weightCombo_->setCurrentIndex(i);
  for (int i = 0; i < inputCombo_->count(); ++i)
    if (inputCombo_->itemData(i, kNameRole).toString() == xName)
      inputCombo_->setCurrentIndex(i);
  inputCombo_->setEnabled(weightCombo_->currentIndex() > 0);
}

void LayerView::weightChosen() {
  const int s = weightCombo_->currentData(kSourceRole).toInt();
  inputCombo_->setEnabled(s >= 0);
  if (s < 0)
    return;
  // A file storing layers as <prefix>weight + <prefix>input: pick the sibling.
  const auto& src = document_->sources()[size_t(s)].source;
  const std::string w = weightCombo_->currentData(kNameRole).toString().toStdString();
  for (const LayerPair& p : findLayerPairs(*src))
    if (p.weight == w)
      for (int i = 0; i < inputCombo_->count(); ++i)
        if (inputCombo_->itemData(i, kSourceRole).toInt() == s &&
            inputCombo_->itemData(i, kNameRole).toString().toStdString() == p.input)
          inputCombo_->setCurrentIndex(i);
}

bool LayerView::selectOperands(const QString& weight, const QString& input) {
  if (weight.isEmpty()) {
    weightCombo_->setCurrentIndex(0);
    return true;
  }
  const int wi = weightCombo_->findData(weight, kNameRole);
  const int xi = inputCombo_->findData(input, kNameRole);
  if (wi < 0 || xi < 0)
    return false;
  weightCombo_->setCurrentIndex(wi);
  inputCombo_->setCurrentIndex(xi);
  return true;
}

LayerOptions LayerView::options() const {
  LayerOptions o;
  o.weight.format = wFormat_->currentText().trimmed().toStdString();
  o.weight.symmetric = !wAsym_->isChecked();
  Granularity g;
  g.kind = granularityKindFromString(wGranularity_->currentText().toStdString());
  g.axis = g.kind == GranularityKind::Group ? 1 : 0;
  g.groupSize = groupSize_->value();
  o.weight.granularity = g;
  o.activation.format = aFormat_->currentText().trimmed().toStdString();
  o.activation.mode = actModeFromString(aMode_->currentText().toStdString());
  o.activation.range = actRangeFromString(aClip_->currentText().toStdString());
  o.smoothAlpha = alpha_->value() / 100.0;
  o.calibFraction = calibFraction_->value();
  o.seed = uint64_t(seed_->value());
  o.gptq.actOrder = actOrder_->isChecked();
  o.outlierRule = outlierRule_->currentIndex() == 1 ? OutlierRule::Absolute : OutlierRule::MedianRatio;
  o.methods.clear();
  const LayerMethod all[4] = {LayerMethod::Rtn, LayerMethod::SmoothQuant, LayerMethod::Awq,
                              LayerMethod::Gptq};
  for (int i = 0; i < 4; ++i)
    if (methodBoxes_[i]->isChecked())
      o.methods.push_back(all[i]);
  return o;
}

bool LayerView::isRunning() const {
  return watcher_.isRunning();
}

void LayerView::cancel() {
  if (cancel_)
    cancel_->store(true);
  rerun_ = false;
}

void LayerView::setStatus(const QString& text) {
  status_->setText(text);
}

void LayerView::run() {
  if (watcher_.isRunning()) {
    cancel_->store(true);
    rerun_ = true;
    return;
  }
  LayerOptions opts;
  try {
    opts = options();
  } catch (const Error& e) {
    setStatus(QString::fromUtf8(e.what()));
    emit finished(false, QString::fromUtf8(e.what()));
    return;
  }
  if (opts.methods.empty()) {
    setStatus(tr("Choose at least one method"));
    emit finished(false, status_->text());
    return;
  }
  const int ws = weightCombo_->currentData(kSourceRole).toInt();
  const int xs =
      inputCombo_->currentData(kSourceRole).isValid() ? inputCombo_->currentData(kSourceRole).toInt() : -1;
  std::shared_ptr<const TensorSource> wSource, xSource;
  const std::string wName = weightCombo_->currentData(kNameRole).toString().toStdString();
  const std::string xName = inputCombo_->currentData(kNameRole).toString().toStdString();
  if (ws >= 0) {
    if (xs < 0) {
      setStatus(tr("Choose the input activations X"));
      emit finished(false, status_->text());
      return;
    }
    wSource = document_->sources()[size_t(ws)].source;
    xSource = document_->sources()[size_t(xs)].source;
  }
  cancel_ = std::make_shared<std::atomic<bool>>(false);
  runButton_->setEnabled(true);
  cancelButton_->setEnabled(true);
  setStatus(tr("Reading the layer…"));
  QPointer<LayerView> self(this);
  auto cancel = cancel_;
  watcher_.setFuture(QtConcurrent::run([=]() -> Outcome {
    Outcome out;
    try {
      Tensor weight, tokens;
      if (!wSource) {
        SyntheticLayer L = makeSyntheticLayer(SyntheticLayerSpec{});
        weight = std::move(L.weight);
        FlatActivations f = flattenActivations(L.input, weight.shape[1], ActivationLayout::Tokens);
        tokens = std::move(f.tokens);
        out.how = QString::fromStdString(f.how);
        out.source = QObject::tr("demo layer");
      } else {
        LayerOperands ops =
            loadLayerOperands(*wSource, wName, *xSource, xName, ActivationLayout::Auto, cancel.get());
        weight = std::move(ops.weight);
        tokens = std::move(ops.input.tokens);
        out.how = QString::fromStdString(ops.input.how);
        out.source = QString::fromStdString(wName + " × " + xName);
      }
      auto progress = [self](int step, int steps, const std::string& what) {
        const QString text =
            QObject::tr("Running %1 (%2 of %3)…").arg(QString::fromStdString(what)).arg(step + 1).arg(steps);
        QMetaObject::invokeMethod(
            self.data(),
            [self, text] {
              if (self)
                self->setStatus(text);
            },
            Qt::QueuedConnection);
      };
      out.report = std::make_shared<const LayerReport>(
          runLayerComparison(weight, tokens, opts, cancel.get(), progress));
    } catch (const Cancelled&) {
      out.cancelled = true;
    } catch (const std::exception& e) {
      out.error = QString::fromUtf8(e.what());
    }
    return out;
  }));
}

void LayerView::onFinished() {
  cancelButton_->setEnabled(false);
  const Outcome out = watcher_.result();
  if (rerun_) {
    rerun_ = false;
    run();
    return;
  }
  if (out.cancelled) {
    setStatus(tr("Cancelled"));
    emit finished(false, status_->text());
    return;
  }
  if (!out.error.isEmpty()) {
    setStatus(tr("Error: %1").arg(out.error));
    emit finished(false, out.error);
    return;
  }
  report_ = out.report;
  how_ = out.how;
  source_ = out.source;
  setStatus(tr("Done in %1 s").arg(report_->totalMs / 1000.0, 0, 'f', 2));
  showReport();
  emit finished(true, QString());
}

void LayerView::showReport() {
  const LayerReport& r = *report_;
  QString outliers;
  for (size_t i = 0; i < r.calibration.outlierChannels.size() && i < 10; ++i)
    outliers += (i ? ", " : "") + QString::number(r.calibration.outlierChannels[i]);
  if (r.calibration.outlierChannels.size() > 10)
    outliers += ", …";
  summary_->setText(tr("<b>%1</b>: W [%2, %3], X %4<br>%5 calibration / %6 held-out tokens · weights %7 · "
                       "activations %8 · outlier channels: %9")
                        .arg(source_.toHtmlEscaped())
                        .arg(r.outFeatures)
                        .arg(r.inFeatures)
                        .arg(how_.toHtmlEscaped())
                        .arg(r.calibrationTokens)
                        .arg(r.evaluationTokens)
                        .arg(QString::fromStdString(r.weightLabel).toHtmlEscaped())
                        .arg(QString::fromStdString(r.activationLabel).toHtmlEscaped())
                        .arg(outliers.isEmpty() ? tr("none") : outliers));
  fillTable();
  plotErrorHistogram();
  plotChannelError();
  plotActivationAbsMax();
  plotTokenRange();
  plotAwqGrid();
}

void LayerView::fillTable() {
  const LayerReport& r = *report_;
  table_->setRowCount(int(r.methods.size()));
  double best = -1e300;
  for (const auto& m : r.methods)
    if (m.error.empty())
      best = std::max(best, m.output.sqnrDb);
  for (int i = 0; i < int(r.methods.size()); ++i) {
    const LayerMethodResult& m = r.methods[size_t(i)];
    if (!m.error.empty()) {
      auto* name = new QTableWidgetItem(QString::fromStdString(m.label));
      name->setForeground(methodColor(m.method));
      table_->setItem(i, 0, name);
      auto* err = new QTableWidgetItem(tr("cannot run: %1").arg(QString::fromStdString(m.error)));
      err->setToolTip(err->text());
      table_->setItem(i, 1, err);
      table_->setSpan(i, 1, 1, 8);
      continue;
    }
    table_->setSpan(i, 1, 1, 1);
    const QString cells[9] = {QString::fromStdString(m.label),
                              plotstyle::num(m.output.mse),
                              QString::number(m.output.sqnrDb, 'f', 2),
                              QString::number(m.output.cosine, 'f', 6),
                              plotstyle::num(m.output.maxAbsError),
                              plotstyle::num(m.weight.mse),
                              QString::number(m.weight.sqnrDb, 'f', 2),
                              m.actCount ? pct(double(m.actClipped) / double(m.actCount)) : QString("–"),
                              QString::number(m.ms, 'f', 0)};
    for (int c = 0; c < 9; ++c) {
      auto* item = new QTableWidgetItem(cells[c]);
      if (c > 0)
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      if (c == 0)
        item->setForeground(methodColor(m.method));
      if (c == 2 && m.output.sqnrDb == best) {
        QFont f = item->font();
        f.setBold(true);
        item->setFont(f);
      }
      table_->setItem(i, c, item);
    }
  }
}

void LayerView::plotErrorHistogram() {
  QCustomPlot* p = errorHist_;
  resetPlot(p);
  plotstyle::setEmptyMessage(p, {});
  for (const auto& m : report_->methods) {
    if (!m.error.empty())
      continue;
    const Histogram& h = m.outputError;
    QVector<double> x, y;
    const double w = h.binWidth();
    double total = 0;
    for (double c : h.counts)
      total += c;
    for (size_t b = 0; b < h.counts.size(); ++b) {
      x.push_back(h.lo + (double(b) + 0.5) * w);
      y.push_back(total > 0 ? h.counts[b] / total : 0.0);
    }
    QCPGraph* g = addLine(p, x, y, methodColor(m.method), QString::fromStdString(m.label));
    g->setLineStyle(QCPGraph::lsStepCenter);
  }
  logY(p);
  p->xAxis->setLabel(tr("error"));
  p->yAxis->setLabel(tr("share of outputs"));
  p->legend->setVisible(true);
  p->rescaleAxes();
  p->yAxis->setRangeLower(std::max(p->yAxis->range().lower, 1e-7));
  p->replot();
}

void LayerView::plotChannelError() {
  QCustomPlot* p = channelError_;
  resetPlot(p);
  plotstyle::setEmptyMessage(p, {});
  for (const auto& m : report_->methods) {
    if (!m.error.empty())
      continue;
    QVector<double> x, y;
    for (size_t o = 0; o < m.channelMse.size(); ++o) {
      x.push_back(double(o));
      y.push_back(std::max(double(m.channelMse[o]), 1e-30));
    }
    addLine(p, x, y, methodColor(m.method), QString::fromStdString(m.label), 1.0);
  }
  logY(p);
  p->xAxis->setLabel(tr("output channel"));
  p->yAxis->setLabel(tr("MSE"));
  p->legend->setVisible(true);
  p->rescaleAxes();
  p->replot();
}

void LayerView::plotActivationAbsMax() {
  QCustomPlot* p = actAbsMax_;
  resetPlot(p);
  plotstyle::setEmptyMessage(p, {});
  const LayerReport& r = *report_;
  const auto& before = r.calibration.channelAbsMax;
  QVector<double> x, y;
  for (size_t j = 0; j < before.size(); ++j) {
    x.push_back(double(j));
    y.push_back(std::max(double(before[j]), 1e-12));
  }
  QCPGraph* g = addLine(p, x, y, QColor(90, 90, 90), tr("before (X)"), 1.0);
  g->setLineStyle(QCPGraph::lsImpulse);
  for (const auto& m : r.methods) {
    if (m.method != LayerMethod::SmoothQuant && m.method != LayerMethod::Awq)
      continue;
    if (m.smoothedAbsMax.empty())
      continue;
    QVector<double> ya;
    for (float v : m.smoothedAbsMax)
      ya.push_back(std::max(double(v), 1e-12));
    QColor c = methodColor(m.method);
    c.setAlpha(170);
    addLine(p, x, ya, c, tr("after %1 (X / s)").arg(QString::fromStdString(m.label)), 1.0);
  }
  QVector<double> ox, oy;
  for (int64_t j : r.calibration.outlierChannels) {
    ox.push_back(double(j));
    oy.push_back(std::max(double(before[size_t(j)]), 1e-12));
  }
  QCPGraph* o = addLine(p, ox, oy, plotstyle::outlier(), tr("outlier channels"));
  o->setLineStyle(QCPGraph::lsNone);
  o->setScatterStyle(
      QCPScatterStyle(QCPScatterStyle::ssCircle, plotstyle::outlier(), plotstyle::outlier(), 6));
  logY(p);
  p->xAxis->setLabel(tr("input channel"));
  p->yAxis->setLabel(tr("max |x|"));
  p->legend->setVisible(true);
  p->rescaleAxes();
  p->yAxis->setRangeUpper(p->yAxis->range().upper * 3.0); // room for the outlier markers
  p->replot();
}

void LayerView::plotTokenRange() {
  QCustomPlot* p = tokenRange_;
  resetPlot(p);
  plotstyle::setEmptyMessage(p, {});
  const LayerReport& r = *report_;
  QVector<double> x, lo, hi;
  for (size_t t = 0; t < r.tokenMin.size(); ++t) {
    x.push_back(double(t));
    lo.push_back(r.tokenMin[t]);
    hi.push_back(r.tokenMax[t]);
  }
  QCPGraph* gh = addLine(p, x, hi, plotstyle::original(), tr("max"), 1.0);
  QCPGraph* gl = addLine(p, x, lo, plotstyle::original().lighter(130), tr("min"), 1.0);
  gh->setBrush(QColor(70, 110, 160, 60));
  gh->setChannelFillGraph(gl);
  for (const auto& m : r.methods)
    if (m.actHi > m.actLo) { // the static range every token is clipped to
      addLine(p, {0.0, double(x.size())}, {m.actHi, m.actHi}, plotstyle::clip(), tr("static range (RTN)"),
              1.0)
          ->setPen(QPen(plotstyle::clip(), 1.0, Qt::DashLine));
      addLine(p, {0.0, double(x.size())}, {m.actLo, m.actLo}, plotstyle::clip(), QString(), 1.0)
          ->setPen(QPen(plotstyle::clip(), 1.0, Qt::DashLine));
      p->legend->removeItem(p->legend->itemCount() - 1);
      break;
    }
  p->xAxis->setLabel(tr("held-out token"));
  p->yAxis->setLabel(tr("value"));
  p->legend->setVisible(true);
  p->rescaleAxes();
  p->yAxis->scaleRange(1.1);
  p->replot();
}

void LayerView::plotAwqGrid() {
  QCustomPlot* p = awqGrid_;
  resetPlot(p);
  const LayerMethodResult* awq = nullptr;
  for (const auto& m : report_->methods)
    if (m.method == LayerMethod::Awq && m.error.empty())
      awq = &m;
  if (!awq) {
    plotstyle::setEmptyMessage(p, tr("AWQ not run"));
    p->replot();
    return;
  }
  plotstyle::setEmptyMessage(p, {});
  QVector<double> x(awq->gridAlpha.begin(), awq->gridAlpha.end()),
      y(awq->gridLoss.begin(), awq->gridLoss.end());
  QCPGraph* g = addLine(p, x, y, methodColor(LayerMethod::Awq), tr("output MSE"));
  g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
  const auto best = std::min_element(y.begin(), y.end());
  QCPGraph* b = addLine(p, {x[int(best - y.begin())]}, {*best}, plotstyle::error(), tr("chosen α"));
  b->setLineStyle(QCPGraph::lsNone);
  b->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, plotstyle::error(), 9));
  p->xAxis->setLabel(tr("α"));
  p->yAxis->setLabel(tr("MSE"));
  p->legend->setVisible(true);
  p->rescaleAxes();
  p->xAxis->scaleRange(1.06);
  p->yAxis->scaleRange(1.12);
  p->replot();
}

QList<QWidget*> LayerView::exportables() const {
  return {errorHist_, channelError_, actAbsMax_, tokenRange_, awqGrid_};
}

} // namespace qs
