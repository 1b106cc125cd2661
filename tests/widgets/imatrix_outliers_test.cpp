// The Outliers tab's imatrix panel in the real window (offscreen): a tensor
// file and a legacy imatrix written here with planted activation outliers,
// opened through the Document. The plot has one point per input column, the
// marked columns are the rule's (computed here with plain loops), the
// weighted error is the scan's for the same config, and a tensor without a
// fitting entry says why in one line. Also the statistics dialog.
#include "core/io/imatrix.h"
#include "core/io/model_source.h"
#include "core/io/tensor_writer.h"
#include "core/model/imatrix_columns.h"
#include "core/model/scan.h"
#include "widgets/document.h"
#include "widgets/imatrix_actions.h"
#include "widgets/imatrix_stats_table.h"
#include "widgets/main_window.h"
#include "widgets/plots/imatrix_columns_panel.h"
#include "widgets/plots/outlier_view.h"
#include "widgets/plots/plot_style.h"

#include <QAction>
#include <QDir>
#include <QLabel>
#include <QSignalSpy>
#include <QSplitter>
#include <QTableWidget>
#include <QTest>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

using namespace qs;

namespace {

namespace fs = std::filesystem;

constexpr int64_t kRows = 64, kCols = 256;
constexpr float kNcall = 4;
const char* const kQ = "model.layers.0.self_attn.q_proj.weight"; // the imatrix says blk.0.attn_q.weight
const char* const kExperts = "blk.1.ffn_up_exps.weight";         // [2, 16, 64]: one row of weights per expert
const char* const kWrongSize = "blk.2.attn_k.weight";            // [16, 64], the entry has 48
const char* const kMissing = "model.layers.3.mlp.down_proj.weight";

struct Fixture {
  fs::path tensors, imatrix;
  std::vector<float> q, experts;              // the tensors' values
  std::vector<float> qWeights, expertWeights; // value / ncall, as the reader gives them
};

void putInt(std::string& out, int32_t v) {
  out.append(reinterpret_cast<const char*>(&v), 4);
}

void putEntry(std::string& out, const std::string& name, const std::vector<float>& values) {
  putInt(out, int32_t(name.size()));
  out += name;
  putInt(out, int32_t(kNcall));
  putInt(out, int32_t(values.size()));
  out.append(reinterpret_cast<const char*>(values.data()), values.size() * 4);
}

std::vector<float> uniform(std::mt19937& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v)
    x = d(rng);
  return v;
}

// Activation outliers (×40 the typical E[x²]) at columns 3, 77, 150 and 200;
// the weight's columns 3, 150 and 31 are large, 77 small: the rule marks 3
// and 150 (200's weight column is typical: about half the columns pass the
// median, so it is settled by the data; the test computes the rule itself).
Fixture makeFixture() {
  Fixture f;
  const fs::path dir = fs::path(QS_TEST_OUT_DIR) / "imatrix_outliers";
  fs::create_directories(dir);
  std::mt19937 rng(23);
  std::normal_distribution<float> normal(0.0f, 0.05f);
  f.q.resize(size_t(kRows * kCols));
  for (int64_t r = 0; r < kRows; ++r)
    for (int64_t c = 0; c < kCols; ++c) {
      const float scale = c == 3 || c == 150 || c == 31 ? 5.0f : c == 77 ? 0.3f : 1.0f;
      f.q[size_t(r * kCols + c)] = normal(rng) * scale;
    }
  f.experts.resize(2 * 16 * 64);
  for (float& x : f.experts)
    x = normal(rng);
  std::vector<float> k(16 * 64), down(32 * 64);
  for (float& x : k)
    x = normal(rng);
  for (float& x : down)
    x = normal(rng);
  f.tensors = dir / "model.safetensors";
  writeSafetensors(f.tensors,
                   {floatArray(kQ, {kRows, kCols}, f.q), floatArray(kExperts, {2, 16, 64}, f.experts),
                    floatArray(kWrongSize, {16, 64}, k), floatArray(kMissing, {32, 64}, down)},
                   {});

  std::vector<float> qValues = uniform(rng, size_t(kCols), 2.0f, 8.0f); // stored as E[x²] · ncall
  for (int c : {3, 77, 150, 200})
    qValues[size_t(c)] *= 40.0f;
  std::vector<float> expertValues = uniform(rng, 128, 2.0f, 8.0f);
  expertValues[70] *= 50.0f; // expert 1, column 6
  std::string bytes;
  putInt(bytes, 3);
  putEntry(bytes, "blk.0.attn_q.weight", qValues);
  putEntry(bytes, kExperts, expertValues);
  putEntry(bytes, kWrongSize, uniform(rng, 48, 2.0f, 8.0f));
  putInt(bytes, 10);
  putInt(bytes, 4);
  bytes += "wiki";
  f.imatrix = dir / "imatrix.dat";
  std::ofstream(f.imatrix, std::ios::binary) << bytes;
  for (float v : qValues)
    f.qWeights.push_back(v / kNcall);
  for (float v : expertValues)
    f.expertWeights.push_back(v / kNcall);
  return f;
}

