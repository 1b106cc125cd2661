// The Document's layer workbench part: its undoable settings and the read of
// a layer's W and X (same worker, progress and Cancel as the selected tensor).
#include "widgets/document.h"
#include "widgets/undo_commands.h"

namespace qs {

void Document::editLayerSettings(const LayerSettings& settings, const QString& text, int mergeKey) {
  if (settings == layerSettings_)
    return;
  undoStack_.push(new LayerSettingsEditCommand(this, layerSettings_, settings, text, mergeKey));
}

void Document::applyLayerSettings(const LayerSettings& settings) {
  if (settings == layerSettings_)
    return;
  layerSettings_ = settings;
  emit layerSettingsChanged(layerSettings_);
}

void Document::readLayerOperands(int weightSource, const QString& weightName, int inputSource,
                                 const QString& inputName) {
  const int count = static_cast<int>(sources_.size());
  if (weightSource < 0 || weightSource >= count || inputSource < 0 || inputSource >= count) {
    layerRead_.discard();
    emit layerReadFailed(tr("The layer's file is not open"), false);
    return;
  }
  auto wSource = sources_[size_t(weightSource)].source;
  auto xSource = sources_[size_t(inputSource)].source;
  const TensorEntry* wEntry = wSource->find(weightName.toStdString());
  const TensorEntry* xEntry = xSource->find(inputName.toStdString());
  const quint64 wBytes = wEntry ? wEntry->bytes : 0, xBytes = xEntry ? xEntry->bytes : 0;
  // W's share of the bytes is the first part of the progress bar.
  const double wShare = wBytes + xBytes > 0 ? double(wBytes) / double(wBytes + xBytes) : 0.5;
  layerReadName_ = tr("%1 and %2").arg(weightName, inputName);
  JobHandlers<std::shared_ptr<const LayerTensors>> handlers;
  handlers.progress = [this](double fraction, const QString&) { emit loadProgress(fraction); };
  handlers.cancelled = [this] {
    emit loadCancelled(layerReadName_);
    emit layerReadFailed(tr("Cancelled"), true);
  };
  handlers.failed = [this](const QString& message) { emit layerReadFailed(message, false); };
  handlers.done = [this](std::shared_ptr<const LayerTensors> tensors) { emit layerOperandsRead(tensors); };
  layerRead_.start<std::shared_ptr<const LayerTensors>>(
      [wSource, xSource, weightName, inputName, wShare](JobControl& job) {
        auto out = std::make_shared<LayerTensors>();
        out->weightName = weightName;
        out->inputName = inputName;
        out->weight = wSource->readWithProgress(weightName.toStdString(), job.cancelFlag(),
                                                [&job, wShare](double f) { job.progress(f * wShare); });
        out->input =
            xSource->readWithProgress(inputName.toStdString(), job.cancelFlag(), [&job, wShare](double f) {
              job.progress(wShare + f * (1.0 - wShare));
            });
        return std::shared_ptr<const LayerTensors>(std::move(out));
      },
      std::move(handlers));
  emit loadStarted(layerReadName_, wBytes + xBytes);
}

void Document::cancelLayerRead() {
  if (!layerRead_.isBusy())
    return;
  layerRead_.discard(); // the user is told now, not when the worker notices
  emit loadCancelled(layerReadName_);
  emit layerReadFailed(tr("Cancelled"), true);
}

} // namespace qs
