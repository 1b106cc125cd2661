// The sweep runner against the real core, and SweepView drawing it.
#include "core/error.h"
#include "core/pipeline/quantize.h"
#include "core/sweep/sweep_runner.h"
#include "plots_fixture.h"
#include "widgets/plots/sweep_view.h"

#include <QSignalSpy>
#include <QtTest>
#include <qcustomplot.h>

using namespace qs;

class PlotsSweepTest : public QObject {
  Q_OBJECT
private slots:
  void runnerMatchesQuantize() {
    auto tensor = testfx::makeTensor();
    const auto candidates = sweepCandidates({"INT · per channel", "MX blocks"}, tensor->shape);
    QCOMPARE(candidates.size(), size_t(7 + 5));
    const auto points = runSweep(*tensor, candidates, nullptr);
    QCOMPARE(points.size(), candidates.size());
    // Every point is what a full quantize() of that config reports.
    for (size_t i : {size_t(2), size_t(9)}) {
      const auto full = quantize(*tensor, candidates[i].config);
      // (light analysis tiles differently: sums agree to rounding)
      QVERIFY(std::fabs(points[i].sqnrDb - full->metrics.sqnrDb) < 1e-6 * std::fabs(full->metrics.sqnrDb));
      QCOMPARE(points[i].bitsPerElement, full->metrics.bitsPerElement);
    }
    // More integer bits, more SQNR (per-channel INT2 .. INT8).
    for (size_t i = 1; i < 7; ++i)
      QVERIFY(points[i].sqnrDb > points[i - 1].sqnrDb);
  }

  void cancelStops() {
    auto tensor = testfx::makeTensor();
    std::atomic<bool> cancel{true};
    QVERIFY_THROWS_EXCEPTION(qs::Cancelled,
                             qs::runSweep(*tensor, sweepCandidates({"INT · group"}, tensor->shape), &cancel));
  }

  void sampleKeepsWholeRows() {
    Tensor t;
    t.shape = {100, 10};
    for (int i = 0; i < 1000; ++i)
      t.values.push_back(float(i));
    const Tensor s = sweepSample(t, 250);
    QCOMPARE(s.shape, (Shape{25, 10}));
    QCOMPARE(s.values[10], 40.0f); // row 1 of the sample is row 4 of the tensor
    QCOMPARE(sweepSample(t, 5000).numel(), int64_t(1000));
  }

  void viewDrawsOneLinePerFamily() {
    auto tensor = testfx::makeTensor();
    QuantConfig current;
    current.format = "int4";
    current.granularity = Granularity{GranularityKind::Channel, 0, 128};
    auto result = quantize(*tensor, current);
    SweepView view;
    for (const std::string& f : sweepFamilies())
      view.setFamilyEnabled(f, f == "INT · per channel" || f == "FP · per tensor" || f == "NF4 / codebooks");
    view.resize(900, 600);
    view.show();
    QSignalSpy done(&view, &SweepView::sweepFinished);
    view.setResult(result, tensor);
    // (the job may already be done here on a small tensor: the queued signal still arrives)
    QVERIFY(done.count() == 1 || done.wait(60000));
    QCoreApplication::processEvents(); // the last queued point
    QCOMPARE(view.points().size(), size_t(7 + 5 + 2));
    QCustomPlot* p = view.plot();
    int families = 0;
    QCPGraph* cur = nullptr;
    for (int i = 0; i < p->graphCount(); ++i) {
      if (p->graph(i)->objectName() == QLatin1String("current"))
        cur = p->graph(i);
      else if (p->graph(i)->objectName() == QStringLiteral("INT · per channel")) {
        ++families;
        QCOMPARE(p->graph(i)->dataCount(), 7);
      } else if (p->graph(i)->objectName() == QStringLiteral("FP · per tensor")) {
        ++families;
        QCOMPARE(p->graph(i)->dataCount(), 5);
      } else if (p->graph(i)->objectName() == QStringLiteral("NF4 / codebooks")) {
        ++families;
      }
    }
    QCOMPARE(families, 3);
    QVERIFY(cur);
    QCOMPARE(cur->data()->constBegin()->value, result->metrics.sqnrDb);
    QCOMPARE(cur->data()->constBegin()->key, result->metrics.bitsPerElement);
    // The highlighted point lies on the INT per-channel line (same config, same numbers).
    const auto& pts = view.points();
    QVERIFY(std::any_of(pts.begin(), pts.end(), [&](const SweepPoint& pt) {
      return pt.label == "INT4 · per channel" &&
             std::fabs(pt.sqnrDb - result->metrics.sqnrDb) < 1e-6 * pt.sqnrDb;
    }));
    // The Pareto front: a staircase through the points no cheaper point beats.
    QCPGraph* front = nullptr;
    for (int i = 0; i < p->graphCount(); ++i)
      if (p->graph(i)->objectName() == QLatin1String("pareto"))
        front = p->graph(i);
    QVERIFY(front);
    QVERIFY(front->dataCount() >= 2);
    double previousDb = -1e300;
    for (auto it = front->data()->constBegin(); it != front->data()->constEnd(); ++it) {
      QVERIFY(it->value > previousDb);
      previousDb = it->value;
      for (const SweepPoint& pt : pts) // nothing at most as large is better
        QVERIFY(!(pt.bitsPerElement <= it->key && pt.sqnrDb > it->value));
    }
    testfx::saveShot(view, QStringLiteral("sweep"));
  }
};

QTEST_MAIN(PlotsSweepTest)
#include "plots_sweep_test.moc"
