#include "widgets/main_window.h"

#include "core/demo/demo_source.h"
#include "core/error.h"
#include "widgets/compare_panel.h"
#include "widgets/config_panel.h"
#include "widgets/document.h"
#include "widgets/layer/layer_view.h"
#include "widgets/metric_rows.h"
#include "widgets/metrics_panel.h"
#include "widgets/model/model_session.h"
#include "widgets/model/model_view.h"
#include "widgets/plots/error_map_view.h"
#include "widgets/plots/plot_export.h"
#include "widgets/plots/plot_view_base.h"
#include "widgets/tensor_browser.h"
#include "widgets/view_factory.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPromise>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTabBar>
#include <QTimer>
#include <QToolButton>
#include <qcustomplot.h>

#include <algorithm>

// The icons are compiled into the static widgets library: register them
// (Q_INIT_RESOURCE must be called outside any namespace).
static void initResources() {
  Q_INIT_RESOURCE(resources);
}

namespace qs {

namespace {

// Posted at low priority after the last view got the result and replotted:
// it is handled after the repaints those replots requested (also posted at
// low priority, earlier). `serial` names the delivery it closes.
const QEvent::Type kPlotsFlushed = static_cast<QEvent::Type>(QEvent::registerEventType());
struct PlotsFlushedEvent : QEvent {
  explicit PlotsFlushedEvent(quint64 s) : QEvent(kPlotsFlushed), serial(s) {}
  quint64 serial;
};

QDockWidget* makeDock(const QString& title, const QString& name, QWidget* content, QWidget* parent) {
  auto* dock = new QDockWidget(title, parent);
  dock->setObjectName(name);
  dock->setWidget(content);
  dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                    QDockWidget::DockWidgetClosable);
  return dock;
}

} // namespace

