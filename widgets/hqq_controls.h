#pragma once
// The HQQ solver's settings in the config panel's Clipping box: iterations,
// the l_p norm and whether the scale is searched too (core/calib/hqq.h).
#include "core/calib/clipping.h"

#include <QWidget>

class QCheckBox;
class QDoubleSpinBox;
class QSpinBox;

namespace qs {

class HqqControls : public QWidget {
  Q_OBJECT
public:
  explicit HqqControls(QWidget* parent = nullptr);
  // Displays the clipping's HQQ settings without emitting edited().
  void display(const Clipping& clipping);
  // The clipping with this widget's settings put in.
  Clipping applied(Clipping clipping) const;

signals:
  void edited(const QString& what);

private:
  QSpinBox* iterations_;
  QDoubleSpinBox* p_;
  QCheckBox* scale_;
};

} // namespace qs
