// MainWindow's menus and the file dialogs behind them (split from
// main_window.cpp so that file stays about layout and wiring).
#include "widgets/main_window.h"

#include "core/demo/demo_source.h"
#include "core/error.h"
#include "core/io/metrics_writer.h"
#include "core/io/result_writer.h"
#include "core/model/recipe.h"
#include "core/quant/config_check.h"
#include "widgets/config_panel.h"
#include "widgets/document.h"
#include "widgets/file_filters.h"
#include "widgets/help_dialogs.h"
#include "widgets/imatrix_actions.h"
#include "widgets/plots/plot_export.h"
#include "widgets/tensor_browser.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPromise>
#include <QSettings>
#include <QStatusBar>

namespace qs {

namespace {

constexpr int kMaxRecent = 10;

} // namespace

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open…"), QKeySequence::Open, this, &MainWindow::openFileDialog);
  file->addAction(tr("Open &model…"), QKeySequence(tr("Ctrl+Shift+O")), this,
                  &MainWindow::openModelFolderDialog)
      ->setToolTip(tr("A model folder (Hugging Face: through its index) for the Model tab"));
  file->addAction(tr("Open model &files…"), this, &MainWindow::openModelFilesDialog)
      ->setToolTip(tr("Several tensor files as one model for the Model tab"));
  QMenu* demo = file->addMenu(tr("Open &demo tensor"));
  for (const std::string& n : demoTensorNames()) {
    const QString name = QString::fromStdString(n);
    demo->addAction(name, this, [this, name] { openDemo(name); });
  }
  recentMenu_ = file->addMenu(tr("Open &recent"));
  connect(recentMenu_, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
  auto* imatrix = new ImatrixActions(this);
  file->addAction(imatrix->openAction());
  file->addSeparator();
  file->addAction(tr("&Load config…"), QKeySequence(tr("Ctrl+L")), this, &MainWindow::loadConfigDialog)
      ->setToolTip(tr("A config JSON, or a plan's recipe: the selected tensor's config from it"));
  file->addAction(tr("&Save config…"), QKeySequence::Save, this, &MainWindow::saveConfigDialog);
  file->addSeparator();
  file->addAction(tr("Export &quantized tensor…"), QKeySequence(tr("Ctrl+E")), this,
                  &MainWindow::exportTensorDialog);
  file->addAction(tr("Export &all plots…"), QKeySequence(tr("Ctrl+Shift+E")), this,
                  &MainWindow::exportPlotsDialog);
  file->addAction(tr("Export &metrics…"), this, &MainWindow::exportMetricsDialog);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  QAction* undo = document_->undoStack()->createUndoAction(this, tr("&Undo"));
  undo->setShortcut(QKeySequence::Undo);
  QAction* redo = document_->undoStack()->createRedoAction(this, tr("&Redo"));
  redo->setShortcut(QKeySequence::Redo);
  edit->addAction(undo);
  edit->addAction(redo);
  edit->addSeparator();
  edit->addAction(tr("&Pin current config"), QKeySequence(tr("Ctrl+P")), document_, &Document::pinCurrent);
  edit->addAction(tr("&Clear pins"), document_, &Document::clearPins);

  // The side panels, then the plot tabs: every entry names one dock (the
  // panel of pinned configs and the Compare plot tab are different docks).
  viewMenu_ = menuBar()->addMenu(tr("&View"));
  for (QDockWidget* dock : sideDocks_)
    viewMenu_->addAction(dock->toggleViewAction());
  viewMenu_->addSeparator();
  for (QDockWidget* dock : viewDocks_)
    viewMenu_->addAction(dock->toggleViewAction());
  viewMenu_->addAction(layerDock_->toggleViewAction());
  viewMenu_->addAction(modelDock_->toggleViewAction());
  viewMenu_->addAction(imatrix->statsAction());
  viewMenu_->addSeparator();
  viewMenu_->addAction(tr("&Reset layout"), this, [this] {
    restoreState(defaultState_);
    plotArea_->restoreState(defaultPlotState_);
  });

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&Concepts"), QKeySequence::HelpContents, this, [this] { showConcepts(this); });
  help->addAction(tr("&Keyboard shortcuts"), this, [this] {
    // In menu order, then any other action of the window (a view's own).
    QList<QAction*> actions;
    for (QAction* menu : menuBar()->actions())
      if (menu->menu())
        actions += menu->menu()->actions();
    for (QAction* action : findChildren<QAction*>())
      if (!actions.contains(action))
        actions += action;
    showShortcuts(this, actions);
  });
  help->addSeparator();
  help->addAction(tr("&About QuantScope"), this, [this] {
    QMessageBox::about(this, tr("About QuantScope"),
                       tr("<b>QuantScope</b><p>A workbench for seeing what quantization does "
                          "to a tensor: formats, bit widths, granularity, clipping.</p>"));
  });
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
  for (const QString& path : recent)
    recentMenu_->addAction(QFileInfo(path).fileName(), this, [this, path] { openFile(path); })
        ->setToolTip(path);
  if (recent.isEmpty())
    recentMenu_->addAction(tr("(none)"))->setEnabled(false);
  recentMenu_->setToolTipsVisible(true);
}

void MainWindow::addRecent(const QString& path) {
  if (!options_.useSettings)
    return;
  QSettings settings;
  QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > kMaxRecent)
    recent.removeLast();
  settings.setValue(QStringLiteral("recentFiles"), recent);
}

