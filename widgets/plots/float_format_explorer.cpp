#include "widgets/plots/float_format_explorer.h"

#include "widgets/plots/plot_export.h"
#include "widgets/plots/plot_style.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace qs {

namespace {

// Field colours (light backgrounds so the digits stay readable in both themes' text colour).
const QColor kSign(240, 150, 150), kExponent(150, 200, 240), kMantissa(170, 225, 160);

struct Fields {
  uint32_t sign, exponent, mantissa;
};

Fields split(const FloatFormat& f, uint32_t code) {
  return {(code >> (f.exponentBits + f.mantissaBits)) & 1u,
          (code >> f.mantissaBits) & ((1u << f.exponentBits) - 1), code & ((1u << f.mantissaBits) - 1)};
}

QString bits(uint32_t value, int count) {
  QString s;
  for (int i = count - 1; i >= 0; --i)
    s += QLatin1Char(((value >> i) & 1u) ? '1' : '0');
  return s;
}

QString span(const QString& text, const QColor& bg) {
  return QStringLiteral("<span style=\"background-color:%1;color:#000\">&nbsp;%2&nbsp;</span>")
      .arg(bg.name(), text);
}

bool isSpecial(const FloatFormat& f, const Fields& x) {
  const uint32_t ones = (1u << f.exponentBits) - 1;
  switch (f.specials) {
  case FloatSpecials::Ieee:
    return x.exponent == ones;
  case FloatSpecials::FiniteNanOnes:
    return x.exponent == ones && x.mantissa == (1u << f.mantissaBits) - 1;
  case FloatSpecials::FiniteNanNegZero:
    return x.sign == 1 && x.exponent == 0 && x.mantissa == 0;
  case FloatSpecials::FiniteOnly:
    return false;
  }
  return false;
}

// "(−1)^0 × 2^(3 − 7) × 1.625": how the stored bits decode.
QString formula(const FloatFormat& f, uint32_t code, float stored) {
  const Fields x = split(f, code);
  if (isSpecial(f, x) || !std::isfinite(stored))
    return std::isnan(stored) ? QStringLiteral("NaN") : QStringLiteral("%1∞").arg(x.sign ? "−" : "+");
  const double frac = double(x.mantissa) / double(1u << f.mantissaBits);
  const QString sign = x.sign ? QStringLiteral("−") : QStringLiteral("+");
  if (x.exponent == 0)
    return QStringLiteral("%1 2^(1 − %2) × %3  (subnormal)").arg(sign).arg(f.bias).arg(frac, 0, 'g', 10);
  return QStringLiteral("%1 2^(%2 − %3) × %4")
      .arg(sign)
      .arg(x.exponent)
      .arg(f.bias)
      .arg(1.0 + frac, 0, 'g', 10);
}

QTableWidgetItem* cell(const QString& text, const QString& tip = {}) {
  auto* item = new QTableWidgetItem(text);
  item->setToolTip(tip);
  return item;
}

QString label(const FloatFormat& f) {
  if (f.name == "fp32")
    return QStringLiteral("FP32");
  if (f.name == "tf32")
    return QStringLiteral("TF32");
  if (f.name == "fp16")
    return QStringLiteral("FP16");
  if (f.name == "bf16")
    return QStringLiteral("BF16");
  QString name = QString::fromStdString(f.name).toUpper();
  name.replace(QLatin1Char('_'), QLatin1Char(' '));
  return name;
}

} // namespace

const std::vector<const FloatFormat*>& FloatFormatExplorer::formats() {
  static const std::vector<const FloatFormat*> list{&fp32Format(),    &tf32Format(),    &fp16Format(),
                                                    &bf16Format(),    &fp8E4M3Format(), &fp8E5M2Format(),
                                                    &fp6E3M2Format(), &fp6E2M3Format(), &fp4E2M1Format()};
  return list;
}

QString FloatFormatExplorer::bitString(const FloatFormat& f, float x) {
  const Fields v = split(f, f.encode(x));
  return QStringLiteral("%1 %2 %3")
      .arg(bits(v.sign, 1), bits(v.exponent, f.exponentBits), bits(v.mantissa, f.mantissaBits));
}