MainWindow::MainWindow(Options options, QWidget* parent)
    : QMainWindow(parent), options_(options), document_(new Document(this)), analyzer_(new Analyzer(this)) {
  initResources();
  setWindowTitle(tr("QuantScope"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/quantscope.svg")));
  setAcceptDrops(true);
  setDockNestingEnabled(true);
  buildDocks();
  buildStatusBar();
  buildMenus();
  wire();
  resize(1600, 1000);
  defaultState_ = saveState();
  defaultPlotState_ = plotArea_->saveState();
  if (options_.useSettings) {
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restored_ = restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    plotArea_->restoreState(settings.value(QStringLiteral("window/plots")).toByteArray());
  }
  configPanel_->setConfig(document_->config());
  analyzer_->setConfig(document_->config());
}

MainWindow::~MainWindow() = default;

void MainWindow::buildDocks() {
  // The plot views: docks in an inner window that fills the centre.
  plotArea_ = new QMainWindow(this);
  plotArea_->setObjectName(QStringLiteral("plotArea"));
  plotArea_->setDockNestingEnabled(true);
  plotArea_->setDockOptions(QMainWindow::AllowTabbedDocks | QMainWindow::AllowNestedDocks |
                            QMainWindow::AnimatedDocks);
  auto* empty = new QWidget(plotArea_);
  empty->setMaximumSize(0, 0); // all space goes to the docks
  plotArea_->setCentralWidget(empty);
  views_ = createPlotViews(plotArea_);
  for (ResultView* view : views_) {
    auto* dock = makeDock(view->tabTitle(), QStringLiteral("plot:") + plotexport::fileStem(view->title()),
                          view, plotArea_);
    plotArea_->addDockWidget(Qt::TopDockWidgetArea, dock);
    if (!viewDocks_.empty())
      plotArea_->tabifyDockWidget(viewDocks_.front(), dock);
    viewDocks_.push_back(dock);
    connect(dock, &QDockWidget::visibilityChanged, this, [this, i = viewDocks_.size() - 1](bool visible) {
      if (visible)
        pushToView(i);
    });
  }
  // The layer workbench (W and X of a linear layer, RTN/SmoothQuant/AWQ/GPTQ) sits
  // beside the plots as one more tab.
  layerView_ = new LayerView(document_, plotArea_);
  auto* layerScroll = new QScrollArea(plotArea_); // its minimum size must not set the window's
  layerScroll->setWidget(layerView_);
  layerScroll->setWidgetResizable(true);
  layerScroll->setFrameShape(QFrame::NoFrame);
  layerDock_ = makeDock(tr("Layer"), QStringLiteral("plot:layer"), layerScroll, plotArea_);
  plotArea_->addDockWidget(Qt::TopDockWidgetArea, layerDock_);
  if (!viewDocks_.empty())
    plotArea_->tabifyDockWidget(viewDocks_.front(), layerDock_);
  // The whole model: one more tab, filled when a model is opened.
  modelView_ = new ModelView(plotArea_);
  auto* modelScroll = new QScrollArea(plotArea_);
  modelScroll->setWidget(modelView_);
  modelScroll->setWidgetResizable(true);
  modelScroll->setFrameShape(QFrame::NoFrame);
  modelDock_ = makeDock(tr("Model"), QStringLiteral("plot:model"), modelScroll, plotArea_);
  plotArea_->addDockWidget(Qt::TopDockWidgetArea, modelDock_);
  if (!viewDocks_.empty())
    plotArea_->tabifyDockWidget(viewDocks_.front(), modelDock_);
  modelDock_->hide(); // until a model is opened (or View ▸ Model): the plot tabs keep their room
  resultStale_.assign(views_.size(), false);
  pinnedStale_.assign(views_.size(), false);
  viewMs_.assign(views_.size(), 0.0);
  if (!viewDocks_.empty())
    viewDocks_.front()->raise();
  plotArea_->setWindowFlags(Qt::Widget); // a QMainWindow is a window unless told otherwise
  setCentralWidget(plotArea_);

  browser_ = new TensorBrowser(document_, this);
  configPanel_ = new ConfigPanel(this);
  auto* configScroll = new QScrollArea(this);
  configScroll->setWidget(configPanel_);
  configScroll->setWidgetResizable(true);
  configScroll->setFrameShape(QFrame::NoFrame);
  configScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // the panel wraps instead
  metrics_ = new MetricsPanel(this);
  compare_ = new ComparePanel(document_, this);

  auto* browserDock = makeDock(tr("Tensors"), QStringLiteral("tensors"), browser_, this);
  auto* configDock = makeDock(tr("Configuration"), QStringLiteral("config"), configScroll, this);
  auto* metricsDock = makeDock(tr("Metrics"), QStringLiteral("metrics"), metrics_, this);
  // Not "Compare": that is the plot tab of the same configs' |error| curves.
  auto* compareDock = makeDock(tr("Pinned configs"), QStringLiteral("compare"), compare_, this);
  addDockWidget(Qt::LeftDockWidgetArea, browserDock);
  addDockWidget(Qt::LeftDockWidgetArea, configDock);
  addDockWidget(Qt::RightDockWidgetArea, metricsDock);
  addDockWidget(Qt::RightDockWidgetArea, compareDock);
  sideDocks_ = {browserDock, configDock, metricsDock, compareDock};
  plotArea_->setMinimumWidth(480);
}

void MainWindow::showEvent(QShowEvent* event) {
  QMainWindow::showEvent(event);
  if (sized_)
    return;
  sized_ = true;
  // Plot tabs keep their full titles and scroll when they do not fit.
  for (QTabBar* tabs : plotArea_->findChildren<QTabBar*>()) {
    tabs->setElideMode(Qt::ElideNone);
    tabs->setUsesScrollButtons(true);
  }
  if (restored_)
    return;
  // Side panels narrow, the plots get the rest (needs the real window size);
  // at 1366 px a little narrower than a quarter, so every plot tab fits.
  const int side = std::min(width() / 4, std::max(280, width() * 2 / 9));
  resizeDocks({sideDocks_[0], sideDocks_[2]}, {side + 40, side - 40},
              Qt::Horizontal); // names need more than numbers
  // The configuration gets the height it asks for (no scroll bar), the browser the rest.
  const int configHeight = configPanel_->sizeHint().height() + 30; // + the dock's title bar
  const int browserHeight = std::max(height() * 3 / 10, height() - configHeight - 60);
  resizeDocks({sideDocks_[0], sideDocks_[1]}, {browserHeight, height() - browserHeight}, Qt::Vertical);
  resizeDocks({sideDocks_[2], sideDocks_[3]}, {height() * 4 / 10, height() * 6 / 10}, Qt::Vertical);
}

void MainWindow::buildStatusBar() {
  message_ = new QLabel(this);
  timing_ = new QLabel(this);
  // A stable width: a changing number must not relayout the whole window.
  timing_->setMinimumWidth(timing_->fontMetrics().horizontalAdvance(
      QStringLiteral("16.7 M values · quantize 9999 ms · plots 999 ms")));
  timing_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
  timing_->setToolTip(tr("Values in the tensor · time the core took on the worker · time the "
                         "views took to draw"));
  progress_ = new QProgressBar(this);
  progress_->setMaximumWidth(200);
  progress_->setTextVisible(false);
  progress_->hide();
  cancel_ = new QToolButton(this);
  cancel_->setText(tr("Cancel"));
  cancel_->setToolTip(tr("Cancel reading the tensor"));
  cancel_->hide();
  statusBar()->addWidget(message_, 1);
  statusBar()->addPermanentWidget(progress_);
  statusBar()->addPermanentWidget(cancel_);
  statusBar()->addPermanentWidget(timing_);
  connect(cancel_, &QToolButton::clicked, document_, &Document::cancelLoad);
}

void MainWindow::wire() {
  connect(configPanel_, &ConfigPanel::configEdited, document_,
          [this](const QuantConfig& config, const QString& text, int mergeKey) {
            document_->editConfig(config, text, mergeKey);
          });
  connect(document_, &Document::configChanged, this, [this](const QuantConfig& config) {
    configPanel_->setConfig(config);
    analyzer_->setConfig(config);
  });
  connect(document_, &Document::tensorChanged, this, [this](std::shared_ptr<const Tensor> tensor) {
    configPanel_->setTensorShape(tensor ? std::optional<Shape>(tensor->shape) : std::nullopt,
                                 tensor ? tensor->layout : AxisLayout{});
    analyzer_->setTensor(tensor);
    setWindowTitle(tensor ? tr("%1 — QuantScope").arg(document_->tensorName()) : tr("QuantScope"));
  });
  connect(document_, &Document::pinsChanged, this, [this] {
    std::vector<QuantConfig> configs;
    for (const PinnedConfig& pin : document_->pins())
      configs.push_back(pin.config);
    analyzer_->setPinned(configs);
    updatePinned();
  });
  connect(analyzer_, &Analyzer::resultReady, this, &MainWindow::deliver);
  connect(analyzer_, &Analyzer::failed, this, [this](const QString& message) {
    message_->setText(tr("Config refused: %1").arg(message));
    refusalShown_ = true; // until an analysis succeeds
  });

  // Loading: a busy bar with Cancel, shown only when a read takes a while.
  auto* showProgress = new QTimer(this);
  showProgress->setSingleShot(true);
  showProgress->setInterval(150);
  connect(showProgress, &QTimer::timeout, this, [this] {
    progress_->show();
    cancel_->show();
  });
  auto hideProgress = [this, showProgress] {
    showProgress->stop();
    progress_->hide();
    cancel_->hide();
  };
  connect(document_, &Document::loadStarted, this, [this, showProgress](const QString& name, quint64 bytes) {
    message_->setText(tr("Reading %1 (%2)…").arg(name, TensorBrowser::formatBytes(bytes)));
    progress_->setRange(0, 0);
    showProgress->start();
  });
  connect(document_, &Document::loadProgress, this, [this](double fraction) {
    progress_->setRange(0, 1000);
    progress_->setValue(static_cast<int>(fraction * 1000));
  });
  connect(document_, &Document::tensorChanged, this, [this, hideProgress] {
    hideProgress();
    message_->setText(document_->tensor() ? document_->tensorName() : QString());
  });
  connect(document_, &Document::loadCancelled, this, [this, hideProgress](const QString& name) {
    hideProgress();
    message_->setText(tr("Reading %1 cancelled").arg(name));
  });
  connect(document_, &Document::loadFailed, this,
          [this, hideProgress](const QString& name, const QString& message) {
            hideProgress();
            message_->setText(tr("Could not read %1").arg(name));
            showError(tr("Could not read tensor"), message);
          });
  // The layer workbench's reads share the bar; the Layer tab shows their outcome.
  connect(document_, &Document::layerOperandsRead, this, [this, hideProgress] {
    hideProgress();
    message_->clear();
  });
  connect(document_, &Document::layerReadFailed, this, [this, hideProgress](const QString&, bool cancelled) {
    hideProgress();
    if (!cancelled) // a cancel has said so already
      message_->setText(tr("Could not read the layer's operands"));
  });
  connect(document_, &Document::openFailed, this, [this](const QString& path, const QString& message) {
    if (path == pendingOpenPath_)
      pendingOpenPath_.clear();
    showError(tr("Could not open %1").arg(path), message);
  });
  connect(document_, &Document::sourceAdded, this, [this](int index) {
    const OpenSource& source = document_->sources()[index];
    if (!source.path.startsWith(QLatin1String("demo:")))
      addRecent(source.path);
    if (source.model && source.source != modelView_->source()) {
      modelView_->setModel(source.source, source.label);
      modelDock_->show();
      modelDock_->raise();
    }
    if (source.path != pendingOpenPath_ && !pendingOpenPath_.isEmpty())
      return;
    pendingOpenPath_.clear();
    if (pendingTensor_.isEmpty() || !browser_->selectTensor(index, pendingTensor_))
      browser_->selectDefaultTensor(index);
    pendingTensor_.clear();
  });
  connect(browser_, &TensorBrowser::closeRequested, document_, &Document::closeSource);
  connect(modelView_, &ModelView::openInWorkbench, this, &MainWindow::openFromModel);

  // "Locate" (a top-k row, an outlier bar) centres the error map there.
  for (ResultView* view : views_)
    connect(view, &ResultView::locateRequested, this, [this](qint64 row, qint64 col) {
      for (size_t i = 0; i < views_.size(); ++i)
        if (auto* map = qobject_cast<ErrorMapView*>(views_[i])) {
          viewDocks_[i]->show();
          viewDocks_[i]->raise();
          map->centreOn(row, col);
          message_->setText(tr("Located row %1, column %2").arg(row).arg(col));
        }
    });
}

void MainWindow::deliver(const AnalysisOutput& output) {
  plotsClock_.start();
  shown_ = output;
  ++deliverySerial_;
  std::fill(resultStale_.begin(), resultStale_.end(), true);
  // Views behind other tabs get the result when shown; meanwhile they must
  // not keep old results alive.
  for (size_t i = 0; i < views_.size(); ++i)
    if (!onScreen(i)) {
      views_[i]->releaseResults();
      pinnedStale_[i] = true;
    }
  if (output.current && refusalShown_) {
    refusalShown_ = false;
    message_->setText(document_->tensorName());
  }
  metrics_->setResult(output.current, output.currentError);
  panelsMs_ = static_cast<double>(plotsClock_.nsecsElapsed()) / 1e6;
  updatePinned();
  deliverMs_ = static_cast<double>(plotsClock_.nsecsElapsed()) / 1e6;
  scheduleFlush();
}

void MainWindow::scheduleFlush() {
  // The views on screen get the result one per event (each then replots in an
  // event of its own), so no single event keeps the GUI thread long; a chain
  // still running picks a newer result up.
  if (flushRunning_)
    return;
  flushRunning_ = true;
  QMetaObject::invokeMethod(this, &MainWindow::flushStep, Qt::QueuedConnection);
}

bool MainWindow::onScreen(size_t i) const {
  // A dock behind another tab stays "visible" but is moved out of the plot
  // area: only its visible region tells.
  return viewDocks_[i]->isVisible() && !views_[i]->visibleRegion().isEmpty();
}

void MainWindow::flushStep() {
  for (size_t i = 0; i < views_.size(); ++i)
    if ((resultStale_[i] || pinnedStale_[i]) && onScreen(i)) {
      pushToView(i); // its queued replot runs before the next step
      QMetaObject::invokeMethod(this, &MainWindow::flushStep, Qt::QueuedConnection);
      return;
    }
  // Every view on screen has the result and has replotted; the repaints are
  // posted: the flushed event lands after them.
  flushRunning_ = false;
  plotsMs_ = static_cast<double>(plotsClock_.nsecsElapsed()) / 1e6;
  QCoreApplication::postEvent(this, new PlotsFlushedEvent(deliverySerial_), Qt::LowEventPriority);
}

void MainWindow::pushToView(size_t i) {
  if (!resultStale_[i] && !pinnedStale_[i])
    return;
  QElapsedTimer timer;
  timer.start();
  if (pinnedStale_[i])
    views_[i]->setPinned(overlays_);
  if (resultStale_[i]) {
    views_[i]->setEmptyText(
        shown_.currentError.isEmpty()
            ? ResultView::noTensorText()
            : tr("The current config does not apply to this tensor:\n%1").arg(shown_.currentError));
    views_[i]->setResult(shown_.current, shown_.tensor);
  }
  resultStale_[i] = pinnedStale_[i] = false;
  viewMs_[i] = static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

void MainWindow::flushViews() {
  for (size_t i = 0; i < views_.size(); ++i)
    pushToView(i);
}

QString MainWindow::viewTimings() const {
  QStringList parts;
  for (size_t i = 0; i < views_.size(); ++i) {
    QString part = QStringLiteral("%1 %2").arg(views_[i]->title()).arg(viewMs_[i], 0, 'f', 1);
    // The replot runs in an event of its own after setResult().
    if (const auto* plotView = qobject_cast<const PlotViewBase*>(views_[i]))
      part += QStringLiteral(" + replot %1").arg(plotView->plot()->replotTime(), 0, 'f', 1);
    parts << part + QStringLiteral(" ms");
  }
  parts << QStringLiteral("metrics %1 ms").arg(panelsMs_, 0, 'f', 1)
        << QStringLiteral("compare %1 ms").arg(compareMs_, 0, 'f', 1)
        << QStringLiteral("deliver %1 ms").arg(deliverMs_, 0, 'f', 1)
        << QStringLiteral("views pushed %1 ms").arg(plotsMs_, 0, 'f', 1);
  return parts.join(QStringLiteral(", "));
}

bool MainWindow::event(QEvent* event) {
  if (event->type() != kPlotsFlushed)
    return QMainWindow::event(event);
  const quint64 serial = static_cast<PlotsFlushedEvent*>(event)->serial;
  if (serial != deliverySerial_ || flushRunning_ || serial == shownSerial_)
    return true; // a newer result is on its way, or only the pins' overlays changed
  shownSerial_ = serial;
  const double plotsMs = static_cast<double>(plotsClock_.nsecsElapsed()) / 1e6;
  if (shown_.tensor) {
    timing_->setText(tr("%1 values · quantize %2 ms · plots %3 ms")
                         .arg(formatCount(static_cast<double>(shown_.tensor->numel())))
                         .arg(shown_.jobMs, 0, 'f', 0)
                         .arg(plotsMs, 0, 'f', 0));
  } else {
    timing_->clear();
  }
  emit resultsShown(shown_, plotsMs);
  return true;
}

void MainWindow::updatePinned() {
  const auto& pins = document_->pins();
  const AnalysisOutput& out = analyzer_->last();
  std::vector<PinnedResult> overlays;
  std::vector<CompareColumn> columns;
  const bool fresh = out.pinned.size() == pins.size() && out.pinnedErrors.size() == pins.size();
  for (size_t i = 0; i < pins.size(); ++i) {
    CompareColumn column{fresh ? out.pinned[i] : nullptr, fresh ? out.pinnedErrors[i] : QString(),
                         !fresh && document_->tensor()};
    if (column.result || !column.notApplicable.isEmpty())
      overlays.push_back({pins[i].label, pins[i].color, column.result, column.notApplicable});
    columns.push_back(std::move(column));
  }
  // Pinned results are cached across jobs: most deliveries bring the same ones,
  // and a view should not redraw twice for one result.
  const bool same = std::equal(overlays.begin(), overlays.end(), overlays_.begin(), overlays_.end(),
                               [](const PinnedResult& a, const PinnedResult& b) {
                                 return a.label == b.label && a.color == b.color && a.result == b.result &&
                                        a.notApplicable == b.notApplicable;
                               });
  if (!same) {
    overlays_ = std::move(overlays);
    std::fill(pinnedStale_.begin(), pinnedStale_.end(), true);
    scheduleFlush();
  }
  QElapsedTimer timer;
  timer.start();
  compare_->setColumns({out.current, out.currentError, false}, columns);
  compareMs_ = static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

bool MainWindow::raiseView(const QString& title) {
  // An exact title ("Transfer function"), its file stem ("transfer_function")
  // or a prefix ("transfer"), in that order.
  auto matches = [&](const ResultView* view, int pass) {
    const QString t = view->title();
    if (pass == 0)
      return t.compare(title, Qt::CaseInsensitive) == 0 ||
             plotexport::fileStem(t) == plotexport::fileStem(title);
    return t.startsWith(title, Qt::CaseInsensitive);
  };
  for (int pass = 0; pass < 2; ++pass)
    for (size_t i = 0; i < views_.size(); ++i)
      if (matches(views_[i], pass)) {
        viewDocks_[i]->show();
        viewDocks_[i]->raise();
        return true;
      }
  if (title.compare(QStringLiteral("layer"), Qt::CaseInsensitive) == 0) {
    layerDock_->show();
    layerDock_->raise();
    return true;
  }
  if (title.compare(QStringLiteral("model"), Qt::CaseInsensitive) == 0) {
    modelDock_->show();
    modelDock_->raise();
    return true;
  }
  return false;
}

QFuture<QStringList> MainWindow::exportAllPlots(const QString& directory) {
  auto promise = std::make_shared<QPromise<QStringList>>();
  promise->start();
  auto write = [this, directory, promise] {
    try {
      flushViews(); // hidden tabs too
      QStringList written;
      for (ResultView* view : views_)
        written += plotexport::exportAll(*view, directory);
      if (layerView_->report()) // only once a comparison has run
        written += plotexport::exportAll(tr("Layer"), layerView_->exportables(), directory);
      if (modelView_->session()->plan()) // only once a model is planned
        written += plotexport::exportAll(tr("Model"), modelView_->exportables(), directory);
      promise->addResult(written);
    } catch (const Error&) {
      promise->setException(std::current_exception());
    }
    promise->finish();
  };
  // Views with work of their own (the Sweep of a tensor it has not swept yet)
  // finish it first, on their workers; the files are written when the last
  // one has caught up.
  flushViews();
  auto waiting = std::make_shared<int>(1);
  auto oneDone = [waiting, write] {
    if (--*waiting == 0)
      write();
  };
  for (ResultView* view : views_) {
    if (view->isCaughtUp())
      continue;
    ++*waiting;
    const auto connection = connect(view, &ResultView::caughtUp, this, oneDone, Qt::SingleShotConnection);
    view->catchUp();
    if (view->isCaughtUp() && disconnect(connection))
      oneDone(); // it had nothing to run after all
  }
  oneDone();
  return promise->future();
}

void MainWindow::openFile(const QString& path, const QString& tensor) {
  if (QFileInfo(path).isDir()) {
    openModel({path});
    return;
  }
  const int open = document_->indexOfPath(path);
  if (open >= 0) { // already open: just select
    if (tensor.isEmpty() || !browser_->selectTensor(open, tensor))
      browser_->selectDefaultTensor(open);
    return;
  }
  pendingOpenPath_ = QFileInfo(path).absoluteFilePath();
  pendingTensor_ = tensor;
  document_->openFile(path);
}

void MainWindow::openModel(const QStringList& paths) {
  if (paths.isEmpty())
    return;
  const int open = document_->indexOfPath(paths.front());
  if (open >= 0 && document_->sources()[open].model) { // already open: show it
    modelDock_->show();
    modelDock_->raise();
    return;
  }
  pendingOpenPath_ = QFileInfo(paths.front()).absoluteFilePath();
  pendingTensor_.clear();
  document_->openModel(paths);
}

void MainWindow::openFromModel(const QString& tensor, const QuantConfig& config) {
  // The model is in the browser unless its entry was closed: then it comes back.
  int index = -1;
  for (size_t i = 0; i < document_->sources().size(); ++i)
    if (document_->sources()[i].source == modelView_->source())
      index = static_cast<int>(i);
  if (index < 0) {
    if (!modelView_->source())
      return;
    index = document_->addSource(modelView_->source(), modelView_->session()->label(),
                                 QString::fromStdString(modelView_->source()->path().string()), true);
  }
  document_->editConfig(config, tr("Open %1 from the model").arg(tensor));
  browser_->selectTensor(index, tensor);
  if (!viewDocks_.empty()) {
    viewDocks_.front()->show();
    viewDocks_.front()->raise();
  }
}

void MainWindow::openDemo(const QString& tensor) {
  int index = document_->indexOfPath(QStringLiteral("demo:"));
  if (index < 0) {
    pendingOpenPath_ = QStringLiteral("demo:");
    pendingTensor_ = tensor.isEmpty() ? QString::fromStdString(defaultDemoTensor()) : tensor;
    document_->addSource(makeDemoSource(), tr("Demo tensors"), QStringLiteral("demo:"));
    return;
  }
  if (!browser_->selectTensor(index, tensor.isEmpty() ? QString::fromStdString(defaultDemoTensor()) : tensor))
    browser_->selectDefaultTensor(index);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  for (const QUrl& url : event->mimeData()->urls())
    if (url.isLocalFile()) {
      event->acceptProposedAction();
      return;
    }
}

void MainWindow::dropEvent(QDropEvent* event) {
  for (const QUrl& url : event->mimeData()->urls())
    if (url.isLocalFile())
      openFile(url.toLocalFile());
  event->acceptProposedAction();
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (options_.useSettings) {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/plots"), plotArea_->saveState());
  }
  document_->cancelLoad();
  event->accept();
}

void MainWindow::showError(const QString& title, const QString& message) {
  if (QGuiApplication::platformName() == QLatin1String("offscreen")) {
    qWarning("%s: %s", qPrintable(title), qPrintable(message)); // nobody could click OK
    return;
  }
  QMessageBox::warning(this, title, message);
}

} // namespace qs
