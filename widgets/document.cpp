#include "widgets/document.h"

#include "core/error.h"
#include "core/io/model_source.h"
#include "core/model/tensor_importance.h"
#include "widgets/plots/plot_style.h"
#include "widgets/undo_commands.h"

#include <QFileInfo>

namespace qs {

Document::Document(QObject* parent) : QObject(parent) {
  qRegisterMetaType<QuantConfig>();
  qRegisterMetaType<LayerSettings>();
  qRegisterMetaType<std::shared_ptr<const Tensor>>();
  qRegisterMetaType<std::shared_ptr<const LayerTensors>>();
}

Document::~Document() = default; // the jobs cancel and wait for their workers

void Document::waitForWorkers() {
  opens_.waitForDone();
  tensorRead_.waitForDone();
  layerRead_.waitForDone();
  imatrixRead_.waitForDone();
}

void Document::openFile(const QString& path) {
  JobHandlers<std::shared_ptr<const TensorSource>> handlers;
  handlers.done = [this, path](std::shared_ptr<const TensorSource> source) {
    addSource(std::move(source), QFileInfo(path).fileName(), QFileInfo(path).absoluteFilePath());
  };
  handlers.failed = [this, path](const QString& message) { emit openFailed(path, message); };
  opens_.start<std::shared_ptr<const TensorSource>>(
      [path](JobControl&) { return openTensorFile(path.toStdString()); }, std::move(handlers));
}

void Document::openModel(const QStringList& paths) {
  if (paths.isEmpty())
    return;
  // A folder is named by itself, files by the first of them.
  const QFileInfo first(paths.front());
  const QString path = first.absoluteFilePath();
  const QString label =
      paths.size() == 1 ? first.fileName() : tr("%1 + %2 files").arg(first.fileName()).arg(paths.size() - 1);
  std::vector<std::filesystem::path> files;
  for (const QString& p : paths)
    files.emplace_back(p.toStdString());
  JobHandlers<std::shared_ptr<const TensorSource>> handlers;
  handlers.done = [this, path, label](std::shared_ptr<const TensorSource> source) {
    addSource(std::move(source), label, path, true);
  };
  handlers.failed = [this, path](const QString& message) { emit openFailed(path, message); };
  opens_.start<std::shared_ptr<const TensorSource>>(
      [files = std::move(files)](JobControl&) {
        return std::shared_ptr<const TensorSource>(qs::openModel(files));
      },
      std::move(handlers));
}

int Document::addSource(std::shared_ptr<const TensorSource> source, const QString& label, const QString& path,
                        bool model) {
  sources_.push_back({path, label, std::move(source), model});
  const int index = static_cast<int>(sources_.size()) - 1;
  emit sourceAdded(index);
  return index;
}

void Document::closeSource(int index) {
  if (index < 0 || index >= static_cast<int>(sources_.size()))
    return;
  // A read in flight refers to the source by index, which is about to shift.
  cancelTensorRead();
  sources_.erase(sources_.begin() + index);
  if (tensorSource_ == index) {
    tensorSource_ = -1;
    tensorName_.clear();
    tensor_.reset();
    emit tensorChanged(nullptr);
  } else if (tensorSource_ > index) {
    --tensorSource_;
  }
  emit sourceRemoved(index);
}

int Document::indexOfPath(const QString& path) const {
  const QString wanted = path.startsWith(QLatin1String("demo:")) ? path : QFileInfo(path).absoluteFilePath();
  for (size_t i = 0; i < sources_.size(); ++i)
    if (sources_[i].path == wanted)
      return static_cast<int>(i);
  return -1;
}

void Document::selectTensor(int sourceIndex, const QString& name) {
  if (sourceIndex < 0 || sourceIndex >= static_cast<int>(sources_.size()))
    return;
  auto source = sources_[sourceIndex].source;
  const std::string stdName = name.toStdString();
  const TensorEntry* entry = source->find(stdName);
  loadingName_ = name;
  JobHandlers<std::shared_ptr<Tensor>> handlers;
  handlers.progress = [this](double fraction, const QString&) { emit loadProgress(fraction); };
  handlers.cancelled = [this, name] { emit loadCancelled(name); };
  handlers.failed = [this, name](const QString& message) { emit loadFailed(name, message); };
  handlers.done = [this, sourceIndex, name](std::shared_ptr<Tensor> tensor) {
    // The loaded imatrix's entry (when it has one) makes the GGUF formats
    // quantize with llama.cpp's weighted quantizers (document_imatrix.cpp).
    if (imatrix_)
      tryAttachImportance(*tensor, *imatrix_);
    tensor_ = std::move(tensor);
    tensorSource_ = sourceIndex;
    tensorName_ = name;
    emit tensorChanged(tensor_);
  };
  // start() before the signal: a read in progress is replaced without a signal of its own.
  tensorRead_.start<std::shared_ptr<Tensor>>(
      [source, stdName](JobControl& job) {
        return std::make_shared<Tensor>(source->readWithProgress(
            stdName, job.cancelFlag(), [&job](double fraction) { job.progress(fraction); }));
      },
      std::move(handlers));
  emit loadStarted(name, entry ? entry->bytes : 0);
}

void Document::cancelLoad() {
  cancelTensorRead();
  cancelLayerRead();
}

void Document::cancelTensorRead() {
  if (!tensorRead_.isBusy())
    return;
  tensorRead_.discard(); // the user is told now, not when the worker notices
  emit loadCancelled(loadingName_);
}

void Document::editConfig(const QuantConfig& config, const QString& text, int mergeKey) {
  if (config == config_)
    return;
  undoStack_.push(new ConfigEditCommand(this, config_, config, text, mergeKey));
}

void Document::applyConfig(const QuantConfig& config) {
  if (config == config_)
    return;
  config_ = config;
  emit configChanged(config_);
}

QString PinnedConfig::shortLabel() const {
  return label.section(QStringLiteral(" · "), 0, 0);
}

bool Document::pinCurrent() {
  if (static_cast<int>(pins_.size()) >= kMaxPins)
    return false;
  for (const PinnedConfig& pin : pins_)
    if (pin.config == config_)
      return false;
  // The first colour no other pin uses keeps colours stable when unpinning.
  QColor color;
  for (const QColor& candidate : plotstyle::pinPalette()) {
    bool used = false;
    for (const PinnedConfig& pin : pins_)
      used = used || pin.color == candidate;
    if (!used) {
      color = candidate;
      break;
    }
  }
  auto taken = [this](int n) {
    for (const PinnedConfig& pin : pins_)
      if (pin.shortLabel() == QStringLiteral("P%1").arg(n))
        return true;
    return false;
  };
  int number = 1;
  while (taken(number))
    ++number;
  std::vector<PinnedConfig> after = pins_;
  after.push_back({QStringLiteral("P%1 · %2").arg(number).arg(describe(config_)), color, config_});
  undoStack_.push(new PinsEditCommand(this, pins_, after, tr("Pin %1").arg(after.back().label)));
  return true;
}

void Document::unpin(int index) {
  if (index < 0 || index >= static_cast<int>(pins_.size()))
    return;
  std::vector<PinnedConfig> after = pins_;
  after.erase(after.begin() + index);
  undoStack_.push(new PinsEditCommand(this, pins_, after, tr("Unpin %1").arg(pins_[index].shortLabel())));
}

void Document::clearPins() {
  if (pins_.empty())
    return;
  undoStack_.push(new PinsEditCommand(this, pins_, {}, tr("Clear pins")));
}

void Document::applyPins(const std::vector<PinnedConfig>& pins) {
  if (pins == pins_)
    return;
  pins_ = pins;
  emit pinsChanged();
}

QString Document::describe(const QuantConfig& config) {
  QString text = QString::fromStdString(config.format);
  text += config.symmetric ? QStringLiteral(" sym") : QStringLiteral(" asym");
  if (config.granularity) {
    const Granularity& g = *config.granularity;
    switch (g.kind) {
    case GranularityKind::None:
      text += QStringLiteral(" · cast");
      break;
    case GranularityKind::Tensor:
      text += QStringLiteral(" · tensor");
      break;
    case GranularityKind::Channel:
      text +=
          g.autoAxis() ? QStringLiteral(" · channel") : QStringLiteral(" · channel (axis %1)").arg(g.axis);
      break;
    case GranularityKind::Group:
      text += g.autoAxis() ? QStringLiteral(" · group %1").arg(g.groupSize)
                           : QStringLiteral(" · group %1 (axis %2)").arg(g.groupSize).arg(g.axis);
      break;
    case GranularityKind::Token:
      text += QStringLiteral(" · token");
      break;
    case GranularityKind::Block:
      text += QStringLiteral(" · block %1x%2").arg(g.blockRows).arg(g.blockCols);
      break;
    }
  }
  switch (config.clipping.method) {
  case ClipMethod::MinMax:
    break;
  case ClipMethod::Percentile:
    text += QStringLiteral(" · p%1").arg(config.clipping.percentile, 0, 'g', 6);
    break;
  case ClipMethod::Fixed:
    text += QStringLiteral(" · clip [%1, %2]")
                .arg(config.clipping.fixedMin, 0, 'g', 4)
                .arg(config.clipping.fixedMax, 0, 'g', 4);
    break;
  default:
    text += QStringLiteral(" · ") + QString::fromLatin1(toString(config.clipping.method));
  }
  if (config.rounding == Rounding::Stochastic)
    text += QStringLiteral(" · stochastic");
  return text;
}

} // namespace qs