void MainWindow::openFileDialog() {
  const QStringList paths =
      QFileDialog::getOpenFileNames(this, tr("Open tensor files"), {}, tensorFileFilter());
  for (const QString& path : paths)
    openFile(path);
}

void MainWindow::openModelFolderDialog() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open model folder"));
  if (!dir.isEmpty())
    openModel({dir});
}

void MainWindow::openModelFilesDialog() {
  const QStringList paths =
      QFileDialog::getOpenFileNames(this, tr("Open model files (one model)"), {}, tensorFileFilter());
  if (!paths.isEmpty())
    openModel(paths);
}

void MainWindow::saveConfigDialog() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Save config"), QStringLiteral("config.json"),
                                                    tr("Config JSON (*.json)"));
  if (path.isEmpty())
    return;
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
      file.write(QByteArray::fromStdString(configToJson(document_->config()) + "\n")) < 0)
    showError(tr("Could not save config"), tr("%1: %2").arg(path, file.errorString()));
  else
    statusBar()->showMessage(tr("Config saved to %1").arg(path), 4000);
}

void MainWindow::loadConfigDialog() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Load config or recipe"), {},
                                                    tr("Config or recipe JSON (*.json);;All files (*)"));
  if (path.isEmpty())
    return;
  const QString error = loadConfigFile(path);
  if (!error.isEmpty())
    showError(tr("Could not load config"), error);
}

QString MainWindow::loadConfigFile(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly))
    return tr("%1: %2").arg(path, file.errorString());
  const std::string text = file.readAll().toStdString();
  const QString name = QFileInfo(path).fileName();
  try {
    // A plan's recipe (quantscope.recipe/1) gives the selected tensor's config.
    if (text.find("\"quantscope.recipe/") != std::string::npos) {
      const Recipe recipe = recipeFromJson(text, path.toStdString());
      const auto tensor = document_->tensor();
      if (!tensor)
        return tr("%1 is a recipe: select one of its tensors first").arg(name);
      const RecipeTensor* entry = recipe.find(tensor->name);
      if (!entry)
        return tr("%1 has no config for tensor %2").arg(name, QString::fromStdString(tensor->name));
      if (entry->keep)
        return tr("%1 keeps tensor %2 as stored: there is no config to load")
            .arg(name, QString::fromStdString(tensor->name));
      validateConfig(entry->config);
      document_->editConfig(entry->config,
                            tr("Load %1's config from %2").arg(QString::fromStdString(tensor->name), name));
      return {};
    }
    const QuantConfig config = configFromJson(text);
    validateConfig(config); // unknown formats, refused codebooks: before it becomes an undo step
    document_->editConfig(config, tr("Load config %1").arg(name));
    return {};
  } catch (const Error& e) {
    return tr("%1: %2").arg(path, QString::fromUtf8(e.what()));
  }
}

