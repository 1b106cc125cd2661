#pragma once
// File dialog filters built from the core's tables, so a dialog offers
// exactly what the core opens.
#include <QString>

namespace qs {

// "Tensor files (*.npy *.npz ...);;All files (*)": every extension of the
// reader table (core/io/reader_table.h).
QString tensorFileFilter();

} // namespace qs
