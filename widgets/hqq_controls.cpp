#include "widgets/hqq_controls.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QSpinBox>

namespace qs {

HqqControls::HqqControls(QWidget* parent)
    : QWidget(parent), iterations_(new QSpinBox(this)), p_(new QDoubleSpinBox(this)),
      scale_(new QCheckBox(tr("scale too"), this)) {
  iterations_->setRange(0, 1000);
  iterations_->setSuffix(tr(" it"));
  iterations_->setKeyboardTracking(false);
  iterations_->setToolTip(tr("HQQ solver steps at most; it stops at the first step that does not lower "
                             "the mean |error| of the whole tensor"));
  p_->setRange(0.05, 1.0);
  p_->setDecimals(2);
  p_->setSingleStep(0.05);
  p_->setPrefix(tr("p "));
  p_->setKeyboardTracking(false);
  p_->setToolTip(
      tr("The l_p norm HQQ minimises: p < 1 lets a few large errors be, to fit the many small ones"));
  scale_->setToolTip(tr("Search the scale too (HQQ's v2 solver: 129 shifts within ±5 % before the zero-point "
                        "updates); off: the zero point only, as the library's default"));
  for (QWidget* w : std::initializer_list<QWidget*>{iterations_, p_})
    w->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
  auto* row = new QHBoxLayout(this);
  row->setContentsMargins(0, 0, 0, 0);
  row->addWidget(iterations_, 2);
  row->addWidget(p_, 2);
  row->addWidget(scale_, 2);
  connect(iterations_, &QSpinBox::valueChanged, this,
          [this](int n) { emit edited(tr("HQQ iterations %1").arg(n)); });
  connect(p_, &QDoubleSpinBox::valueChanged, this, [this](double p) { emit edited(tr("HQQ p %1").arg(p)); });
  connect(scale_, &QCheckBox::toggled, this,
          [this](bool on) { emit edited(on ? tr("HQQ searches the scale") : tr("HQQ keeps the scale")); });
}

void HqqControls::display(const Clipping& clipping) {
  const QSignalBlocker b1(iterations_), b2(p_), b3(scale_);
  iterations_->setValue(clipping.hqqIterations);
  p_->setValue(clipping.hqqP);
  scale_->setChecked(clipping.hqqOptimizeScale);
}

Clipping HqqControls::applied(Clipping clipping) const {
  clipping.hqqIterations = iterations_->value();
  clipping.hqqP = p_->value();
  clipping.hqqOptimizeScale = scale_->isChecked();
  return clipping;
}

} // namespace qs
