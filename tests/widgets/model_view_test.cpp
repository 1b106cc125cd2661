// The Model tab, offscreen, on a small llama-like folder made by
// tests/data/make_demo_model.py: opening the folder fills the table, the scan
// fills every cell with the core scan's numbers, the budget slider re-plans
// (the totals and choices are planModel's own), pins and the filter work,
// Cancel stops the scan early, a double-click opens the tensor in the
// workbench with the plan's config, and the tab renders at the common sizes.
#include "core/io/imatrix.h"
#include "core/io/model_source.h"
#include "core/model/export_aimet.h"
#include "core/model/export_compressed_tensors.h"
#include "core/model/export_llama_quantize.h"
#include "core/model/model_plan.h"
#include "core/model/recipe.h"
#include "core/model/scan.h"
#include "core/model/tensor_role.h"
#include "widgets/analyzer.h"
#include "widgets/document.h"
#include "widgets/imatrix_stats_table.h"
#include "widgets/main_window.h"
#include "widgets/model/block_profile_plot.h"
#include "widgets/model/format_picker.h"
#include "widgets/model/model_session.h"
#include "widgets/model/model_table.h"
#include "widgets/model/model_view.h"
#include "widgets/model/pareto_plot.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

#include <cmath>
#include <cstdlib>

using namespace qs;

namespace {

constexpr int kBlocks = 4;
constexpr int kTensors = 1 + 9 * kBlocks + 2; // embeddings, 9 per block, final norm, lm_head

QString modelDir() {
  return QStringLiteral(QS_TEST_OUT_DIR "/model_view_demo");
}

// Opens the demo model in `window` and waits for its scan and first plan.
bool openAndSettle(MainWindow& window) {
  window.openModel({modelDir()});
  return QTest::qWaitFor([&] { return window.modelView()->isSettled(); }, 240000);
}

int proxyRowOf(const ModelView& view, const QString& name) {
  for (int r = 0; r < view.proxy()->rowCount(); ++r)
    if (view.proxy()->index(r, ModelTable::Name).data().toString() == name)
      return r;
  return -1;
}

int columnOf(const ModelView& view, const std::string& format) {
  for (int c = ModelTable::FirstFormat; c < view.table()->columnCount(); ++c)
    if (view.table()->formatOfColumn(c) == format)
      return c;
  return -1;
}

void doubleClickCell(ModelView& view, int proxyRow, int column) {
  QTableView* table = view.tableView();
  const QModelIndex index = view.proxy()->index(proxyRow, column);
  table->scrollTo(index);
  const QPoint centre = table->visualRect(index).center();
  // A press and release first, as a real double-click starts with one.
  QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, centre);
  QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, centre);
}

} // namespace

class ModelViewTest : public QObject {
  Q_OBJECT
private slots:
  void initTestCase();
  void openingTheFolderFillsTheTableAndTheScanItsCells();
  void theSliderReplansWithPlanModelsTotals();
  void pinsKeepsAndTheFilterChangeWhatIsShown();
  void theProfileShowsEachTensorsSqnr();
  void doubleClickOpensTheTensorWithThePlansConfig();
  void exportsWriteWhatTheCoreWrites();
  void cancelStopsTheScanEarly();
  void anImatrixWeighsTheScanAndShowsItsStatistics();
  void rendersAtCommonSizes_data();
  void rendersAtCommonSizes();
};

void ModelViewTest::initTestCase() {
  const std::string cmd = std::string(QS_PYTHON) + " " + QS_SOURCE_DIR + "/tests/data/make_demo_model.py " +
                          modelDir().toStdString() + " --blocks 4 --hidden 256 --ffn 512 --vocab 512";
  QCOMPARE(std::system(cmd.c_str()), 0);
}

