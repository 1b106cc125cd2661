// The menus: every View entry names one dock (no two alike), Help holds
// Concepts (metric definitions from the core's table, formats from the
// registry) and Keyboard shortcuts (read from the actions themselves); the
// Layer tab's greyed input never shows a tensor of another file.
#include "core/formats/format_registry.h"
#include "core/metrics/metric_table.h"
#include "fake_source.h"
#include "widgets/document.h"
#include "widgets/help_dialogs.h"
#include "widgets/layer/layer_view.h"
#include "widgets/main_window.h"

#include <QAction>
#include <QComboBox>
#include <QDialog>
#include <QDockWidget>
#include <QMenu>
#include <QMenuBar>
#include <QTest>
#include <QTextBrowser>

using namespace qs;

namespace {

QMenu* menu(MainWindow& window, const QString& title) {
  for (QAction* action : window.menuBar()->actions())
    if (action->menu() && action->text().remove('&') == title)
      return action->menu();
  return nullptr;
}

QStringList texts(QMenu* menu) {
  QStringList out;
  for (QAction* action : menu->actions())
    if (!action->isSeparator())
      out << action->text().remove('&');
  return out;
}

} // namespace

class MenusTest : public QObject {
  Q_OBJECT
private slots:
  void viewMenuNamesEveryDockOnce();
  void conceptsComeFromTheTables();
  void shortcutsComeFromTheActions();
  void layerInputFollowsTheSources();
};

void MenusTest::viewMenuNamesEveryDockOnce() {
  MainWindow window(MainWindow::Options{false});
  QMenu* view = menu(window, "View");
  QVERIFY(view);
  const QStringList names = texts(view);
  for (const QString& name : names)
    QVERIFY2(names.count(name) == 1, qPrintable(name + " is listed twice: " + names.join(", ")));
  QVERIFY(names.contains("Compare"));        // the plot tab
  QVERIFY(names.contains("Pinned configs")); // the side panel
  QVERIFY(names.contains("Layer"));
  int docks = 0;
  for (QAction* action : view->actions())
    docks += action->isCheckable() ? 1 : 0;
  QCOMPARE(docks, int(window.findChildren<QDockWidget*>().size()));
}

void MenusTest::conceptsComeFromTheTables() {
  MainWindow window(MainWindow::Options{false});
  QMenu* help = menu(window, "Help");
  QVERIFY(help);
  QVERIFY(texts(help).contains("Concepts"));
  QVERIFY(texts(help).contains("Keyboard shortcuts"));
  const QString html = conceptsHtml();
  for (const MetricInfo& info : metricTable())
    QVERIFY2(html.contains(QString::fromUtf8(info.definition).toHtmlEscaped()), info.key);
  for (const FormatInfo& info : allFormats())
    QVERIFY2(html.contains(QString::fromStdString(info.description).toHtmlEscaped()), info.name.c_str());
  for (const char* heading : {"Granularity", "Clipping", "Rounding", "Metrics", "Number formats"})
    QVERIFY2(html.contains(QStringLiteral("<h2>%1</h2>").arg(heading)), heading);
  for (QAction* action : help->actions())
    if (action->text().remove('&') == "Concepts")
      action->trigger();
  auto* dialog = window.findChild<QDialog*>("conceptsWindow");
  QVERIFY(dialog && dialog->isVisible());
  QVERIFY(dialog->findChild<QTextBrowser*>()->toPlainText().contains("SQNR"));
  QVERIFY(dialog->grab().save(QStringLiteral(QS_TEST_OUT_DIR "/help_concepts.png"))); // to look at
}

void MenusTest::shortcutsComeFromTheActions() {
  MainWindow window(MainWindow::Options{false});
  QList<QAction*> actions = window.findChildren<QAction*>();
  const QString html = shortcutsHtml(actions);
  int withKeys = 0;
  for (QAction* action : actions) {
    if (action->shortcut().isEmpty())
      continue;
    ++withKeys;
    QVERIFY2(html.contains(action->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped()),
             qPrintable(action->text()));
  }
  QVERIFY(withKeys >= 8); // open, save, undo, redo, pin, exports, quit …
  QCOMPARE(int(html.count("<tr>")), withKeys);
  QVERIFY(html.contains("Export all plots"));
  QVERIFY(!html.contains("&amp;")); // mnemonics removed
  // A shortcut added later shows up too: nothing is copied by hand.
  auto* extra = new QAction("Frobnicate", &window);
  extra->setShortcut(QKeySequence("Ctrl+Alt+F"));
  window.addAction(extra);
  QVERIFY(shortcutsHtml(window.findChildren<QAction*>()).contains("Frobnicate"));
  showShortcuts(&window, window.findChildren<QAction*>());
  auto* dialog = window.findChild<QDialog*>("shortcutsWindow");
  QVERIFY(dialog && dialog->isVisible());
  QVERIFY(dialog->grab().save(QStringLiteral(QS_TEST_OUT_DIR "/help_shortcuts.png")));
}

void MenusTest::layerInputFollowsTheSources() {
  MainWindow window(MainWindow::Options{false});
  auto* layer = window.findChild<LayerView*>();
  auto* input = layer->findChild<QComboBox*>("inputX");
  QVERIFY(input);
  auto first = std::make_shared<test::FakeSource>();
  first->add("old.activations", {64, 32});
  window.document()->addSource(first, "old", "/tmp/old.npz");
  // The demo layer uses its own tokens: the greyed box names no file's tensor.
  QVERIFY(!input->isEnabled());
  QCOMPARE(input->currentIndex(), -1);
  QVERIFY(!input->currentText().contains("old"));
  window.document()->closeSource(0);
  auto second = std::make_shared<test::FakeSource>();
  second->add("new.x", {64, 32});
  window.document()->addSource(second, "new", "/tmp/new.npz");
  QCOMPARE(input->currentIndex(), -1);
  for (int i = 0; i < input->count(); ++i)
    QVERIFY(!input->itemText(i).contains("old"));
}

QTEST_MAIN(MenusTest)
#include "menus_test.moc"
