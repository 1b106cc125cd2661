// BackgroundJob: a newer job cancels the stale one (which never reports),
// outcomes, progress (in 0.1 % steps) and posts arrive on the GUI thread and
// never inside start(), nothing arrives once the receiver is gone, errors
// and cancels are reported, and DeliverEach reports every job in order.
#include "core/error.h"
#include "widgets/background_job.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <chrono>
#include <thread>

using namespace qs;

class BackgroundJobTest : public QObject {
  Q_OBJECT
private slots:
  void newerJobCancelsTheStaleOne();
  void deliversOnTheGuiThreadOnly();
  void progressIsThrottled();
  void nothingArrivesAfterTheReceiverDies();
  void errorsAreDelivered();
  void cancelReportsCancelled();
  void deliverEachReportsEveryJobInOrder();
};

namespace {

// Spins until cancelled (or 10 s), then throws like the core does.
int waitForCancel(JobControl& job, std::atomic<bool>& sawCancel) {
  for (int i = 0; i < 10000 && !job.isCancelled(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  sawCancel = job.isCancelled();
  job.throwIfCancelled();
  return -1;
}

struct Receiver : QObject {
  BackgroundJob job;
};

} // namespace

void BackgroundJobTest::newerJobCancelsTheStaleOne() {
  BackgroundJob job;
  std::atomic<bool> started{false}, sawCancel{false};
  int staleReports = 0;
  std::vector<int> results;
  JobHandlers<int> stale;
  stale.done = [&](int) { ++staleReports; };
  stale.cancelled = [&] { ++staleReports; };
  stale.failed = [&](const QString&) { ++staleReports; };
  job.start<int>(
      [&](JobControl& control) {
        started = true;
        return waitForCancel(control, sawCancel);
      },
      stale);
  QVERIFY(QTest::qWaitFor([&] { return started.load(); }, 10000));
  JobHandlers<int> fresh;
  fresh.done = [&](int v) { results.push_back(v); };
  job.start<int>([](JobControl&) { return 2; }, fresh);
  QVERIFY(QTest::qWaitFor([&] { return !job.isBusy(); }, 10000));
  job.waitForDone();
  QTest::qWait(20);
  QVERIFY(sawCancel);
  QCOMPARE(staleReports, 0);
  QCOMPARE(results, std::vector<int>{2});
}

void BackgroundJobTest::deliversOnTheGuiThreadOnly() {
  BackgroundJob job;
  QThread* gui = QThread::currentThread();
  QThread* worker = nullptr;
  bool doneOnGui = false, progressOnGui = true, postOnGui = false;
  double lastFraction = 0;
  QString lastText;
  JobHandlers<int> handlers;
  handlers.done = [&](int) { doneOnGui = QThread::currentThread() == gui; };
  handlers.progress = [&](double fraction, const QString& text) {
    progressOnGui = progressOnGui && QThread::currentThread() == gui;
    QVERIFY(fraction >= lastFraction); // in order: never backwards
    lastFraction = fraction;
    lastText = text;
  };
  job.start<int>(
      [&](JobControl& control) {
        worker = QThread::currentThread();
        for (int i = 1; i <= 1000; ++i)
          control.progress(i / 1000.0, QStringLiteral("step %1").arg(i));
        control.post([&] { postOnGui = QThread::currentThread() == gui; });
        return 1;
      },
      handlers);
  QVERIFY(!doneOnGui); // never delivered inside start()
  QVERIFY(QTest::qWaitFor([&] { return !job.isBusy(); }, 10000));
  QVERIFY(worker && worker != gui);
  QVERIFY(doneOnGui);
  QVERIFY(progressOnGui);
  QVERIFY(postOnGui);
  QCOMPARE(lastFraction, 1.0); // the last report arrives before the outcome
  QCOMPARE(lastText, QStringLiteral("step 1000"));
}

void BackgroundJobTest::progressIsThrottled() {
  BackgroundJob job;
  std::vector<double> fractions;
  JobHandlers<int> handlers;
  handlers.progress = [&](double fraction, const QString&) { fractions.push_back(fraction); };
  job.start<int>(
      [](JobControl& control) {
        for (int i = 1; i <= 100000; ++i)
          control.progress(i / 100000.0);
        return 1;
      },
      handlers);
  QVERIFY(QTest::qWaitFor([&] { return !job.isBusy(); }, 10000));
  QCOMPARE(fractions.size(), size_t(1000)); // one per 0.1 %
  QCOMPARE(fractions.back(), 1.0);
}

void BackgroundJobTest::nothingArrivesAfterTheReceiverDies() {
  bool delivered = false;
  std::atomic<bool> sawCancel{false};
  auto* receiver = new Receiver;
  JobHandlers<int> handlers;
  handlers.done = [&](int) { delivered = true; };
  handlers.cancelled = [&] { delivered = true; };
  handlers.progress = [&](double, const QString&) { delivered = true; };
  handlers.failed = [&](const QString&) { delivered = true; };
  std::atomic<bool> started{false};
  receiver->job.start<int>(
      [&](JobControl& control) {
        started = true;
        try {
          waitForCancel(control, sawCancel);
        } catch (const Cancelled&) {
        }
        // Everything below is posted while the receiver is being destroyed.
        control.progress(1.0);
        control.post([&] { delivered = true; });
        return 1;
      },
      handlers);
  QVERIFY(QTest::qWaitFor([&] { return started.load(); }, 10000));
  delete receiver; // cancels and waits for the worker
  QVERIFY(sawCancel);
  QTest::qWait(50);
  QVERIFY(!delivered);
}

void BackgroundJobTest::errorsAreDelivered() {
  BackgroundJob job;
  QString message;
  bool done = false;
  JobHandlers<int> handlers;
  handlers.done = [&](int) { done = true; };
  handlers.failed = [&](const QString& m) { message = m; };
  job.start<int>([](JobControl&) -> int { throw Error("bad format 'int99'"); }, handlers);
  QVERIFY(QTest::qWaitFor([&] { return !job.isBusy(); }, 10000));
  QCOMPARE(message, QStringLiteral("bad format 'int99'"));
  QVERIFY(!done);
}

void BackgroundJobTest::cancelReportsCancelled() {
  BackgroundJob job;
  std::atomic<bool> sawCancel{false};
  int cancelled = 0;
  JobHandlers<int> handlers;
  handlers.cancelled = [&] { ++cancelled; };
  job.start<int>([&](JobControl& control) { return waitForCancel(control, sawCancel); }, handlers);
  QVERIFY(job.cancel());
  QVERIFY(!job.cancel()); // asked already
  QVERIFY(job.isBusy());  // still to report
  QVERIFY(QTest::qWaitFor([&] { return !job.isBusy(); }, 10000));
  QCOMPARE(cancelled, 1);
  // discard(): cancelled and silent.
  job.start<int>([&](JobControl& control) { return waitForCancel(control, sawCancel); }, handlers);
  job.discard();
  QVERIFY(!job.isBusy());
  job.waitForDone();
  QTest::qWait(20);
  QCOMPARE(cancelled, 1);
}

void BackgroundJobTest::deliverEachReportsEveryJobInOrder() {
  BackgroundJob job(BackgroundJob::Policy::DeliverEach);
  std::vector<int> results;
  JobHandlers<int> handlers;
  handlers.done = [&](int v) { results.push_back(v); };
  for (int i = 0; i < 5; ++i)
    job.start<int>([i](JobControl&) { return i; }, handlers);
  QVERIFY(QTest::qWaitFor([&] { return !job.isBusy(); }, 10000));
  QCOMPARE(results, (std::vector<int>{0, 1, 2, 3, 4}));
}

QTEST_MAIN(BackgroundJobTest)
#include "background_job_test.moc"