void ModelViewTest::openingTheFolderFillsTheTableAndTheScanItsCells() {
  MainWindow window(MainWindow::Options{false});
  window.resize(1600, 1000);
  window.show();
  ModelView* view = window.modelView();
  // A folder goes the way a dropped one does: openFile sees a directory.
  window.openFile(modelDir());
  QVERIFY(QTest::qWaitFor([&] { return view->table()->rowCount() == kTensors; }, 30000));
  QVERIFY(view->isVisible()); // the Model tab is raised
  const int down = view->table()->rowOf(QStringLiteral("model.layers.2.mlp.down_proj.weight"));
  QVERIFY(down >= 0);
  QCOMPARE(view->table()->index(down, ModelTable::Role).data().toString(), QStringLiteral("ffn_down"));
  QCOMPARE(view->table()->index(down, ModelTable::Block).data().toInt(), 2);
  QCOMPARE(view->table()->index(down, ModelTable::Shape).data().toString(), QStringLiteral("[256, 512]"));
  QCOMPARE(view->table()->index(down, ModelTable::Dtype).data().toString(), QStringLiteral("bfloat16"));
  QVERIFY(!view->table()->index(down, ModelTable::Axis).data(Qt::ToolTipRole).toString().isEmpty());

  QVERIFY(QTest::qWaitFor([&] { return view->isSettled(); }, 240000));
  const ScanResult& scan = view->session()->scan();
  QVERIFY(scan.complete);
  QCOMPARE(int(scan.tensors.size()), kTensors);
  // The default candidates, as columns in the format registry's order.
  std::vector<std::string> formats = view->table()->formats();
  std::sort(formats.begin(), formats.end());
  QCOMPARE(formats,
           (std::vector<std::string>{"gguf:q4_k", "gguf:q6_k", "gguf:q8_0", "int4", "int8", "mxfp4", "nf4"}));
  // The workbench opened the model's largest weight meanwhile.
  QVERIFY(QTest::qWaitFor([&] { return window.document()->tensor() != nullptr; }, 30000));

  // Every cell holds what the core's scan of the same files gives.
  ScanOptions options;
  options.formats = view->table()->formats();
  options.base = view->session()->scanOptions().base;
  QCOMPARE(options.base.granularity->kind, GranularityKind::Group);
  QCOMPARE(options.base.granularity->groupSize, int64_t(128));
  const auto source = openModel({modelDir().toStdString()});
  const ScanResult direct = scanModel(*source, options);
  QCOMPARE(direct.tensors.size(), scan.tensors.size());
  int checked = 0;
  for (const ScannedTensor& t : direct.tensors) {
    const int row = view->table()->rowOf(QString::fromStdString(t.name));
    QVERIFY(row >= 0);
    for (size_t f = 0; f < t.candidates.size(); ++f) {
      const QString cell = view->table()->index(row, ModelTable::FirstFormat + int(f)).data().toString();
      const CandidateScore& c = t.candidates[f];
      QCOMPARE(cell, c.ok() ? QString::number(c.sqnrDb, 'f', 1) : QStringLiteral("n/a"));
      ++checked;
    }
  }
  QCOMPARE(checked, 7 * (1 + 7 * kBlocks + 1)); // every matrix × every format; norms are kept
}

void ModelViewTest::theSliderReplansWithPlanModelsTotals() {
  MainWindow window(MainWindow::Options{false});
  window.show();
  QVERIFY(openAndSettle(window));
  ModelView* view = window.modelView();
  ModelSession* session = view->session();
  auto check = [&] {
    const auto shown = session->plan();
    QVERIFY(shown);
    const ModelPlan direct = planModel(*session->endedScan(), view->request());
    QCOMPARE(shown->bitsPerWeight, direct.bitsPerWeight);
    QCOMPARE(shown->totalError, direct.totalError);
    QCOMPARE(shown->totalBytes, direct.totalBytes);
    QCOMPARE(shown->tensors.size(), direct.tensors.size());
    for (const TensorChoice& c : direct.tensors) {
      const int row = view->table()->rowOf(QString::fromStdString(c.name));
      QVERIFY(row >= 0);
      QCOMPARE(view->table()->chosenFormat(row), c.format);
      for (int col = ModelTable::FirstFormat; col < view->table()->columnCount(); ++col)
        QCOMPARE(view->table()->index(row, col).data(ModelTable::kChosenRole).toBool(),
                 !c.format.empty() && *view->table()->formatOfColumn(col) == c.format);
    }
    QVERIFY(shown->bitsPerWeight <= view->budget() + 1e-9);
  };
  check();
  const auto before = session->plan();

  view->setBudget(6.5);
  QVERIFY(QTest::qWaitFor([&] { return view->isSettled() && session->plan() != before; }, 30000));
  check();
  const auto high = session->plan();

  QSignalSpy planned(session, &ModelSession::planReady);
  view->budgetSlider()->setValue(view->budgetSlider()->minimum() + 30);
  QVERIFY(planned.wait(30000));
  QVERIFY(QTest::qWaitFor([&] { return view->isSettled(); }, 30000));
  check();
  const auto low = session->plan();
  QVERIFY(low->bitsPerWeight < high->bitsPerWeight);
  QVERIFY(low->totalError > high->totalError);
  int changed = 0;
  for (size_t i = 0; i < low->tensors.size(); ++i)
    changed += low->tensors[i].format != high->tensors[i].format;
  QVERIFY(changed > 0);

  view->budgetSlider()->setValue(view->budgetSlider()->maximum() - 50);
  QVERIFY(QTest::qWaitFor([&] { return view->isSettled() && session->plan() != low; }, 30000));
  check();
  QVERIFY(session->plan()->totalError < low->totalError);
}

