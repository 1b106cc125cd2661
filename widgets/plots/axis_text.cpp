#include "widgets/plots/axis_text.h"

#include "core/axis_layout.h"

#include <QCoreApplication>
#include <QStringList>

namespace qs::axistext {

namespace {

QString tr(const char* text) {
  return QCoreApplication::translate("qs::axistext", text);
}

// The role names of the shape's axes under the view axis ("out", "in", "kh"), or empty.
QStringList roleNames(const QuantResult& r) {
  const QString names = QString::fromStdString(axisNames(r.shape, r.viewAxis));
  if (names.size() < 2)
    return {};
  return names.mid(1, names.size() - 2).split(QStringLiteral(", "));
}

bool tokenRows(const QuantResult& r) {
  return r.granularity.kind == GranularityKind::Token;
}

} // namespace

QString rows(const QuantResult& r) {
  if (r.shape.size() < 2)
    return tr("element");
  const QStringList names = roleNames(r);
  const QString where = names.isEmpty()
                            ? tr("axis %1").arg(r.viewAxis)
                            : tr("axis %1 of [%2]").arg(r.viewAxis).arg(names.join(QStringLiteral(", ")));
  return (tokenRows(r) ? tr("token row (%1)") : tr("output channel (%1)")).arg(where);
}

QString columns(const QuantResult& r) {
  if (r.shape.size() < 2)
    return tr("element");
  const QStringList names = roleNames(r);
  QStringList axes, roles;
  for (int i = 0; i < int(r.shape.size()); ++i)
    if (i != r.viewAxis) {
      axes << QString::number(i);
      if (!names.isEmpty())
        roles << names[i];
    }
  const QString what = roles.isEmpty() ? QString() : roles.join(QStringLiteral("·")) + QLatin1Char(' ');
  if (axes.size() == 1)
    return what + tr("(axis %1)").arg(axes.front());
  return what + tr("(axes %1 flattened)").arg(axes.join(QStringLiteral(", ")));
}

QString groups(const QuantResult& r) {
  if (r.shape.size() < 2)
    return tr("group");
  QStringList roles;
  const QStringList names = roleNames(r);
  for (int i = 0; i < int(names.size()); ++i)
    if (i != r.viewAxis)
      roles << names[i];
  return roles.isEmpty() ? tr("group along the row")
                         : tr("group along %1").arg(roles.join(QStringLiteral("·")));
}

} // namespace qs::axistext
