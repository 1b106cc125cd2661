#include "widgets/file_filters.h"

#include "core/io/reader_table.h"

#include <QObject>
#include <QStringList>

namespace qs {

QString tensorFileFilter() {
  QStringList patterns;
  for (const ReaderEntry& r : readerTable())
    for (const std::string& e : r.extensions)
      patterns << QStringLiteral("*") + QString::fromStdString(e);
  return QObject::tr("Tensor files (%1);;All files (*)").arg(patterns.join(QLatin1Char(' ')));
}

} // namespace qs