void ModelViewTest::pinsKeepsAndTheFilterChangeWhatIsShown() {
  MainWindow window(MainWindow::Options{false});
  window.show();
  QVERIFY(openAndSettle(window));
  ModelView* view = window.modelView();
  view->setBudget(5.5); // room for the pins below
  QVERIFY(QTest::qWaitFor([&] { return view->isSettled(); }, 30000));

  view->pinsEdit()->setText(QStringLiteral("lm_head|embed_tokens=q8_0; layers\\.0\\.self_attn=q6_k"));
  emit view->pinsEdit()->editingFinished();
  QVERIFY(QTest::qWaitFor([&] { return view->isSettled(); }, 30000));
  auto chosen = [&](const char* name) {
    return view->table()->chosenFormat(view->table()->rowOf(QString::fromLatin1(name)));
  };
  QCOMPARE(chosen("lm_head.weight"), std::string("gguf:q8_0")); // pins may use the short aliases
  QCOMPARE(chosen("model.embed_tokens.weight"), std::string("gguf:q8_0"));
  QCOMPARE(chosen("model.layers.0.self_attn.k_proj.weight"), std::string("gguf:q6_k"));
  QCOMPARE(view->request().pins.size(), size_t(2));

  // A tensor both kept and pinned is refused; kept alone it keeps its stored size.
  view->keepsEdit()->setText(QStringLiteral("lm_head"));
  emit view->keepsEdit()->editingFinished();
  QVERIFY(QTest::qWaitFor([&] { return view->planStatusText().contains(QStringLiteral("kept and pinned")); },
                          30000));
  QVERIFY(!view->session()->plan());
  QCOMPARE(chosen("model.embed_tokens.weight"), std::string()); // nothing stale stays marked
  view->pinsEdit()->setText(QStringLiteral("embed_tokens=q8_0; layers\\.0\\.self_attn=q6_k"));
  emit view->pinsEdit()->editingFinished();
  QVERIFY(QTest::qWaitFor([&] { return view->isSettled() && chosen("lm_head.weight").empty(); }, 30000));
  QCOMPARE(view->table()
               ->index(view->table()->rowOf(QStringLiteral("lm_head.weight")), ModelTable::Plan)
               .data()
               .toString(),
           QStringLiteral("kept"));

  // A pin that does not parse is refused with the reason; the plan stays.
  const auto plan = view->session()->plan();
  view->pinsEdit()->setText(QStringLiteral("layers\\.(=q4_k"));
  emit view->pinsEdit()->editingFinished();
  QTest::qWait(100);
  QCOMPARE(view->session()->plan(), plan);
  QVERIFY2(view->planStatusText().contains(QStringLiteral("invalid regex")),
           qPrintable(view->planStatusText()));

  view->filterEdit()->setText(QStringLiteral("down_proj"));
  QCOMPARE(view->proxy()->rowCount(), kBlocks);
  view->filterEdit()->setText(QStringLiteral("layers\\.[03]\\."));
  QCOMPARE(view->proxy()->rowCount(), 2 * 9);
  view->filterEdit()->setText(QStringLiteral("layers.1.(")); // not a regex: a substring
  QCOMPARE(view->proxy()->rowCount(), 0);
  view->filterEdit()->clear();
  QCOMPARE(view->proxy()->rowCount(), kTensors);

  // Sorting by a format's SQNR orders the rows by it.
  view->tableView()->sortByColumn(ModelTable::FirstFormat + 1, Qt::AscendingOrder);
  double last = -1e300;
  for (int r = 0; r < view->proxy()->rowCount(); ++r) {
    const double key =
        view->proxy()->index(r, ModelTable::FirstFormat + 1).data(ModelTable::kSortRole).toDouble();
    QVERIFY(key >= last);
    last = key;
  }
}

