#include "widgets/document.h"

#include "core/error.h"
#include "widgets/plots/plot_style.h"
#include "widgets/undo_commands.h"

#include <QFileInfo>
#include <QPointer>
#include <QtConcurrent>

namespace qs {

namespace {

struct OpenOutcome {
  std::shared_ptr<const TensorSource> source;
  QString error;
};

struct LoadOutcome {
  std::shared_ptr<const Tensor> tensor;
  QString error;
  bool cancelled = false;
};

} // namespace

Document::Document(QObject* parent) : QObject(parent) {
  qRegisterMetaType<QuantConfig>();
  qRegisterMetaType<std::shared_ptr<const Tensor>>();
  pool_.setMaxThreadCount(2); // one open and one read may overlap
  pool_.setObjectName(QStringLiteral("qs-document-io"));
}

Document::~Document() {
  abortLoad();
  pool_.waitForDone();
}

void Document::waitForWorkers() {
  pool_.waitForDone();
}

void Document::openFile(const QString& path) {
  QtConcurrent::run(&pool_, [path]() {
    OpenOutcome out;
    try {
      out.source = openTensorFile(path.toStdString());
    } catch (const std::exception& e) {
      out.error = QString::fromStdString(e.what());
    }
    return out;
  }).then(this, [this, path](const OpenOutcome& out) {
    if (!out.source) {
      emit openFailed(path, out.error);
      return;
    }
    addSource(out.source, QFileInfo(path).fileName(), QFileInfo(path).absoluteFilePath());
  });
}

int Document::addSource(std::shared_ptr<const TensorSource> source, const QString& label,
                        const QString& path) {
  sources_.push_back({path, label, std::move(source)});
  const int index = static_cast<int>(sources_.size()) - 1;
  emit sourceAdded(index);
  return index;
}

void Document::closeSource(int index) {
  if (index < 0 || index >= static_cast<int>(sources_.size()))
    return;
  // A read in flight refers to the source by index, which is about to shift.
  cancelLoad();
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
  abortLoad();
  auto source = sources_[sourceIndex].source;
  const std::string stdName = name.toStdString();
  const TensorEntry* entry = source->find(stdName);
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  loading_ = cancel;
  loadingName_ = name;
  emit loadStarted(name, entry ? entry->bytes : 0);
  QPointer<Document> self(this);
  QtConcurrent::run(&pool_, [source, stdName, cancel, self]() {
    LoadOutcome out;
    try {
      // The reader reports per chunk; the status bar shows 0.1 % steps, so
      // finer reports would only flood the GUI thread's queue.
      int shown = 0;
      auto progress = [self, cancel, &shown](double fraction) {
        const int permille = static_cast<int>(fraction * 1000);
        if (permille <= shown && fraction < 1.0)
          return;
        shown = permille;
        QMetaObject::invokeMethod(
            self,
            [self, cancel, fraction] {
              if (self && self->loading_ == cancel)
                emit self->loadProgress(fraction);
            },
            Qt::QueuedConnection);
      };
      out.tensor = std::make_shared<const Tensor>(source->readWithProgress(stdName, cancel.get(), progress));
    } catch (const Cancelled&) {
      out.cancelled = true;
    } catch (const std::exception& e) {
      out.error = QString::fromStdString(e.what());
    }
    if (cancel->load())
      out.cancelled = true;
    return out;
  }).then(this, [this, cancel, sourceIndex, name](const LoadOutcome& out) {
    if (loading_ != cancel)
      return; // superseded or cancelled by the user (who was told already)
    loading_.reset();
    if (out.cancelled) {
      emit loadCancelled(name);
      return;
    }
    if (!out.tensor) {
      emit loadFailed(name, out.error);
      return;
    }
    tensor_ = out.tensor;
    tensorSource_ = sourceIndex;
    tensorName_ = name;
    emit tensorChanged(tensor_);
  });
}

void Document::cancelLoad() {
  if (!loading_)
    return;
  abortLoad();
  emit loadCancelled(loadingName_);
}

void Document::abortLoad() {
  if (loading_) {
    loading_->store(true);
    loading_.reset();
  }
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
      text += QStringLiteral(" · channel (axis %1)").arg(g.axis);
      break;
    case GranularityKind::Group:
      text += QStringLiteral(" · group %1 (axis %2)").arg(g.groupSize).arg(g.axis);
      break;
    case GranularityKind::Token:
      text += QStringLiteral(" · token");
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
