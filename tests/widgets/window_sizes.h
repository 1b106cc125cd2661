#pragma once
// The window sizes every layout test looks at, and the demo window with its
// Layer comparison run, shared by the widget tests.
#include "widgets/layer/layer_view.h"
#include "widgets/main_window.h"

#include <QSignalSpy>
#include <QtTest>

namespace qs::test {

// QTest data: a "size" column with 1366x768 and 1920x1080.
inline void addCommonWindowSizes() {
  QTest::addColumn<QSize>("size");
  QTest::newRow("1366x768") << QSize(1366, 768);
  QTest::newRow("1920x1080") << QSize(1920, 1080);
}

// Shows the demo at `size`, raises the Layer tab and runs the comparison;
// the LayerView, or null after a failed QVERIFY (the caller returns).
inline LayerView* runDemoLayer(MainWindow& window, QSize size) {
  window.resize(size);
  window.show();
  window.openDemo();
  if (!QTest::qWaitFor([&] { return window.document()->tensor() != nullptr; }, 30000) ||
      !window.raiseView("layer"))
    return nullptr;
  auto* layer = window.findChild<LayerView*>();
  if (!layer)
    return nullptr;
  QSignalSpy done(layer, &LayerView::finished);
  layer->run();
  if (!done.wait(120000) || !done.first().at(0).toBool())
    return nullptr;
  return layer;
}

} // namespace qs::test