void ModelViewTest::theProfileShowsEachTensorsSqnr() {
  MainWindow window(MainWindow::Options{false});
  window.show();
  QVERIFY(openAndSettle(window));
  ModelView* view = window.modelView();
  BlockProfilePlot* profile = view->profilePlot();
  QCOMPARE(profile->blocks(), kBlocks);
  QCOMPARE(profile->roles(), (std::vector<std::string>{"attn_q", "attn_k", "attn_v", "attn_output",
                                                       "ffn_gate", "ffn_up", "ffn_down"}));
  // Coloured by the smallest candidate (int4 with groups of 128: 4.125 bits).
  const ScanResult& scan = view->session()->scan();
  for (const ScannedTensor& t : scan.tensors) {
    if (t.role.block < 0 || t.keep)
      continue;
    const auto int4 = std::find_if(t.candidates.begin(), t.candidates.end(),
                                   [](const CandidateScore& c) { return c.format == "int4"; });
    QVERIFY(int4 != t.candidates.end());
    const auto r =
        std::find(profile->roles().begin(), profile->roles().end(), t.role.role) - profile->roles().begin();
    QCOMPARE(profile->cell(t.role.block, int(r)), int4->sqnrDb);
  }
  // The edge blocks are heavier tailed in the demo model: they are the sensitive ones.
  const int down =
      int(std::find(profile->roles().begin(), profile->roles().end(), "ffn_down") - profile->roles().begin());
  QVERIFY(profile->cell(0, down) < profile->cell(1, down));
  QVERIFY(profile->cell(kBlocks - 1, down) < profile->cell(2, down));
}

void ModelViewTest::doubleClickOpensTheTensorWithThePlansConfig() {
  MainWindow window(MainWindow::Options{false});
  window.resize(1600, 1000);
  window.show();
  QVERIFY(openAndSettle(window));
  ModelView* view = window.modelView();
  Document* document = window.document();
  const QString name = QStringLiteral("model.layers.1.self_attn.q_proj.weight");
  const std::string planned = view->table()->chosenFormat(view->table()->rowOf(name));
  QVERIFY(!planned.empty());

  doubleClickCell(*view, proxyRowOf(*view, name), ModelTable::Name);
  QVERIFY(QTest::qWaitFor([&] { return document->tensor() && document->tensorName() == name; }, 30000));
  QCOMPARE(document->config().format, planned);
  QCOMPARE(document->config().granularity, view->session()->scanOptions().base.granularity);
  QVERIFY(QTest::qWaitFor(
      [&] {
        const auto& out = window.analyzer()->last();
        return !window.analyzer()->isBusy() && out.current && out.current->tensorName == name.toStdString() &&
               out.current->config.format == planned;
      },
      30000));

  // A format's cell opens that format.
  window.raiseView(QStringLiteral("model"));
  const QString other = QStringLiteral("model.layers.3.mlp.up_proj.weight");
  const int q6 = columnOf(*view, "gguf:q6_k");
  doubleClickCell(*view, proxyRowOf(*view, other), q6);
  QVERIFY(QTest::qWaitFor([&] { return document->tensor() && document->tensorName() == other; }, 30000));
  QCOMPARE(document->config().format, std::string("gguf:q6_k"));
  // One undo step per open: undo returns to the plan's config of the first tensor.
  document->undoStack()->undo();
  QCOMPARE(document->config().format, planned);
}

namespace {

// Runs one export of the view's plan; the error, empty when written.
QString exportTo(ModelView& view, PlanExportKind kind, const QString& path) {
  QFile::remove(path);
  QSignalSpy finished(&view, &ModelView::exportFinished);
  view.exportPlan(kind, path);
  if (!finished.wait(120000))
    return QStringLiteral("no report");
  return finished.first().at(1).toString();
}

std::string fileText(const QString& path) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? file.readAll().toStdString() : std::string("(missing)");
}

} // namespace

