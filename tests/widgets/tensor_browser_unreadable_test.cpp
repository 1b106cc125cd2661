// The tensor browser and tensors QuantScope cannot read (a GGUF type it cannot
// dequantize): listed greyed with the reason as tooltip, never the default
// tensor, and selecting one shows the reason instead of loading it.
#include "fake_source.h"
#include "widgets/document.h"
#include "widgets/tensor_browser.h"

#include <QLabel>
#include <QSignalSpy>
#include <QTest>

using namespace qs;

class TensorBrowserUnreadableTest : public QObject {
  Q_OBJECT
private slots:
  void unreadableTensorShowsItsReason();
};

void TensorBrowserUnreadableTest::unreadableTensorShowsItsReason() {
  Document doc;
  TensorBrowser browser(&doc);
  auto source = std::make_shared<test::FakeSource>("gguf");
  source->add("blk.0.ffn_up.weight", {64, 32});
  source->add("blk.0.ffn_down.weight", {128, 64}); // the largest, but unreadable
  const std::string reason = "is stored as GGUF type 99, which is not a ggml type QuantScope knows";
  source->markUnreadable("blk.0.ffn_down.weight", reason);
  doc.addSource(source, "model.gguf", "/tmp/model.gguf");

  QCOMPARE(TensorBrowser::defaultTensor(source->list()), QString("blk.0.ffn_up.weight"));

  QSignalSpy changed(&doc, &Document::tensorChanged);
  QVERIFY(browser.selectTensor(0, "blk.0.ffn_up.weight"));
  QVERIFY(changed.wait(5000));
  QVERIFY(browser.notice()->isHidden());

  QSignalSpy started(&doc, &Document::loadStarted);
  QVERIFY(browser.selectTensor(0, "blk.0.ffn_down.weight"));
  QCOMPARE(started.count(), 0); // nothing is read
  QVERIFY(!browser.notice()->isHidden());
  QCOMPARE(browser.notice()->text(),
           QString::fromStdString("Tensor 'blk.0.ffn_down.weight' " + reason + "."));
  QCOMPARE(doc.tensorName(), QString("blk.0.ffn_up.weight")); // the views keep what they show

  // The picture a reviewer looks at: the greyed row and the reason under the tree.
  browser.resize(460, 320);
  browser.show();
  QVERIFY(QTest::qWaitForWindowExposed(&browser));
  const QString png = QStringLiteral(QS_TEST_OUT_DIR "/tensor_browser_unreadable.png");
  QVERIFY(browser.grab().save(png));
  QVERIFY(browser.notice()->isVisible());
  QVERIFY(browser.notice()->height() >= browser.notice()->heightForWidth(browser.notice()->width()));

  QVERIFY(browser.selectTensor(0, "blk.0.ffn_up.weight"));
  QVERIFY(browser.notice()->isHidden());
}

QTEST_MAIN(TensorBrowserUnreadableTest)
#include "tensor_browser_unreadable_test.moc"
