#include "widgets/format_family.h"

#include <QObject>

namespace qs {

QString formatFamilyTitle(const std::string& family) {
  if (family == "float")
    return QObject::tr("Floating point");
  if (family == "integer")
    return QObject::tr("Integer");
  if (family == "codebook")
    return QObject::tr("Codebook (non-uniform levels)");
  if (family == "block")
    return QObject::tr("Block (MX, GGUF)");
  return QString::fromStdString(family);
}

} // namespace qs