FloatFormatExplorer::FloatFormatExplorer(QWidget* parent) : ResultView(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);
  auto* row = new QHBoxLayout;
  row->addWidget(new QLabel(tr("Number:"), this));
  input_ = new QLineEdit(QStringLiteral("0.1"), this);
  input_->setToolTip(tr("Any decimal number, e.g. 0.1, -2.5, 448, 1e-8, inf or nan"));
  input_->setMaximumWidth(220);
  row->addWidget(input_);
  worst_ = new QPushButton(this);
  worst_->setToolTip(tr("Use the element with the largest quantization error of the current tensor"));
  worst_->setVisible(false);
  row->addWidget(worst_);
  status_ = new QLabel(this);
  row->addWidget(status_, 1);
  layout->addLayout(row);
  auto* legend = new QLabel(
      tr("Bits: %1 %2 %3 — stored value = sign × 2^(exponent − bias) × 1.mantissa; an all-zero exponent "
         "field "
         "means subnormal: 2^(1 − bias) × 0.mantissa.")
          .arg(span(tr("sign"), kSign), span(tr("exponent"), kExponent), span(tr("mantissa"), kMantissa)),
      this);
  legend->setWordWrap(true);
  layout->addWidget(legend);

  const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
  bits_ = new QTableWidget(int(formats().size()), ColCount, this);
  bits_->setObjectName(QStringLiteral("encodings"));
  bits_->setHorizontalHeaderLabels({tr("Format"), tr("Bits (sign exponent mantissa)"), tr("Stored value"),
                                    tr("Decoded as"), tr("Abs error"), tr("Rel error"), tr("Note")});
  bits_->horizontalHeaderItem(ColAbsError)->setToolTip(tr("stored − typed value"));
  bits_->horizontalHeaderItem(ColRelError)->setToolTip(tr("|stored − typed| / |typed|"));
  bits_->verticalHeader()->setVisible(false);
  bits_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  bits_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  bits_->horizontalHeader()->setStretchLastSection(true);
  for (int r = 0; r < bits_->rowCount(); ++r) {
    auto* bitLabel = new QLabel(bits_);
    bitLabel->setFont(mono);
    bitLabel->setTextFormat(Qt::RichText);
    bitLabel->setAutoFillBackground(true);
    bitLabel->setContentsMargins(4, 0, 4, 0);
    bits_->setCellWidget(r, ColBits, bitLabel);
  }

  ranges_ = new QTableWidget(int(formats().size()), 9, this);
  ranges_->setObjectName(QStringLiteral("ranges"));
  ranges_->setHorizontalHeaderLabels({tr("Format"), tr("Bits s/e/m"), tr("Bias"), tr("Max"), tr("Min normal"),
                                      tr("Min subnormal"), tr("Epsilon"), tr("Decimal digits"),
                                      tr("Inf / NaN")});
  ranges_->horizontalHeaderItem(6)->setToolTip(tr("2^−mantissa bits: the gap between 1 and the next value; "
                                                  "relative rounding error is at most half of it"));
  ranges_->horizontalHeaderItem(7)->setToolTip(
      tr("(mantissa bits + 1) × log10(2): significant decimal digits"));
  ranges_->verticalHeader()->setVisible(false);
  ranges_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  ranges_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  ranges_->horizontalHeader()->setStretchLastSection(true);
  plotexport::installExportMenu(bits_, tr("Float encodings"));
  plotexport::installExportMenu(ranges_, tr("Float ranges"));

  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(bits_);
  split->addWidget(ranges_);
  layout->addWidget(split, 1);

  connect(input_, &QLineEdit::textChanged, this, [this] { recompute(); });
  connect(worst_, &QPushButton::clicked, this,
          [this] { input_->setText(QString::number(double(worstValue_), 'g', 9)); });
  fillRanges();
  recompute();
}

QList<QWidget*> FloatFormatExplorer::exportables() {
  return {this, bits_, ranges_};
}

void FloatFormatExplorer::setValueText(const QString& text) {
  input_->setText(text);
}

void FloatFormatExplorer::setResult(std::shared_ptr<const QuantResult> result,
                                    std::shared_ptr<const Tensor>) {
  if (result && !result->topErrors.empty()) {
    worstValue_ = result->topErrors.front().original;
    worst_->setText(tr("Worst element: %1").arg(plotstyle::num(worstValue_, 6)));
    worst_->setVisible(true);
  } else {
    worst_->setVisible(false);
  }
}

int FloatFormatExplorer::rowOf(const QString& formatName) const {
  const auto& list = formats();
  for (size_t i = 0; i < list.size(); ++i)
    if (QString::fromStdString(list[i]->name) == formatName)
      return int(i);
  return -1;
}

