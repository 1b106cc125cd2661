#pragma once
// Undo commands for the Document. A config edit stores the config before and
// after; consecutive edits that carry the same non-zero merge key (one slider
// drag, one spin-box burst) collapse into a single undo step, as Tiled's
// ChangeValue does. A pins edit (pin, unpin, clear) stores the whole pin
// list before and after (at most four entries), so undo brings back labels,
// colours and order exactly. Layer settings edits merge like config edits.
#include "core/quant/quant_config.h"
#include "widgets/document.h"

#include <QUndoCommand>

#include <vector>

namespace qs {

class ConfigEditCommand : public QUndoCommand {
public:
  // mergeKey 0: never merges. Otherwise merges with the command on top of the
  // stack when that one has the same key.
  ConfigEditCommand(Document* document, QuantConfig before, QuantConfig after, const QString& text,
                    int mergeKey = 0);

  void undo() override;
  void redo() override;
  int id() const override;
  bool mergeWith(const QUndoCommand* other) override;

  const QuantConfig& before() const { return before_; }
  const QuantConfig& after() const { return after_; }

private:
  Document* document_;
  QuantConfig before_, after_;
  int mergeKey_;
};

class PinsEditCommand : public QUndoCommand {
public:
  PinsEditCommand(Document* document, std::vector<PinnedConfig> before, std::vector<PinnedConfig> after,
                  const QString& text);

  void undo() override;
  void redo() override;

private:
  Document* document_;
  std::vector<PinnedConfig> before_, after_;
};

class LayerSettingsEditCommand : public QUndoCommand {
public:
  LayerSettingsEditCommand(Document* document, LayerSettings before, LayerSettings after, const QString& text,
                           int mergeKey = 0);

  void undo() override;
  void redo() override;
  int id() const override;
  bool mergeWith(const QUndoCommand* other) override;

private:
  Document* document_;
  LayerSettings before_, after_;
  int mergeKey_;
};

} // namespace qs
