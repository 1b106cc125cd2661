#pragma once
// Undo commands for the Document. A config edit stores the config before and
// after; consecutive edits that carry the same non-zero merge key (one slider
// drag, one spin-box burst) collapse into a single undo step, as Tiled's
// ChangeValue does.
#include "core/quant/quant_config.h"

#include <QUndoCommand>

namespace qs {

class Document;

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

} // namespace qs
