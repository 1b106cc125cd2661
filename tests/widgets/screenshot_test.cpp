// Smoke test of the real binary: `quantscope --screenshot` renders the demo
// window offscreen to a PNG that is large and not a single colour; bad
// options fail with a message instead of hanging; a model folder renders
// the Model tab after its scan and plan.
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QTest>

#include <cstdlib>

namespace {

const QString kBinary = QStringLiteral(QS_TEST_OUT_DIR "/../../app/quantscope");

struct Run {
  int exitCode = -1;
  QString out, err;
};

Run run(const QStringList& args) {
  QProcess process;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  process.setProcessEnvironment(env);
  process.start(kBinary, args);
  Run r;
  if (!process.waitForFinished(180000)) {
    process.kill();
    process.waitForFinished();
    r.err = QStringLiteral("timed out");
    return r;
  }
  r.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
  r.out = QString::fromLocal8Bit(process.readAllStandardOutput());
  r.err = QString::fromLocal8Bit(process.readAllStandardError());
  return r;
}

} // namespace

class ScreenshotTest : public QObject {
  Q_OBJECT
private slots:
  void initTestCase() {
    QVERIFY2(QFileInfo(kBinary).isExecutable(),
             qPrintable(kBinary + " is not built (build the 'quantscope' target)"));
  }

  void demoWindowRendersToPng() {
    const QString png = QStringLiteral(QS_TEST_OUT_DIR "/screenshot_test.png");
    QFile::remove(png);
    const Run r = run({"--screenshot", png, "--size", "1280x800"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.out.contains(png));
    QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), QSize(1280, 800));
    QVERIFY(QFileInfo(png).size() > 30000);
    // Not a blank window: many distinct colours.
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 4)
      for (int x = 0; x < image.width(); x += 4)
        colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() > 50, qPrintable(QString::number(colours.size())));
  }

  void tabAndConfigOptions() {
    const QString cfg = QStringLiteral(QS_TEST_OUT_DIR "/screenshot_test_cfg.json");
    QFile file(cfg);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(
        R"({"schema":"quantscope.config/1","format":"int4","granularity":{"kind":"group","axis":1,"group_size":32}})");
    file.close();
    const QString png = QStringLiteral(QS_TEST_OUT_DIR "/screenshot_test_tab.png");
    const Run r = run({"--screenshot", png, "--config", cfg, "--tab", "Transfer", "--size", "900x600"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(QImage(png).size(), QSize(900, 600));
  }

  void modelTabRendersOnceScannedAndPlanned() {
    // The picture is only taken once the scan has ended and its plan is on
    // screen: without them the binary times out with exit code 2.
    const QString dir = QStringLiteral(QS_TEST_OUT_DIR "/screenshot_model");
    const QString make =
        QStringLiteral(QS_PYTHON " " QS_SOURCE_DIR "/tests/data/make_demo_model.py %1 --blocks 4 "
                                 "--hidden 256 --ffn 512 --vocab 512")
            .arg(dir);
    QCOMPARE(std::system(qPrintable(make)), 0);
    const QString png = QStringLiteral(QS_TEST_OUT_DIR "/screenshot_test_model.png");
    QFile::remove(png);
    const Run r = run({"--screenshot", png, "--open", dir, "--tab", "Model", "--size", "1366x768"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.out.contains(png));
    QCOMPARE(QImage(png).size(), QSize(1366, 768));
    // A demo tensor is not a model: the Model tab says so instead of waiting.
    const Run demo = run({"--screenshot", QS_TEST_OUT_DIR "/never.png", "--tab", "Model"});
    QCOMPARE(demo.exitCode, 2);
    QVERIFY2(demo.err.contains("wants a model"), qPrintable(demo.err));
  }

  void badOptionsFailClearly() {
    Run r = run({"--screenshot", QS_TEST_OUT_DIR "/never.png", "--tab", "no such tab"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.contains("no plot tab"));
    r = run({"--screenshot", QS_TEST_OUT_DIR "/never.png", "--open", "/nonexistent/file.npy"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.contains("/nonexistent/file.npy"));
    r = run({"--screenshot", QS_TEST_OUT_DIR "/never.png", "--size", "big"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(!QFileInfo::exists(QS_TEST_OUT_DIR "/never.png"));
  }
};

QTEST_GUILESS_MAIN(ScreenshotTest)
#include "screenshot_test.moc"