void ModelViewTest::exportsWriteWhatTheCoreWrites() {
  MainWindow window(MainWindow::Options{false});
  window.show();
  QVERIFY(openAndSettle(window));
  ModelView* view = window.modelView();
  const QString dir = QStringLiteral(QS_TEST_OUT_DIR "/model_view_exports");
  QVERIFY(QDir().mkpath(dir));
  auto plan = view->session()->plan();
  auto scan = view->session()->endedScan();

  // Any plan: the recipe.
  QCOMPARE(exportTo(*view, PlanExportKind::Recipe, dir + "/recipe.json"), QString());
  const std::string recipeText = fileText(dir + "/recipe.json");
  QCOMPARE(recipeText, recipeToJson(recipeFromPlan(*plan)) + "\n");
  const Recipe recipe = recipeFromJson(recipeText, "recipe.json");
  for (const TensorChoice& c : plan->tensors) {
    const RecipeTensor* t = recipe.find(c.name);
    QVERIFY(t);
    QCOMPARE(t->keep, c.format.empty());
    if (!t->keep)
      QCOMPARE(t->config.format, c.format);
  }
  // The default candidates include NF4 and INT4, which llama.cpp has no type for,
  // and Q4_K, which compressed-tensors has not: both refuse with the reason, nothing written.
  QVERIFY(
      exportTo(*view, PlanExportKind::LlamaQuantize, dir + "/refused.sh").contains(QStringLiteral("nf4")));
  QVERIFY(!QFile::exists(dir + "/refused.sh"));
  QVERIFY(!exportTo(*view, PlanExportKind::CompressedTensors, dir + "/refused.json").isEmpty());
  QVERIFY(!QFile::exists(dir + "/refused.json"));

  // GGUF formats only: the llama-quantize script.
  view->formatPicker()->setFormats({"q4_k", "q6_k", "q8_0"});
  view->startScan();
  QVERIFY2(QTest::qWaitFor([&] { return view->isSettled(); }, 20000), qPrintable(view->planStatusText()));
  plan = view->session()->plan();
  scan = view->session()->endedScan();
  QCOMPARE(exportTo(*view, PlanExportKind::LlamaQuantize, dir + "/quantize.sh"), QString());
  QCOMPARE(fileText(dir + "/quantize.sh"), exportLlamaQuantize(*plan, *scan).script);

  // INT4/INT8 per channel: compressed-tensors and AIMET take it.
  view->formatPicker()->setFormats({"int4", "int8"});
  view->granularityBox()->setCurrentText(QStringLiteral("per channel"));
  view->startScan();
  QVERIFY(QTest::qWaitFor([&] { return view->isSettled(); }, 240000));
  plan = view->session()->plan();
  scan = view->session()->endedScan();
  QCOMPARE(scan->formats, (std::vector<std::string>{"int4", "int8"}));
  QCOMPARE(exportTo(*view, PlanExportKind::CompressedTensors, dir + "/quantization_config.json"), QString());
  QCOMPARE(fileText(dir + "/quantization_config.json"), exportCompressedTensors(*plan, *scan) + "\n");
  QCOMPARE(exportTo(*view, PlanExportKind::Aimet, dir + "/encodings.json"), QString());
  QCOMPARE(fileText(dir + "/encodings.json"), exportAimet(*plan, *view->source()) + "\n");
}

void ModelViewTest::cancelStopsTheScanEarly() {
  MainWindow window(MainWindow::Options{false});
  window.show();
  ModelView* view = window.modelView();
  ModelSession* session = view->session();
  // Cancel as the first tensor arrives: the worker is a tensor or two further at most.
  connect(session, &ModelSession::tensorScanned, view, [view] { view->cancelScan(); });
  QSignalSpy ended(session, &ModelSession::scanEnded);
  window.openModel({modelDir()});
  QVERIFY(ended.wait(120000));
  QCOMPARE(ended.first().at(0).toBool(), false);       // not complete
  QCOMPARE(ended.first().at(1).toString(), QString()); // and not failed
  QVERIFY(!session->isScanning());
  const size_t done = session->scan().tensors.size();
  QVERIFY2(done >= 1 && done < size_t(kTensors), qPrintable(QString::number(done)));
  QVERIFY(!session->scan().complete);
  int filled = 0;
  for (int r = 0; r < view->table()->rowCount(); ++r)
    filled += view->table()->scanned(r) != nullptr;
  QCOMPARE(size_t(filled), done);
  QVERIFY(!view->isSettled());
}

