#pragma once
// LayerOperandPicker: the weight W and input X combos of the layer workbench.
// It lists the 2-D (or 1x1 convolution) entries of every open source as
// weights and the 2-D to 4-D ones as inputs, shows the Document's layer
// settings and turns a choice into an undoable settings edit; choosing a
// weight that has a stored sibling input (fc1/weight + fc1/input) picks it too.
#include <QGroupBox>

class QComboBox;

namespace qs {

class Document;
struct LayerSettings;

class LayerOperandPicker : public QGroupBox {
  Q_OBJECT
public:
  explicit LayerOperandPicker(Document* document, QWidget* parent = nullptr);

  // Chooses operands by entry name (empty weight = the demo layer); false if not listed.
  bool select(const QString& weight, const QString& input);

private:
  void refill();
  void showSettings(const LayerSettings& settings);
  void weightChosen();
  void inputChosen();
  QString pairedInput(int source, const QString& weight) const;

  Document* document_;
  QComboBox* weight_ = nullptr;
  QComboBox* input_ = nullptr;
};

} // namespace qs
