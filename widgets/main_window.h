#pragma once
// MainWindow: assembles the Document, the Analyzer and the views; it holds no
// analysis logic. Panels are docks; the plot views are docks inside a central
// dock area, tabbed by default and rearrangeable (state saved in QSettings).
#include "widgets/analyzer.h"
#include "widgets/background_job.h"
#include "widgets/result_view.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QMainWindow>

#include <vector>

class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QToolButton;

namespace qs {

class ComparePanel;
class ConfigPanel;
class LayerView;
class Document;
class MetricsPanel;
class ModelView;
class TensorBrowser;

class MainWindow : public QMainWindow {
  Q_OBJECT
public:
  struct Options {
    bool useSettings = true; // restore/save layout and recent files (off for --screenshot)
  };
  explicit MainWindow(Options options, QWidget* parent = nullptr);
  explicit MainWindow(QWidget* parent = nullptr) : MainWindow(Options{}, parent) {}
  ~MainWindow() override;

  Document* document() const { return document_; }
  Analyzer* analyzer() const { return analyzer_; }
  ConfigPanel* configPanel() const { return configPanel_; }
  TensorBrowser* browser() const { return browser_; }
  const std::vector<ResultView*>& views() const { return views_; }
  ModelView* modelView() const { return modelView_; }
  // A config JSON, or a recipe (the selected tensor's entry), as an undo step;
  // the error to show, empty on success.
  QString loadConfigFile(const QString& path);

  // Opens a file (async); when it is open, selects `tensor` (or the largest
  // weight, TensorBrowser::defaultTensor). A folder opens as a model.
  void openFile(const QString& path, const QString& tensor = {});
  // Opens a folder or several files as one model (async): the Model tab
  // scans it, the browser lists it and the workbench opens its largest weight.
  void openModel(const QStringList& paths);
  // Adds the generated demo tensors and selects `tensor` (or the default).
  void openDemo(const QString& tensor = {});
  // Raises the plot tab whose title matches (case-insensitive); false if none.
  bool raiseView(const QString& title);
  // Writes every view's plots, of the current state, into `directory`: views
  // with work of their own (the Sweep) finish it first, without blocking.
  // The future holds the written paths, or the qs::Error that stopped it.
  QFuture<QStringList> exportAllPlots(const QString& directory);
  // Writes the current result (codes, scales, zero points, dequantized values)
  // to .safetensors or .h5 on a worker; the future holds an error or "".
  QFuture<QString> exportTensor(const QString& path);
  // Writes the metrics of the current and the pinned results to .csv or .json
  // (core/io/metrics_writer.h); throws qs::Error.
  void exportMetrics(const QString& path);
  // Hands the current result to every view, hidden tabs included.
  void flushViews();
  // "Histogram 3.1 ms, …": what each view's last update took (benchmarks).
  QString viewTimings() const;

signals:
  // A result reached every view and the resulting repaints were processed.
  void resultsShown(const qs::AnalysisOutput& output, double plotsMs);

protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void closeEvent(QCloseEvent* event) override;
  void showEvent(QShowEvent* event) override;
  bool event(QEvent* event) override;

private:
  void buildDocks();
  void buildMenus(); // main_actions.cpp
  void buildStatusBar();
  void wire();
  void deliver(const AnalysisOutput& output);
  void updatePinned();
  void pushToView(size_t index);
  bool onScreen(size_t index) const;
  void scheduleFlush();
  void flushStep();
  void rebuildRecentMenu(); // main_actions.cpp
  void addRecent(const QString& path);
  void openFileDialog();
  void openModelFolderDialog();
  void openModelFilesDialog();
  void openFromModel(const QString& tensor, const QuantConfig& config);
  void saveConfigDialog();
  void loadConfigDialog();
  void exportTensorDialog();
  void exportPlotsDialog();
  void exportMetricsDialog();
  void showError(const QString& title, const QString& message);

  Options options_;
  Document* document_;
  Analyzer* analyzer_;
  TensorBrowser* browser_ = nullptr;
  ConfigPanel* configPanel_ = nullptr;
  MetricsPanel* metrics_ = nullptr;
  ComparePanel* compare_ = nullptr;
  QMainWindow* plotArea_ = nullptr;
  std::vector<ResultView*> views_;
  std::vector<QDockWidget*> viewDocks_;
  LayerView* layerView_ = nullptr; // reads its own W and X; does not follow the selected tensor
  QDockWidget* layerDock_ = nullptr;
  ModelView* modelView_ = nullptr; // the whole model: scan, plan, exports
  QDockWidget* modelDock_ = nullptr;
  // Per view: does it still need the shown result / the pinned overlays?
  std::vector<char> resultStale_, pinnedStale_;
  std::vector<double> viewMs_;
  std::vector<PinnedResult> overlays_;
  QMenu* recentMenu_ = nullptr;
  QMenu* viewMenu_ = nullptr;
  QLabel* message_ = nullptr;
  QLabel* timing_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QToolButton* cancel_ = nullptr;
  QByteArray defaultState_, defaultPlotState_;
  std::vector<QDockWidget*> sideDocks_; // tensors, config, metrics, compare
  bool restored_ = false, sized_ = false;
  bool refusalShown_ = false; // the status bar says the current config was refused

  // Selection waiting for an open to finish (openFile/openDemo with a tensor).
  QString pendingOpenPath_, pendingTensor_;
  // Timing of the result being shown.
  AnalysisOutput shown_;
  QElapsedTimer plotsClock_;
  quint64 deliverySerial_ = 0, shownSerial_ = 0; // results delivered / announced by resultsShown
  bool flushRunning_ = false;                    // a flushStep() is queued
  // For viewTimings(): parts of deliver(), deliver() itself, and the time until
  // the last view on screen had the result.
  double panelsMs_ = 0, compareMs_ = 0, deliverMs_ = 0, plotsMs_ = 0;
  BackgroundJob exports_{BackgroundJob::Policy::DeliverEach}; // every export reports
};

} // namespace qs
