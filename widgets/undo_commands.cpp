#include "widgets/undo_commands.h"

namespace qs {

namespace {
constexpr int kConfigEditId = 0x5153;        // "QS": one id for every mergeable config edit
constexpr int kLayerSettingsEditId = 0x514c; // "QL": the same for layer settings edits
} // namespace

ConfigEditCommand::ConfigEditCommand(Document* document, QuantConfig before, QuantConfig after,
                                     const QString& text, int mergeKey)
    : QUndoCommand(text), document_(document), before_(std::move(before)), after_(std::move(after)),
      mergeKey_(mergeKey) {}

void ConfigEditCommand::undo() {
  document_->applyConfig(before_);
}

void ConfigEditCommand::redo() {
  document_->applyConfig(after_);
}

int ConfigEditCommand::id() const {
  return mergeKey_ != 0 ? kConfigEditId : -1;
}

bool ConfigEditCommand::mergeWith(const QUndoCommand* other) {
  const auto* edit = static_cast<const ConfigEditCommand*>(other);
  if (edit->mergeKey_ != mergeKey_ || edit->document_ != document_)
    return false;
  after_ = edit->after_;
  // A drag that ends where it started leaves nothing to undo.
  if (after_ == before_)
    setObsolete(true);
  return true;
}

PinsEditCommand::PinsEditCommand(Document* document, std::vector<PinnedConfig> before,
                                 std::vector<PinnedConfig> after, const QString& text)
    : QUndoCommand(text), document_(document), before_(std::move(before)), after_(std::move(after)) {}

void PinsEditCommand::undo() {
  document_->applyPins(before_);
}

void PinsEditCommand::redo() {
  document_->applyPins(after_);
}

LayerSettingsEditCommand::LayerSettingsEditCommand(Document* document, LayerSettings before,
                                                   LayerSettings after, const QString& text, int mergeKey)
    : QUndoCommand(text), document_(document), before_(std::move(before)), after_(std::move(after)),
      mergeKey_(mergeKey) {}

void LayerSettingsEditCommand::undo() {
  document_->applyLayerSettings(before_);
}

void LayerSettingsEditCommand::redo() {
  document_->applyLayerSettings(after_);
}

int LayerSettingsEditCommand::id() const {
  return mergeKey_ != 0 ? kLayerSettingsEditId : -1;
}

bool LayerSettingsEditCommand::mergeWith(const QUndoCommand* other) {
  const auto* edit = static_cast<const LayerSettingsEditCommand*>(other);
  if (edit->mergeKey_ != mergeKey_ || edit->document_ != document_)
    return false;
  after_ = edit->after_;
  if (after_ == before_) // a drag back to the start leaves nothing to undo
    setObsolete(true);
  return true;
}

} // namespace qs
