#pragma once
// Help ▸ Concepts and Help ▸ Keyboard shortcuts. Both are built from the
// program itself, so they cannot drift from it: the formats from the format
// registry, the metric definitions from the core's metric table (the README
// holds the same words, a test keeps them equal), the shortcuts from the
// window's actions.
#include <QList>
#include <QString>

class QAction;
class QWidget;

namespace qs {

// HTML: number formats, granularity, clipping, rounding, metric definitions.
QString conceptsHtml();
// HTML table of every action in `actions` that has a shortcut: what it does, the keys.
QString shortcutsHtml(const QList<QAction*>& actions);

// Non-modal windows (one each, raised again when asked twice).
void showConcepts(QWidget* parent);
void showShortcuts(QWidget* parent, const QList<QAction*>& actions);

} // namespace qs
