#include "widgets/imatrix_actions.h"

#include "widgets/document.h"
#include "widgets/imatrix_stats_table.h"
#include "widgets/main_window.h"
#include "widgets/model/model_view.h"
#include "widgets/plots/outlier_view.h"

#include <QAction>
#include <QDialog>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QLabel>
#include <QMessageBox>
#include <QStatusBar>
#include <QVBoxLayout>

namespace qs {

namespace {

QString describe(const Imatrix& m) {
  QStringList datasets;
  for (const std::string& d : m.datasets)
    datasets << QString::fromStdString(d);
  QString chunks = QObject::tr("%1 chunks").arg(m.chunks);
  if (m.chunkSize > 0)
    chunks += QObject::tr(" × %1 tokens").arg(m.chunkSize);
  return QObject::tr("%1 (%2, %3 entries) · datasets: %4 · %5")
      .arg(QString::fromStdString(m.path.string()),
           m.form == "gguf" ? QStringLiteral("GGUF") : QStringLiteral(".dat"))
      .arg(m.entries.size())
      .arg(datasets.isEmpty() ? QObject::tr("none recorded") : datasets.join(QStringLiteral("; ")), chunks);
}

} // namespace

ImatrixActions::ImatrixActions(MainWindow* window) : QObject(window), window_(window) {
  setObjectName(QStringLiteral("imatrixActions"));
  open_ = new QAction(tr("Open &imatrix…"), this);
  open_->setToolTip(
      tr("Load a llama.cpp importance matrix (.gguf or legacy .dat); it replaces the loaded one"));
  connect(open_, &QAction::triggered, this, [this] {
    const QString path = QFileDialog::getOpenFileName(window_, tr("Open imatrix"), {},
                                                      tr("llama.cpp imatrix (*.gguf *.dat);;All files (*)"));
    if (!path.isEmpty()) {
      window_->statusBar()->showMessage(tr("Reading imatrix %1…").arg(path));
      window_->document()->openImatrix(path);
    }
  });
  stats_ = new QAction(tr("I&matrix statistics"), this);
  stats_->setToolTip(
      tr("Per imatrix entry: Σ act², % active columns, entropy, cosine to the previous block"));
  connect(stats_, &QAction::triggered, this, &ImatrixActions::showStats);

  indicator_ = new QLabel(window_);
  indicator_->setObjectName(QStringLiteral("imatrixIndicator"));
  indicator_->hide();
  window_->statusBar()->addPermanentWidget(indicator_);

  Document* doc = window_->document();
  connect(doc, &Document::imatrixChanged, this, &ImatrixActions::loaded);
  connect(doc, &Document::imatrixFailed, this, [this](const QString&, const QString& message) {
    window_->statusBar()->clearMessage();
    // The reader's message names the file. Not modal: the window stays live;
    // offscreen (tests, --screenshot) nobody could click OK.
    if (QGuiApplication::platformName() == QLatin1String("offscreen")) {
      qWarning("%s", qPrintable(message));
      return;
    }
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Could not open the imatrix"), message,
                                QMessageBox::Ok, window_);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
  });
}

void ImatrixActions::loaded() {
  const auto imatrix = window_->document()->imatrix();
  for (ResultView* view : window_->views())
    if (auto* outliers = qobject_cast<OutlierView*>(view))
      outliers->setImatrix(imatrix);
  window_->modelView()->setImatrix(imatrix, window_->document()->imatrixStats());
  if (!imatrix)
    return;
  const QString name = QFileInfo(QString::fromStdString(imatrix->path.string())).fileName();
  indicator_->setText(tr("imatrix: %1").arg(name));
  indicator_->setToolTip(describe(*imatrix));
  indicator_->show();
  const size_t n = imatrix->entries.size();
  window_->statusBar()->showMessage(
      tr("Imatrix %1 loaded: %2 %3").arg(name).arg(n).arg(n == 1 ? tr("tensor") : tr("tensors")), 6000);
  if (dialog_)
    fillDialog();
}

void ImatrixActions::showStats() {
  if (!dialog_) {
    dialog_ = new QDialog(window_);
    dialog_->setObjectName(QStringLiteral("imatrixStatsDialog"));
    dialog_->setWindowTitle(tr("Imatrix statistics"));
    auto* layout = new QVBoxLayout(dialog_);
    header_ = new QLabel(dialog_);
    header_->setWordWrap(true);
    header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(header_);
    table_ = new ImatrixStatsTable({}, dialog_);
    layout->addWidget(table_, 1);
    dialog_->resize(1100, 600);
  }
  fillDialog();
  dialog_->show();
  dialog_->raise();
}

void ImatrixActions::fillDialog() {
  const auto imatrix = window_->document()->imatrix();
  header_->setText(imatrix ? describe(*imatrix) : tr("No imatrix loaded: File ▸ Open imatrix…"));
  table_->setStats(window_->document()->imatrixStats());
}

} // namespace qs
