// File ▸ Export all plots writes the current state: the Sweep of the tensor
// selected now (run first when its tab was never shown), the Layer plots
// named after what they show, every image at a readable size.
#include "widgets/analyzer.h"
#include "widgets/document.h"
#include "widgets/layer/layer_view.h"
#include "widgets/main_window.h"
#include "widgets/plots/plot_export.h"
#include "widgets/plots/sweep_view.h"

#include <QDir>
#include <QFile>
#include <QFuture>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace qs;

class ExportAllTest : public QObject {
  Q_OBJECT
private slots:
  void exportsTheCurrentStateAtAReadableSize();
};

void ExportAllTest::exportsTheCurrentStateAtAReadableSize() {
  MainWindow window(MainWindow::Options{false});
  window.resize(1366, 768);
  window.show();
  window.openDemo(QStringLiteral("gaussian"));
  QVERIFY(QTest::qWaitFor([&] { return window.analyzer()->last().current && !window.analyzer()->isBusy(); },
                          60000));
  SweepView* sweep = window.findChild<SweepView*>();
  QVERIFY(sweep);
  // The Sweep tab is hidden: it has never swept anything.
  QVERIFY(sweep->points().empty());
  // A layer comparison, so the Layer tab has plots to export.
  auto* layer = window.findChild<LayerView*>();
  QSignalSpy layerDone(layer, &LayerView::finished);
  layer->run();
  QVERIFY(layerDone.wait(180000));
  QVERIFY(layerDone.first().at(0).toBool());

  // Another tensor, then export: everything must be of it.
  window.openDemo(QStringLiteral("laplace"));
  QVERIFY(QTest::qWaitFor(
      [&] {
        const auto& out = window.analyzer()->last();
        return out.current && out.current->tensorName == "laplace" && !window.analyzer()->isBusy();
      },
      60000));
  QTemporaryDir dir;
  QVERIFY(dir.isValid());
  QFuture<QStringList> done = window.exportAllPlots(dir.path());
  QVERIFY(QTest::qWaitFor([&] { return done.isFinished(); }, 180000));
  const QStringList written = done.result();

  QStringList names;
  for (const QString& path : written)
    names << QFileInfo(path).fileName();
  for (const char* expected :
       {"histogram.png", "error_histogram.png", "transfer_function.png", "error_map.png", "scales.png",
        "outliers.png", "outliers_topk.csv", "compare.png", "compare_metrics.csv", "sweep.png", "sweep.svg",
        "float_formats.png", "layer_output_error.png", "layer_channel_mse.png", "layer_activation_absmax.png",
        "layer_token_range.png", "layer_awq_search.png"})
    QVERIFY2(names.contains(QString::fromLatin1(expected)), qPrintable(names.join(' ')));
  for (const QString& name : names) {
    QVERIFY2(!name.contains("_plot."), qPrintable(name)); // the main plot is named after the view
    QVERIFY2(!name.contains(QRegularExpression("_\\d+\\.")), qPrintable(name)); // never numbered
  }
  for (const QString& path : written) {
    if (!path.endsWith(".png"))
      continue;
    const QImage image(path);
    QVERIFY2(image.width() >= plotexport::kMinExportWidth && image.height() >= plotexport::kMinExportHeight,
             qPrintable(QStringLiteral("%1: %2 x %3").arg(path).arg(image.width()).arg(image.height())));
  }

  // The sweep ran for the current tensor before it was written: its points
  // are in the file, and its title names the tensor swept.
  QVERIFY(!sweep->points().empty());
  QFile svg(dir.filePath("sweep.svg"));
  QVERIFY(svg.open(QIODevice::ReadOnly));
  const QString text = QString::fromUtf8(svg.readAll());
  QVERIFY(text.contains("laplace"));
  QVERIFY(!text.contains("gaussian"));
  QVERIFY2(text.contains("INT · per channel"), "no sweep family in the legend"); // not only the current star
}

QTEST_MAIN(ExportAllTest)
#include "export_all_test.moc"