double upperMedian(std::vector<float> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The rule of core/model/imatrix_columns.h with plain loops: E[x²] > 6 ×
// median and the column's max |W| > the median column max |W|.
std::set<int64_t> expectedHits(const std::vector<float>& values, const std::vector<float>& weights,
                               int64_t experts, int64_t rows, int64_t cols) {
  std::vector<float> absMax(size_t(experts * cols), 0.0f);
  for (int64_t e = 0; e < experts; ++e)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        absMax[size_t(e * cols + c)] =
            std::max(absMax[size_t(e * cols + c)], std::fabs(values[size_t((e * rows + r) * cols + c)]));
  const double wMedian = upperMedian(weights), aMedian = upperMedian(absMax);
  std::set<int64_t> hits;
  for (size_t k = 0; k < weights.size(); ++k)
    if (weights[k] > 6.0 * wMedian && absMax[k] > aMedian)
      hits.insert(int64_t(k));
  return hits;
}

std::set<int64_t> plottedHits(const ImatrixColumnsPanel& panel) {
  std::set<int64_t> out;
  for (auto it = panel.hitGraph()->data()->constBegin(); it != panel.hitGraph()->data()->constEnd(); ++it)
    out.insert(int64_t(std::llround(it->key)));
  return out;
}

} // namespace

class ImatrixOutliersTest : public QObject {
  Q_OBJECT
private slots:
  void initTestCase() { fixture_ = makeFixture(); }