void FloatFormatExplorer::recompute() {
  bool ok = false;
  const double typed = input_->text().trimmed().toDouble(&ok);
  if (!ok) {
    status_->setText(tr("not a number: type e.g. 0.1, -2.5, 448 or 1e-8"));
    for (int r = 0; r < bits_->rowCount(); ++r)
      for (int c = ColStored; c < ColCount; ++c)
        bits_->setItem(r, c, cell(QString()));
    return;
  }
  const float x = float(typed); // what a float32 tensor holds; every format encodes this
  status_->setText(x == typed || !std::isfinite(typed)
                       ? tr("float32 holds it exactly")
                       : tr("float32 already rounds it to %1").arg(double(x), 0, 'g', 10));
  const auto& list = formats();
  for (size_t i = 0; i < list.size(); ++i) {
    const FloatFormat& f = *list[i];
    const int r = int(i);
    const uint32_t code = f.encode(x);
    const float stored = f.decode(code);
    const Fields v = split(f, code);
    bits_->setItem(r, ColFormat, cell(label(f), QString::fromStdString(f.name)));
    bits_->setItem(r, ColBits, cell(bitString(f, x)));
    static_cast<QLabel*>(bits_->cellWidget(r, ColBits))
        ->setText(span(bits(v.sign, 1), kSign) + span(bits(v.exponent, f.exponentBits), kExponent) +
                  span(bits(v.mantissa, f.mantissaBits), kMantissa));
    bits_->setItem(r, ColStored, cell(QString::number(double(stored), 'g', 17)));
    bits_->setItem(r, ColFormula, cell(formula(f, code, stored)));
    const double err = double(stored) - typed;
    const bool finite = std::isfinite(err);
    bits_->setItem(r, ColAbsError, cell(finite ? QString::number(err, 'g', 4) : QStringLiteral("—")));
    bits_->setItem(
        r, ColRelError,
        cell(finite && typed != 0 ? QString::number(std::fabs(err / typed), 'g', 4) : QStringLiteral("—")));
    QString note;
    if (std::isnan(typed))
      note = std::isnan(stored) ? tr("NaN") : tr("no NaN in this format: stored as %1").arg(double(stored));
    else if (std::isinf(typed))
      note = std::isinf(stored) ? tr("infinity") : tr("no infinity: saturates to ±max");
    else if (std::fabs(typed) > f.maxValue())
      note = std::isfinite(stored) ? tr("overflow: saturated to ±max")
                                   : tr("overflow: becomes %1").arg(double(stored));
    else if (stored == 0 && x != 0)
      note = tr("underflow: rounds to zero");
    else if (v.exponent == 0 && v.mantissa != 0)
      note = tr("subnormal: fewer significant bits");
    else if (finite && err == 0)
      note = tr("exact");
    else
      note = tr("rounded to nearest (ties to even)");
    bits_->setItem(r, ColNote, cell(note));
  }
}

void FloatFormatExplorer::fillRanges() {
  const auto& list = formats();
  for (size_t i = 0; i < list.size(); ++i) {
    const FloatFormat& f = *list[i];
    const int r = int(i);
    const QString specials = f.specials == FloatSpecials::Ieee            ? tr("inf and NaN (IEEE)")
                             : f.specials == FloatSpecials::FiniteNanOnes ? tr("no inf; S.1111.111 is NaN")
                             : f.specials == FloatSpecials::FiniteNanNegZero
                                 ? tr("no inf, no −0; 0x80 is NaN")
                                 : tr("neither (finite only)");
    const QString cells[9] = {label(f),
                              QStringLiteral("1/%1/%2").arg(f.exponentBits).arg(f.mantissaBits),
                              QString::number(f.bias),
                              QString::number(f.maxValue(), 'g', 10),
                              QString::number(f.minNormal(), 'g', 10),
                              QString::number(f.minSubnormal(), 'g', 10),
                              QString::number(std::ldexp(1.0, -f.mantissaBits), 'g', 10),
                              QString::number(double(f.mantissaBits + 1) * std::log10(2.0), 'f', 2),
                              specials};
    const QString powers[9] = {{},
                               {},
                               {},
                               {},
                               QStringLiteral("2^%1").arg(1 - f.bias),
                               QStringLiteral("2^%1").arg(1 - f.bias - f.mantissaBits),
                               QStringLiteral("2^%1").arg(-f.mantissaBits),
                               {},
                               {}};
    for (int c = 0; c < 9; ++c)
      ranges_->setItem(r, c, cell(cells[c], powers[c]));
  }
}

} // namespace qs