// A legacy llama.cpp imatrix (.dat) for the model's matrices by their GGUF
// names: ncall 2, values 1 + (column % 7) so the weights w = value / 2 vary.
QString writeImatrix(const TensorSource& model) {
  std::string body;
  auto i32 = [&body](int32_t v) { body.append(reinterpret_cast<const char*>(&v), 4); };
  int32_t entries = 0;
  std::string rows;
  for (const TensorEntry& e : model.list()) {
    const std::string gguf = tensorRole(e.name).ggufName;
    if (e.shape.size() != 2 || gguf.empty() || gguf == "token_embd.weight")
      continue;
    ++entries;
    std::string entry;
    auto put = [&entry](int32_t v) { entry.append(reinterpret_cast<const char*>(&v), 4); };
    put(int32_t(gguf.size()));
    entry += gguf;
    put(2);
    put(int32_t(e.shape[1]));
    for (int64_t j = 0; j < e.shape[1]; ++j) {
      const float v = 1.0f + float(j % 7);
      entry.append(reinterpret_cast<const char*>(&v), 4);
    }
    rows += entry;
  }
  i32(entries);
  body += rows;
  const QString path = QStringLiteral(QS_TEST_OUT_DIR "/model_view_imatrix.dat");
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly) || f.write(body.data(), qint64(body.size())) != qint64(body.size()))
    return {};
  return path;
}

void ModelViewTest::anImatrixWeighsTheScanAndShowsItsStatistics() {
  MainWindow window(MainWindow::Options{false});
  window.resize(1600, 1000);
  window.show();
  QVERIFY(openAndSettle(window));
  ModelView* view = window.modelView();
  QVERIFY(!view->imatrixTable()->isVisible());
  const auto source = openModel({modelDir().toStdString()});
  const QString path = writeImatrix(*source);
  QVERIFY(!path.isEmpty());
  window.document()->openImatrix(path);
  QVERIFY(QTest::qWaitFor([&] { return window.document()->imatrix() != nullptr; }, 30000));
  // The loaded imatrix rescans the model; the plan is then weighted.
  QVERIFY(QTest::qWaitFor([&] { return view->isSettled() && view->session()->plan()->weighted; }, 240000));
  QVERIFY(view->imatrixTable()->isVisible());
  QCOMPARE(view->imatrixTable()->rowCount(), int(window.document()->imatrix()->entries.size()));

  ScanOptions options = view->session()->scanOptions();
  const Imatrix imatrix = readImatrix(path.toStdString());
  options.imatrix = &imatrix;
  const ScanResult direct = scanModel(*source, options);
  const ScanResult& shown = view->session()->scan();
  QCOMPARE(shown.tensors.size(), direct.tensors.size());
  int weighted = 0;
  for (size_t t = 0; t < direct.tensors.size(); ++t)
    for (size_t f = 0; f < direct.tensors[t].candidates.size(); ++f) {
      const CandidateScore& a = direct.tensors[t].candidates[f];
      if (!a.ok())
        continue;
      QCOMPARE(shown.tensors[t].candidates[f].weightedSse, a.weightedSse);
      weighted += direct.tensors[t].imatrixNote.empty() ? 1 : 0;
    }
  QVERIFY(weighted > 0);
  const PlanRequest request = view->request();
  const ModelPlan plan = planModel(direct, request);
  QCOMPARE(view->session()->plan()->totalError, plan.totalError);
}

void ModelViewTest::rendersAtCommonSizes_data() {
  QTest::addColumn<QSize>("size");
  QTest::newRow("1366x768") << QSize(1366, 768);
  QTest::newRow("1600x1000") << QSize(1600, 1000);
}

void ModelViewTest::rendersAtCommonSizes() {
  QFETCH(QSize, size);
  MainWindow window(MainWindow::Options{false});
  window.resize(size);
  window.show();
  QVERIFY(openAndSettle(window));
  window.analyzer()->waitForWorker();
  QTest::qWait(300);
  ModelView* view = window.modelView();
  QVERIFY(view->isVisible());
  for (QWidget* plot : view->exportables()) {
    QVERIFY(plot->isVisible());
    QVERIFY2(plot->width() >= 250 && plot->height() >= 180,
             qPrintable(QString("%1x%2").arg(plot->width()).arg(plot->height())));
  }
  QVERIFY(view->tableView()->height() >= 150);
  const QString path = QString(QS_TEST_OUT_DIR) + "/model_tab_" + QTest::currentDataTag() + ".png";
  QVERIFY(window.grab().save(path));
}

QTEST_MAIN(ModelViewTest)
#include "model_view_test.moc"
