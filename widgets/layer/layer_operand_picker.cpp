#include "widgets/layer/layer_operand_picker.h"

#include "core/layer/layer_source.h"
#include "widgets/document.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>

#include <algorithm>

namespace qs {

namespace {

// Item data of the combos: source index (-1 = demo layer) and entry name.
constexpr int kSourceRole = Qt::UserRole;
constexpr int kNameRole = Qt::UserRole + 1;

QComboBox* makeCombo(const QString& tip, QWidget* parent) {
  auto* combo = new QComboBox(parent);
  combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  combo->setMinimumContentsLength(18);
  combo->setToolTip(tip);
  return combo;
}

void addItem(QComboBox* combo, const QString& text, int source, const QString& name) {
  combo->addItem(text);
  combo->setItemData(combo->count() - 1, source, kSourceRole);
  combo->setItemData(combo->count() - 1, name, kNameRole);
}

int findItem(const QComboBox* combo, int source, const QString& name) {
  for (int i = 0; i < combo->count(); ++i)
    if (combo->itemData(i, kSourceRole).toInt() == source && combo->itemData(i, kNameRole).toString() == name)
      return i;
  return -1;
}

} // namespace

LayerOperandPicker::LayerOperandPicker(Document* document, QWidget* parent)
    : QGroupBox(tr("Layer Y = X W^T"), parent), document_(document) {
  auto* row = new QHBoxLayout(this); // one row: the plot tab is often narrow
  weight_ = makeCombo(tr("W [out, in] or a 1x1 convolution [out, in, 1, 1]"), this);
  input_ = makeCombo(tr("X [tokens, in], [B, S, in] (-> [B*S, in]) or [N, in, H, W] (-> [N*H*W, in])"), this);
  row->addWidget(new QLabel(tr("Weight W"), this));
  row->addWidget(weight_, 1);
  row->addWidget(new QLabel(tr("Input X"), this));
  row->addWidget(input_, 1);
  input_->setObjectName(QStringLiteral("inputX"));
  refill();
  connect(weight_, &QComboBox::currentIndexChanged, this, [this](int) { weightChosen(); });
  connect(input_, &QComboBox::currentIndexChanged, this, [this](int) { inputChosen(); });
  connect(document_, &Document::sourceAdded, this, [this](int) { refill(); });
  connect(document_, &Document::sourceRemoved, this, [this](int) { refill(); });
  connect(document_, &Document::layerSettingsChanged, this, &LayerOperandPicker::showSettings);
}

void LayerOperandPicker::refill() {
  QSignalBlocker blockWeight(weight_), blockInput(input_);
  weight_->clear();
  input_->clear();
  addItem(weight_, tr("Demo layer (synthetic, outlier channels)"), -1, QString());
  const auto& sources = document_->sources();
  for (int s = 0; s < int(sources.size()); ++s) {
    if (!sources[size_t(s)].source)
      continue;
    for (const TensorEntry& e : sources[size_t(s)].source->list()) {
      const QString name = QString::fromStdString(e.name);
      const QString text =
          sources[size_t(s)].label + ": " + name + " " + QString::fromStdString(shapeToString(e.shape));
      const Shape& sh = e.shape;
      if (sh.size() == 2 || (sh.size() == 4 && sh[2] == 1 && sh[3] == 1))
        addItem(weight_, text, s, name);
      if (sh.size() >= 2 && sh.size() <= 4)
        addItem(input_, text, s, name);
    }
  }
  showSettings(document_->layerSettings());
}

void LayerOperandPicker::showSettings(const LayerSettings& settings) {
  QSignalBlocker blockWeight(weight_), blockInput(input_);
  const int w = settings.usesDemoLayer()
                    ? 0
                    : findItem(weight_, document_->indexOfPath(settings.weightPath), settings.weightName);
  weight_->setCurrentIndex(std::max(w, 0)); // a closed file's weight: the demo layer
  // X as the settings name it, or nothing: never a tensor left over from
  // another file (a combo refilled on a source change selects its first item).
  const bool demo = weight_->currentIndex() == 0;
  const int x = demo ? -1 : findItem(input_, document_->indexOfPath(settings.inputPath), settings.inputName);
  input_->setPlaceholderText(demo ? tr("(the demo layer's own tokens)") : tr("(choose the input)"));
  input_->setCurrentIndex(x);
  input_->setEnabled(!demo);
}

QString LayerOperandPicker::pairedInput(int source, const QString& weight) const {
  const std::string w = weight.toStdString();
  for (const LayerPair& p : findLayerPairs(*document_->sources()[size_t(source)].source))
    if (p.weight == w)
      return QString::fromStdString(p.input);
  return {};
}

void LayerOperandPicker::weightChosen() {
  LayerSettings s = document_->layerSettings();
  const int source = weight_->currentData(kSourceRole).toInt();
  s.weightPath = source >= 0 ? document_->sources()[size_t(source)].path : QString();
  s.weightName = source >= 0 ? weight_->currentData(kNameRole).toString() : QString();
  // A file storing layers as <prefix>weight + <prefix>input: take the sibling.
  int x = input_->currentIndex();
  if (source >= 0) {
    const int paired = findItem(input_, source, pairedInput(source, s.weightName));
    x = paired >= 0 ? paired : x;
    for (int i = 0; x < 0 && i < input_->count(); ++i) // else another tensor of the weight's file
      if (input_->itemData(i, kSourceRole).toInt() == source &&
          input_->itemData(i, kNameRole).toString() != s.weightName)
        x = i;
  }
  if (x >= 0) {
    const int xs = input_->itemData(x, kSourceRole).toInt();
    s.inputPath = document_->sources()[size_t(xs)].path;
    s.inputName = input_->itemData(x, kNameRole).toString();
  } else if (source >= 0) { // nothing fits: the user chooses, no stale X
    s.inputPath.clear();
    s.inputName.clear();
  }
  document_->editLayerSettings(s, tr("Choose the layer's weight"));
  showSettings(document_->layerSettings()); // an unchanged choice still shows the settings
}

void LayerOperandPicker::inputChosen() {
  LayerSettings s = document_->layerSettings();
  const int x = input_->currentIndex();
  if (x < 0)
    return;
  s.inputPath = document_->sources()[size_t(input_->itemData(x, kSourceRole).toInt())].path;
  s.inputName = input_->itemData(x, kNameRole).toString();
  document_->editLayerSettings(s, tr("Choose the layer's input"));
}

bool LayerOperandPicker::select(const QString& weight, const QString& input) {
  if (weight.isEmpty()) {
    weight_->setCurrentIndex(0);
    return true;
  }
  const int wi = weight_->findData(weight, kNameRole);
  const int xi = input_->findData(input, kNameRole);
  if (wi < 0 || xi < 0)
    return false;
  weight_->setCurrentIndex(wi);
  input_->setCurrentIndex(xi);
  return true;
}

} // namespace qs
