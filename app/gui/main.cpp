// quantscope: the workbench. With --screenshot it renders the main window
// offscreen-capable to a PNG once the first result is drawn, then exits.
#include "core/error.h"
#include "core/quant/config_check.h"
#include "core/quant/quant_config.h"
#include "widgets/analyzer.h"
#include "widgets/document.h"
#include "widgets/main_window.h"
#include "widgets/model/model_session.h"
#include "widgets/model/model_view.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTimer>

#include <cstdio>
#include <memory>

namespace {

int fail(const QString& message, int code = 2) {
  std::fprintf(stderr, "quantscope: %s\n", qPrintable(message));
  return code;
}

} // namespace

int main(int argc, char** argv) {
  // --screenshot renders offscreen unless a platform was chosen explicitly.
  for (int i = 1; i < argc; ++i)
    if (qstrcmp(argv[i], "--screenshot") == 0 && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
      qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("QuantScope"));
  QApplication::setApplicationName(QStringLiteral("QuantScope"));

  QCommandLineParser parser;
  parser.setApplicationDescription(QStringLiteral("QuantScope: see what quantization does to a tensor."));
  parser.addHelpOption();
  const QCommandLineOption screenshot(
      QStringLiteral("screenshot"),
      QStringLiteral("Render the main window to FILE.png once the first result is drawn, then exit."),
      QStringLiteral("FILE.png"));
  const QCommandLineOption open(
      QStringLiteral("open"),
      QStringLiteral("Open a tensor file, or a model folder (the Model tab scans it)."),
      QStringLiteral("FILE"));
  const QCommandLineOption tensor(QStringLiteral("tensor"),
                                  QStringLiteral("Select this tensor (in --open's file, or a demo "
                                                 "tensor)."),
                                  QStringLiteral("NAME"));
  const QCommandLineOption config(QStringLiteral("config"),
                                  QStringLiteral("Start with this config (quantscope.config/2 JSON)."),
                                  QStringLiteral("CFG.json"));
  const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size, e.g. 1600x1000."),
                                QStringLiteral("WxH"));
  const QCommandLineOption tab(QStringLiteral("tab"), QStringLiteral("Raise this plot tab."),
                               QStringLiteral("NAME"));
  const QCommandLineOption imatrix(QStringLiteral("imatrix"),
                                   QStringLiteral("Load this llama.cpp importance matrix (.gguf or .dat)."),
                                   QStringLiteral("FILE"));
  parser.addOptions({screenshot, open, tensor, config, size, tab, imatrix});
  parser.addPositionalArgument(QStringLiteral("files"), QStringLiteral("Tensor files to open."),
                               QStringLiteral("[files...]"));
  parser.process(app);

  const bool offscreenShot = parser.isSet(screenshot);
  qs::MainWindow::Options options;
  options.useSettings = !offscreenShot; // screenshots must not depend on a saved layout
  qs::MainWindow window(options);

  if (parser.isSet(size)) {
    const auto m = QRegularExpression(QStringLiteral("^(\\d+)x(\\d+)$")).match(parser.value(size));
    if (!m.hasMatch() || m.captured(1).toInt() < 200 || m.captured(2).toInt() < 150)
      return fail(QStringLiteral("--size wants WxH, at least 200x150 (got '%1')").arg(parser.value(size)));
    window.resize(m.captured(1).toInt(), m.captured(2).toInt());
  }
  if (parser.isSet(config)) {
    QFile file(parser.value(config));
    if (!file.open(QIODevice::ReadOnly))
      return fail(QStringLiteral("%1: %2").arg(file.fileName(), file.errorString()));
    try {
      const qs::QuantConfig loaded = qs::configFromJson(file.readAll().toStdString());
      qs::validateConfig(loaded);
      window.document()->applyConfig(loaded);
    } catch (const qs::Error& e) {
      return fail(QStringLiteral("%1: %2").arg(file.fileName(), QString::fromUtf8(e.what())));
    }
  }
  if (parser.isSet(tab) && !window.raiseView(parser.value(tab))) {
    QStringList titles;
    for (const qs::ResultView* view : window.views())
      titles << view->title();
    titles << QStringLiteral("Layer") << QStringLiteral("Model");
    return fail(QStringLiteral("no plot tab '%1' (tabs: %2)")
                    .arg(parser.value(tab), titles.join(QStringLiteral(", "))));
  }

  if (parser.isSet(imatrix))
    window.document()->openImatrix(parser.value(imatrix));

  QStringList files = parser.positionalArguments();
  if (parser.isSet(open))
    files.prepend(parser.value(open));
  // The Model tab shows a model: a folder (File ▸ Open model… for several files).
  if (offscreenShot && parser.value(tab).compare(QStringLiteral("model"), Qt::CaseInsensitive) == 0 &&
      (files.isEmpty() || !QFileInfo(files.front()).isDir()))
    return fail(QStringLiteral("--tab Model wants a model: --open a model folder"));
  if (files.isEmpty()) {
    window.openDemo(parser.value(tensor));
  } else {
    window.openFile(files.front(), parser.value(tensor));
    for (qsizetype i = 1; i < files.size(); ++i)
      window.openFile(files[i]);
  }

  if (offscreenShot) {
    const QString path = parser.value(screenshot);
    auto quitWith = [&app](const QString& message) {
      std::fprintf(stderr, "quantscope: %s\n", qPrintable(message));
      app.exit(2);
    };
    QObject::connect(window.document(), &qs::Document::openFailed, &app,
                     [quitWith](const QString& file, const QString& message) {
                       quitWith(QStringLiteral("%1: %2").arg(file, message));
                     });
    QObject::connect(window.document(), &qs::Document::loadFailed, &app,
                     [quitWith](const QString& name, const QString& message) {
                       quitWith(QStringLiteral("%1: %2").arg(name, message));
                     });
    QObject::connect(window.analyzer(), &qs::Analyzer::failed, &app,
                     [quitWith](const QString& message) { quitWith(message); });
    QObject::connect(
        window.document(), &qs::Document::imatrixFailed, &app,
        [quitWith](const QString&, const QString& message) { quitWith(message); }); // names the file
    // The picture is taken when a result for a loaded tensor is on screen,
    // nothing newer is on its way, the imatrix asked for is loaded and every
    // view has done its own work (the Outliers tab's imatrix columns); for the
    // Model tab, also once the model's scan has ended and its plan is shown.
    const bool wantImatrix = parser.isSet(imatrix);
    const bool modelShot = parser.value(tab).compare(QStringLiteral("model"), Qt::CaseInsensitive) == 0;
    auto settled = [&window, wantImatrix, modelShot] {
      if (window.analyzer()->isBusy() || window.document()->isLoading() ||
          (wantImatrix && !window.document()->imatrix()) || (modelShot && !window.modelView()->isSettled()))
        return false;
      for (const qs::ResultView* view : window.views())
        if (view->isVisible() && !view->isCaughtUp())
          return false;
      return true;
    };
    auto shown = std::make_shared<bool>(false);
    auto tryShot = [&window, &app, path, settled, shown, modelShot] {
      if ((!*shown && !modelShot) || !settled())
        return;
      // Let pending layout requests (status bar text) settle first.
      QTimer::singleShot(modelShot ? 300 : 100, &app, [&window, &app, path, settled] {
        if (!settled())
          return; // a newer result or a view's work will come and try again
        if (!window.grab().save(path, "PNG")) {
          std::fprintf(stderr, "quantscope: cannot write %s\n", qPrintable(path));
          app.exit(1);
          return;
        }
        std::printf("%s\n", qPrintable(path));
        std::fflush(stdout);
        app.exit(0);
      });
    };
    QObject::connect(&window, &qs::MainWindow::resultsShown, &app,
                     [shown, tryShot](const qs::AnalysisOutput& output, double) {
                       if (!output.tensor)
                         return;
                       *shown = true;
                       tryShot();
                     });
    for (qs::ResultView* view : window.views())
      QObject::connect(view, &qs::ResultView::caughtUp, &app, tryShot);
    if (modelShot) {
      const qs::ModelSession* session = window.modelView()->session();
      QObject::connect(window.modelView(), &qs::ModelView::settled, &app, tryShot);
      QObject::connect(session, &qs::ModelSession::scanEnded, &app, [quitWith](bool, const QString& error) {
        if (!error.isEmpty())
          quitWith(QStringLiteral("scan: %1").arg(error));
      });
      QObject::connect(session, &qs::ModelSession::planFailed, &app,
                       [quitWith](const QString& message) { quitWith(message); });
    }
    // A whole model's scan takes as long as reading and quantizing all of it.
    const int limitSeconds = modelShot ? 3600 : 120;
    QTimer::singleShot(limitSeconds * 1000, &app, [quitWith, limitSeconds] {
      quitWith(QStringLiteral("no result after %1 s; no screenshot written").arg(limitSeconds));
    });
  }
  window.show();
  return app.exec();
}
