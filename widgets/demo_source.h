#pragma once
// The generated demo tensors as a TensorSource, so the browser lists them
// like a file and the workbench opens on something useful with no file.
#include "core/io/tensor_source.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace qs {

std::shared_ptr<const TensorSource> makeDemoSource();
QStringList demoTensorNames();
QString defaultDemoTensor(); // the LLM-like weight with outlier channels

} // namespace qs