  void plotsColumnsMarksHitsAndWeighsTheError() {
    MainWindow window(MainWindow::Options{false});
    window.resize(1600, 1000);
    window.show();
    window.document()->openImatrix(QString::fromStdString(fixture_.imatrix.string()));
    window.openFile(QString::fromStdString(fixture_.tensors.string()), QString::fromUtf8(kQ));
    QVERIFY(window.raiseView(QStringLiteral("Outliers")));
    OutlierView* view = outlierView(window);
    QVERIFY(view);
    ImatrixColumnsPanel* panel = view->imatrixPanel();
    QTRY_VERIFY_WITH_TIMEOUT(panel->hasColumns() && panel->tensorName() == QString::fromUtf8(kQ), 20000);
    QTRY_VERIFY(view->isCaughtUp());

    // One point per input column (every weight is positive: all on the log axis).
    QCOMPARE(panel->importanceGraph()->dataCount(), int(kCols));
    QCOMPARE(panel->absMaxGraph()->dataCount(), int(kCols));
    for (int c : {3, 150}) {
      const double plotted = (panel->importanceGraph()->data()->constBegin() + c)->value;
      QCOMPARE(plotted, double(fixture_.qWeights[size_t(c)]));
    }
    const std::set<int64_t> want = expectedHits(fixture_.q, fixture_.qWeights, 1, kRows, kCols);
    QVERIFY(want.count(3) && want.count(150) && !want.count(77) && !want.count(31));
    QCOMPARE(plottedHits(*panel), want);
    QCOMPARE(panel->hitTable()->rowCount(), int(want.size()));
    QCOMPARE(std::set<int64_t>(panel->columns()->hits.begin(), panel->columns()->hits.end()), want);
    QCOMPARE(panel->hitTable()->item(0, 0)->text(), QString::number(panel->columns()->hits.front()));
    QVERIFY(panel->statusText().contains(QStringLiteral("blk.0.attn_q.weight")));
    QVERIFY(view->exportables().contains(panel->plot()));

    // The weighted error is the scan's for the same config.
    const QuantConfig config = window.analyzer()->last().current->config;
    const Imatrix imatrix = readImatrix(fixture_.imatrix);
    ScanOptions options;
    options.formats = {config.format};
    options.base = config;
    options.imatrix = &imatrix;
    options.include = "self_attn";
    const ScanResult scan = scanModel(*openModel({fixture_.tensors}), options);
    QCOMPARE(scan.tensors.size(), size_t(1));
    const CandidateScore& score = scan.tensors[0].candidates.at(0);
    QVERIFY2(score.ok(), score.problem.c_str());
    QVERIFY(score.weightedSse > 0);
    QCOMPARE(panel->columns()->weightedSse, score.weightedSse);
    QCOMPARE(panel->columns()->sse, score.sse);
    QVERIFY(panel->errorText().contains(QStringLiteral("Σ_j w_j Σ_i e_ij²")));
    QVERIFY(panel->errorText().contains(plotstyle::num(score.weightedSse)));
    QVERIFY(panel->errorText().contains(plotstyle::num(score.sse)));
    grabTo(window, "imatrix_outliers_1600.png");

    // Experts: one point per (expert, column), the rule over all of them.
    selectAndWait(window, panel, kExperts);
    QCOMPARE(panel->importanceGraph()->dataCount(), 128);
    const std::set<int64_t> expertHits = expectedHits(fixture_.experts, fixture_.expertWeights, 2, 16, 64);
    QCOMPARE(plottedHits(*panel), expertHits);
    QVERIFY(expertHits.count(70)); // expert 1, column 6
    options.include = "ffn_up_exps";
    const ScanResult expertScan = scanModel(*openModel({fixture_.tensors}), options);
    QCOMPARE(expertScan.tensors.size(), size_t(1));
    QCOMPARE(expertScan.tensors[0].imatrixNote, std::string());
    QCOMPARE(panel->columns()->weightedSse, expertScan.tensors[0].candidates.at(0).weightedSse);

    // No fitting entry: one line says why, and no plot.
    selectAndWait(window, panel, kWrongSize);
    QVERIFY(!panel->hasColumns());
    QVERIFY2(panel->statusText().contains(QStringLiteral("sizes differ")), qPrintable(panel->statusText()));
    QVERIFY(panel->statusText().contains(QStringLiteral("48 weights")));
    selectAndWait(window, panel, kMissing);
    QVERIFY(!panel->hasColumns());
    QVERIFY2(panel->statusText().contains(QStringLiteral("not in the imatrix")),
             qPrintable(panel->statusText()));
    QVERIFY(!panel->plot()->isVisible());
    // The line's slot in the splitter is the line: the other widgets share the rest.
    auto* splitter = qobject_cast<QSplitter*>(panel->parentWidget());
    QVERIFY(splitter);
    QCOMPARE(splitter->sizes()[splitter->indexOf(panel)], panel->height());
    window.resize(1366, 768);
    selectAndWait(window, panel, kQ);
    QVERIFY(panel->hasColumns());
    grabTo(window, "imatrix_outliers_1366.png");
  }

  void noImatrixSaysSo() {
    OutlierView view;
    QVERIFY(view.imatrixPanel()->statusText().contains(QStringLiteral("none loaded")));
    QVERIFY(!view.imatrixPanel()->hasColumns());
    QVERIFY(view.isCaughtUp());
  }

