// The Document's importance matrix: read with its statistics off the GUI
// thread; a new one replaces the loaded one (not an undo step: it changes no
// config, only what the views can show beside it, and the selected tensor's
// importance: its entry makes the GGUF formats quantize as llama-quantize
// --imatrix does, so the tensor is read again to carry it).
#include "widgets/document.h"

namespace qs {

namespace {

struct ReadImatrix {
  std::shared_ptr<const Imatrix> imatrix;
  std::vector<ImatrixTensorStats> stats;
};

} // namespace

void Document::openImatrix(const QString& path) {
  JobHandlers<ReadImatrix> handlers;
  handlers.done = [this](ReadImatrix read) {
    imatrix_ = std::move(read.imatrix);
    imatrixStats_ = std::move(read.stats);
    emit imatrixChanged();
    if (tensor_ && tensorSource_ >= 0 && !tensorRead_.isBusy()) // a read in flight attaches it when done
      selectTensor(tensorSource_, tensorName_);
  };
  handlers.failed = [this, path](const QString& message) { emit imatrixFailed(path, message); };
  imatrixRead_.start<ReadImatrix>(
      [path](JobControl&) {
        auto imatrix = std::make_shared<const Imatrix>(readImatrix(path.toStdString()));
        std::vector<ImatrixTensorStats> stats = imatrixStatistics(*imatrix);
        return ReadImatrix{std::move(imatrix), std::move(stats)};
      },
      std::move(handlers));
}

} // namespace qs
