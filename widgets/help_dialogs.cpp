#include "widgets/help_dialogs.h"

#include "widgets/format_family.h"

#include "core/formats/format_registry.h"
#include "core/metrics/metric_table.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QKeySequence>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <vector>

namespace qs {

namespace {

QString esc(const std::string& text) {
  return QString::fromStdString(text).toHtmlEscaped();
}

QString formatsHtml() {
  QString html = QObject::tr("<h2>Number formats</h2><p>Names are case-insensitive; any <tt>eXmY</tt> "
                             "(e.g. <tt>e3m4</tt>) is a float format too.</p>");
  std::string family;
  for (const FormatInfo& info : allFormats()) {
    if (info.family != family) {
      if (!family.empty())
        html += QStringLiteral("</table>");
      family = info.family;
      html += QStringLiteral("<h3>%1</h3><table cellspacing=0 cellpadding=3>").arg(formatFamilyTitle(family));
    }
    html += QStringLiteral("<tr><td><b>%1</b></td><td><tt>%2</tt></td><td>%3</td></tr>")
                .arg(esc(info.label), esc(info.name), esc(info.description));
  }
  return html + QStringLiteral("</table>");
}

QString quantizationHtml() {
  return QObject::tr(
      "<h2>Granularity</h2>"
      "<p>How many values share one scale. <b>none</b>: a plain cast. <b>tensor</b>: one scale. "
      "<b>channel</b>: one scale per index along <i>axis</i> (a weight [out, in] uses axis 0). "
      "<b>group</b>: runs of <i>group size</i> consecutive elements along <i>axis</i> share a scale "
      "(a weight [out, in] uses axis 1, as GPTQ, AWQ and llama.cpp do). <b>token</b>: one scale per "
      "row of the 2-D view [shape[0], rest]. <b>block</b>: the weight's [out, in·kh·kw] view cut into "
      "R × C tiles, one scale per tile (DeepSeek-V3 stores FP8 weights in 128 × 128 tiles: format "
      "fp8_block). Block formats (MX, GGUF) fix their own blocks along the "
      "last axis. Finer granularity follows the data more closely and stores more scales: the bits "
      "per element count them.</p>"
      "<h2>Clipping</h2>"
      "<p>The range the grid covers; values beyond it saturate. <b>minmax</b>: the whole range. "
      "<b>percentile</b> P of |x| (or P and 100 − P of x, two-sided), exactly numpy.percentile. "
      "<b>mse</b>: the clip ratio with the least quantization MSE among 100 candidates. <b>kl</b>: "
      "TensorRT's entropy calibration. <b>fixed</b>: your range. Clipping is computed per scale group. "
      "A grid symmetric around zero saturates at ±T, T the larger magnitude of the calibrated range; "
      "affine INT and k-means use the calibrated [lo, hi]. The histogram's clip lines show it.</p>"
      "<h2>Rounding</h2>"
      "<p><b>nearest</b>: round half to even. <b>stochastic</b>: seeded; the random number of an "
      "element depends only on the seed and its index. NaN and Inf inputs pass through unchanged and "
      "are excluded from ranges and metrics.</p>");
}

QString metricsHtml() {
  QString html = QObject::tr("<h2>Metrics</h2><p>x is the original tensor, q the dequantized one; "
                             "non-finite inputs are excluded and counted.</p>"
                             "<table cellspacing=0 cellpadding=3>");
  for (const MetricInfo& info : metricTable())
    html +=
        QStringLiteral("<tr><td><b>%1</b></td><td><tt>%2</tt></td><td>%3</td></tr>")
            .arg(QString::fromUtf8(info.label).toHtmlEscaped(), QString::fromUtf8(info.key).toHtmlEscaped(),
                 QString::fromUtf8(info.definition).toHtmlEscaped());
  return html + QStringLiteral("</table>");
}

// A window showing `html`, reused when asked again (found by object name).
void showHtml(QWidget* parent, const QString& objectName, const QString& title, const QString& html,
              QSize size) {
  auto* dialog = parent->findChild<QDialog*>(objectName, Qt::FindDirectChildrenOnly);
  if (!dialog) {
    dialog = new QDialog(parent);
    dialog->setObjectName(objectName);
    dialog->setWindowTitle(title);
    auto* text = new QTextBrowser(dialog);
    text->setOpenExternalLinks(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(text);
    layout->addWidget(buttons);
    dialog->resize(size);
  }
  dialog->findChild<QTextBrowser*>()->setHtml(html); // shortcuts may have changed
  dialog->show();
  dialog->raise();
  dialog->activateWindow();
}

} // namespace

QString conceptsHtml() {
  return formatsHtml() + quantizationHtml() + metricsHtml();
}

QString shortcutsHtml(const QList<QAction*>& actions) {
  struct Row {
    QString what, keys;
  };
  std::vector<Row> rows;
  for (const QAction* action : actions) {
    if (action->shortcuts().isEmpty())
      continue;
    QStringList keys;
    for (const QKeySequence& key : action->shortcuts())
      keys << key.toString(QKeySequence::NativeText).toHtmlEscaped();
    QString what = action->text();
    what.remove(QLatin1Char('&')).remove(QStringLiteral("…"));
    rows.push_back({what.trimmed().toHtmlEscaped(), keys.join(QStringLiteral(", "))});
  }
  QString html = QObject::tr("<h2>Keyboard shortcuts</h2><table cellspacing=0 cellpadding=4>");
  for (const Row& row : rows)
    html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(row.keys, row.what);
  return html + QStringLiteral("</table>");
}

void showConcepts(QWidget* parent) {
  showHtml(parent, QStringLiteral("conceptsWindow"), QObject::tr("QuantScope concepts"), conceptsHtml(),
           QSize(760, 640));
}

void showShortcuts(QWidget* parent, const QList<QAction*>& actions) {
  showHtml(parent, QStringLiteral("shortcutsWindow"), QObject::tr("Keyboard shortcuts"),
           shortcutsHtml(actions), QSize(460, 420));
}

} // namespace qs
