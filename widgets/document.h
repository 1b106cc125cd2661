#pragma once
// Document: the state one workbench window edits. It owns the open tensor
// sources, the selected tensor, the current quantization config (edited only
// through its undo stack) and up to four pinned configs (pinning, unpinning and
// clearing are undo steps too), the layer workbench's settings (undoable as
// well), and tells the views what changed through typed signals. Files are
// opened and tensors read (the selected one, a layer's W and X) on
// BackgroundJob workers; the GUI thread never waits for a read.
#include "core/io/imatrix.h"
#include "core/io/tensor_source.h"
#include "core/model/imatrix_stats.h"
#include "core/quant/quant_config.h"
#include "core/tensor.h"
#include "widgets/background_job.h"
#include "widgets/layer/layer_settings.h"

#include <QColor>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUndoStack>

#include <memory>
#include <vector>

namespace qs {

struct OpenSource {
  QString path;  // file path, or "demo:" for generated tensors
  QString label; // what the browser shows ("model.safetensors", "Demo tensors")
  std::shared_ptr<const TensorSource> source;
  bool model = false; // opened as a whole model (openModel): the Model view scans it
};

struct PinnedConfig {
  QString label; // "P2 · int4 sym · group 128 (axis 1)"
  QColor color;
  QuantConfig config;

  QString shortLabel() const; // "P2"
  bool operator==(const PinnedConfig&) const = default;
};

class Document : public QObject {
  Q_OBJECT
public:
  static constexpr int kMaxPins = 4;

  explicit Document(QObject* parent = nullptr);
  ~Document() override;

  // ---- sources
  // Opens a file on the worker; emits sourceAdded or openFailed.
  void openFile(const QString& path);
  // Opens a model (a folder, or several files as one model: core/io/model_source.h)
  // on the worker; emits sourceAdded (with OpenSource::model set) or openFailed
  // (naming the folder or the first file).
  void openModel(const QStringList& paths);
  // Adds an already open source (demo tensors, tests). Returns its index.
  int addSource(std::shared_ptr<const TensorSource> source, const QString& label, const QString& path,
                bool model = false);
  void closeSource(int index);
  const std::vector<OpenSource>& sources() const { return sources_; }
  int indexOfPath(const QString& path) const; // -1 when not open

  // ---- selected tensor
  // Reads the tensor on the worker (cancelling a read in progress); emits
  // loadStarted, then tensorChanged or loadFailed / loadCancelled.
  void selectTensor(int sourceIndex, const QString& name);
  void cancelLoad();
  bool isLoading() const { return tensorRead_.isBusy(); }
  std::shared_ptr<const Tensor> tensor() const { return tensor_; }
  int tensorSource() const { return tensorSource_; }
  QString tensorName() const { return tensorName_; }

  // ---- config (undoable)
  const QuantConfig& config() const { return config_; }
  // Pushes an undo step from the current config to `config` (no-op when
  // equal). Edits with the same non-zero mergeKey merge into one step.
  void editConfig(const QuantConfig& config, const QString& text, int mergeKey = 0);
  QUndoStack* undoStack() { return &undoStack_; }
  // Sets the config without an undo step (undo commands, loading a session).
  void applyConfig(const QuantConfig& config);

  // ---- pinned configs (compare mode, undoable)
  const std::vector<PinnedConfig>& pins() const { return pins_; }
  // Pins the current config as an undo step ("Pin P2 · int4 …"); false when
  // kMaxPins are pinned already or the config is pinned already.
  bool pinCurrent();
  void unpin(int index); // undo step "Unpin P1"; out-of-range indices do nothing
  void clearPins();      // undo step "Clear pins"; nothing to clear: no step
  // Sets the pins without an undo step (undo commands, loading a session).
  void applyPins(const std::vector<PinnedConfig>& pins);
  static QString describe(const QuantConfig& config); // "int4 sym · group 128 (axis 1)"

  // ---- layer workbench (undoable settings; W and X read like the selected tensor)
  const LayerSettings& layerSettings() const { return layerSettings_; }
  // Like editConfig: an undo step, merged with the previous one of the same non-zero key.
  void editLayerSettings(const LayerSettings& settings, const QString& text, int mergeKey = 0);
  void applyLayerSettings(const LayerSettings& settings); // no undo step
  // Reads W and X on the worker with loadStarted / loadProgress and Cancel
  // (cancelLoad() or cancelLayerRead()); emits layerOperandsRead or
  // layerReadFailed. A new read replaces one in progress.
  void readLayerOperands(int weightSource, const QString& weightName, int inputSource,
                         const QString& inputName);
  void cancelLayerRead();
  bool isReadingLayer() const { return layerRead_.isBusy(); }

  // ---- importance matrix (llama.cpp imatrix; one at a time, no undo step)
  // Reads the file and its statistics on a worker; emits imatrixChanged (it
  // replaced the loaded one) or imatrixFailed (the loaded one stays).
  void openImatrix(const QString& path);
  std::shared_ptr<const Imatrix> imatrix() const { return imatrix_; } // null: none loaded
  const std::vector<ImatrixTensorStats>& imatrixStats() const { return imatrixStats_; }

  // Blocks until background work is done (tests, --screenshot).
  void waitForWorkers();

signals:
  void sourceAdded(int index);
  void sourceRemoved(int index);
  void openFailed(const QString& path, const QString& message);
  void loadStarted(const QString& name, quint64 bytes);
  void loadProgress(double fraction); // (0, 1], increasing, in 0.1 % steps; the last is 1
  void loadFailed(const QString& name, const QString& message);
  void loadCancelled(const QString& name);
  void tensorChanged(std::shared_ptr<const qs::Tensor> tensor);
  void configChanged(const qs::QuantConfig& config);
  void pinsChanged();
  void layerSettingsChanged(const qs::LayerSettings& settings);
  void layerOperandsRead(std::shared_ptr<const qs::LayerTensors> tensors);
  void layerReadFailed(const QString& message, bool cancelled);
  void imatrixChanged();
  void imatrixFailed(const QString& path, const QString& message);

private:
  void cancelTensorRead(); // cancelLoad() for the selected tensor only

  std::vector<OpenSource> sources_;
  std::shared_ptr<const Tensor> tensor_;
  int tensorSource_ = -1;
  QString tensorName_;
  QuantConfig config_;
  std::vector<PinnedConfig> pins_;
  LayerSettings layerSettings_;
  QUndoStack undoStack_;
  QString loadingName_, layerReadName_;
  // Opens overlap reads; every open reports, a new read replaces the old one.
  BackgroundJob opens_{BackgroundJob::Policy::DeliverEach};
  BackgroundJob tensorRead_, layerRead_;
  std::shared_ptr<const Imatrix> imatrix_;
  std::vector<ImatrixTensorStats> imatrixStats_;
  BackgroundJob imatrixRead_; // a newer open replaces one in flight
};

} // namespace qs
