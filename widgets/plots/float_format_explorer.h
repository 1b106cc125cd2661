#pragma once
// FloatFormatExplorer (teaching): type a number and see how FP32, TF32, FP16,
// BF16, FP8, FP6 and FP4 store it: the bits coloured as sign / exponent /
// mantissa, the value each keeps and the rounding error; below, each
// format's range and precision side by side.
#include "core/formats/float_format.h"
#include "widgets/result_view.h"

class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace qs {

class FloatFormatExplorer : public ResultView {
  Q_OBJECT
public:
  explicit FloatFormatExplorer(QWidget* parent = nullptr);
  QString title() const override { return tr("Float formats"); }
  QString tabTitle() const override { return tr("Floats"); }
  // Offers the current result's worst element as an example value.
  void setResult(std::shared_ptr<const QuantResult> result, std::shared_ptr<const Tensor> original) override;
  QList<QWidget*> exportables() override;

  void setValueText(const QString& text);
  QTableWidget* bitsTable() const { return bits_; }
  QTableWidget* rangeTable() const { return ranges_; }
  // The formats shown, top to bottom.
  static const std::vector<const FloatFormat*>& formats();
  // "0 0111 000": sign, exponent and mantissa fields of format.encode(x), MSB first.
  static QString bitString(const FloatFormat& format, float x);
  // The row of `bitsTable()` for a format name ("fp8_e4m3"), -1 if absent.
  int rowOf(const QString& formatName) const;

  enum Column { ColFormat, ColBits, ColStored, ColFormula, ColAbsError, ColRelError, ColNote, ColCount };

private:
  void recompute();
  void fillRanges();

  QLineEdit* input_ = nullptr;
  QLabel* status_ = nullptr;
  QPushButton* worst_ = nullptr;
  QTableWidget* bits_ = nullptr;
  QTableWidget* ranges_ = nullptr;
  float worstValue_ = 0;
};

} // namespace qs