void MainWindow::exportTensorDialog() {
  const auto result = analyzer_->last().current;
  if (!result) {
    showError(tr("Nothing to export"), tr("Select a tensor first."));
    return;
  }
  const QString suggested =
      plotexport::fileStem(QString::fromStdString(result->tensorName)) + QStringLiteral("_") +
      plotexport::fileStem(QString::fromStdString(result->config.format)) + QStringLiteral(".safetensors");
  const QString path = QFileDialog::getSaveFileName(this, tr("Export quantized tensor"), suggested,
                                                    tr("safetensors (*.safetensors);;HDF5 (*.h5 *.hdf5)"));
  if (path.isEmpty())
    return;
  exportTensor(path);
}

QFuture<QString> MainWindow::exportTensor(const QString& path) {
  const auto result = analyzer_->last().current;
  const auto tensor = analyzer_->last().tensor;
  if (!result)
    return QtFuture::makeReadyFuture(tr("no result to export"));
  // Codes, scales, zero points and dequantized values: hundreds of MB for a
  // big tensor, so the write runs on a worker. The live results carry no
  // codes (nothing on screen needs them): quantizing again gives the same
  // numbers with them (rounding is deterministic, stochastic rounding seeded).
  message_->setText(tr("Writing %1…").arg(path));
  auto written = std::make_shared<QPromise<QString>>(); // the error, empty on success
  written->start();
  JobHandlers<bool> handlers;
  handlers.done = [this, path, written](bool) {
    message_->setText(tr("Quantized tensor written to %1").arg(path));
    written->addResult(QString());
    written->finish();
  };
  handlers.failed = [this, written](const QString& error) {
    message_->clear();
    showError(tr("Could not export the tensor"), error);
    written->addResult(error);
    written->finish();
  };
  exports_.start<bool>(
      [result, tensor, path](JobControl&) {
        auto full = result;
        if (full->codes.empty() && tensor)
          full = quantize(*tensor, result->config);
        writeQuantResult(path.toStdString(), *full);
        return true;
      },
      std::move(handlers));
  return written->future();
}

void MainWindow::exportMetrics(const QString& path) {
  const AnalysisOutput& last = analyzer_->last();
  ResultList results;
  if (last.current)
    results.push_back(last.current);
  for (const auto& pinned : last.pinned)
    if (pinned)
      results.push_back(pinned);
  if (results.empty())
    throw Error("no result to export: select a tensor first");
  writeMetrics(path.toStdString(), results);
}

void MainWindow::exportMetricsDialog() {
  const QString path = QFileDialog::getSaveFileName(this, tr("Export metrics"), QStringLiteral("metrics.csv"),
                                                    tr("CSV (*.csv);;JSON (*.json)"));
  if (path.isEmpty())
    return;
  try {
    exportMetrics(path);
    statusBar()->showMessage(tr("Metrics written to %1").arg(path), 6000);
  } catch (const Error& e) {
    showError(tr("Could not export metrics"), QString::fromUtf8(e.what()));
  }
}

void MainWindow::exportPlotsDialog() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Export all plots to"));
  if (dir.isEmpty())
    return;
  message_->setText(tr("Exporting plots to %1…").arg(dir));
  exportAllPlots(dir).then(this, [this, dir](QFuture<QStringList> done) {
    message_->clear();
    try {
      statusBar()->showMessage(tr("%1 files written to %2").arg(done.result().size()).arg(dir), 6000);
    } catch (const Error& e) {
      showError(tr("Could not export plots"), QString::fromUtf8(e.what()));
    }
  });
}

} // namespace qs