  void statisticsDialogListsEveryEntry() {
    MainWindow window(MainWindow::Options{false});
    auto* actions = window.findChild<ImatrixActions*>();
    QVERIFY(actions);
    window.document()->openImatrix(QString::fromStdString(fixture_.imatrix.string()));
    QTRY_VERIFY(window.document()->imatrix() != nullptr);
    QVERIFY(actions->indicator()->text().contains(QStringLiteral("imatrix.dat")));
    actions->statsAction()->trigger();
    ImatrixStatsTable* table = actions->statsTable();
    QVERIFY(table && table->isVisible());
    QCOMPARE(table->rowCount(), 3);
    // Sorted by N (a number, not text): 48 < 128 < 256.
    table->sortItems(ImatrixStatsTable::Elements, Qt::AscendingOrder);
    const QStringList order{QString::fromUtf8(kWrongSize), QString::fromUtf8(kExperts),
                            QStringLiteral("blk.0.attn_q.weight")};
    for (int r = 0; r < 3; ++r)
      QCOMPARE(table->item(r, ImatrixStatsTable::Name)->text(), order[r]);
    QCOMPARE(ImatrixStatsTable::sortValue(table->item(1, ImatrixStatsTable::Elements)), 128.0);
    const ImatrixTensorStats* q = nullptr;
    for (const ImatrixTensorStats& s : window.document()->imatrixStats())
      if (s.name == "blk.0.attn_q.weight")
        q = &s;
    QVERIFY(q);
    double sum = 0;
    for (float w : fixture_.qWeights)
      sum += w;
    QVERIFY(std::fabs(q->sumSquares - sum) < 1e-9 * sum);
    for (int c = 0; c < ImatrixStatsTable::ColumnCount; ++c)
      QVERIFY(!table->horizontalHeaderItem(c)->toolTip().isEmpty());
    QVERIFY(table->window()->grab().save(QStringLiteral(QS_TEST_OUT_DIR "/imatrix_stats_dialog.png")));
  }

  void aBadFileKeepsTheLoadedOne() {
    Document doc;
    QSignalSpy changed(&doc, &Document::imatrixChanged);
    QSignalSpy failed(&doc, &Document::imatrixFailed);
    doc.openImatrix(QString::fromStdString(fixture_.imatrix.string()));
    QTRY_COMPARE(changed.size(), 1);
    const std::shared_ptr<const Imatrix> first = doc.imatrix();
    QVERIFY(first);
    const fs::path cut = fixture_.imatrix.parent_path() / "cut.dat";
    std::ifstream in(fixture_.imatrix, std::ios::binary);
    std::string bytes(60, '\0');
    in.read(bytes.data(), 60);
    std::ofstream(cut, std::ios::binary) << bytes;
    doc.openImatrix(QString::fromStdString(cut.string()));
    QTRY_COMPARE(failed.size(), 1);
    QCOMPARE(failed[0][0].toString(), QString::fromStdString(cut.string()));
    QVERIFY2(failed[0][1].toString().contains(QStringLiteral("cut.dat")),
             qPrintable(failed[0][1].toString()));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(doc.imatrix(), first);
    QCOMPARE(doc.imatrixStats().size(), size_t(3));
  }

private:
  static OutlierView* outlierView(MainWindow& window) {
    for (ResultView* v : window.views())
      if (auto* o = qobject_cast<OutlierView*>(v))
        return o;
    return nullptr;
  }

  static void selectAndWait(MainWindow& window, ImatrixColumnsPanel* panel, const char* name) {
    window.document()->selectTensor(0, QString::fromUtf8(name));
    QTRY_VERIFY_WITH_TIMEOUT(panel->tensorName() == QString::fromUtf8(name) && !panel->isBusy(), 20000);
  }

  static void grabTo(MainWindow& window, const char* file) {
    QTest::qWait(200);
    QVERIFY(window.grab().save(QString::fromUtf8(QS_TEST_OUT_DIR "/") + QString::fromUtf8(file)));
  }

  Fixture fixture_;
};

QTEST_MAIN(ImatrixOutliersTest)
#include "imatrix_outliers_test.moc"
