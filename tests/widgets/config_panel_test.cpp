// ConfigPanel <-> QuantConfig: every config the panel can express shows up
// in the controls and comes back unchanged; user edits produce the expected
// configs; a slider drag is one undo step.
#include "core/formats/format_registry.h"
#include "widgets/config_panel.h"
#include "widgets/document.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTest>

using namespace qs;

class ConfigPanelTest : public QObject {
  Q_OBJECT
private slots:
  void everyRegistryFormatIsListed();
  void roundTrip_data();
  void roundTrip();
  void editsProduceConfigs();
  void sliderDragIsOneUndoStep();
  void sliderScale();
  void controlsFollowTheFormat();
  void clippingOffWhereItDoesNothing_data();
  void clippingOffWhereItDoesNothing();
  void blockGranularityHasItsTile();
};

void ConfigPanelTest::everyRegistryFormatIsListed() {
  ConfigPanel panel;
  for (const FormatInfo& info : allFormats()) {
    const int index = panel.formatCombo()->findData(QString::fromStdString(info.name));
    QVERIFY2(index >= 0, info.name.c_str());
  }
  // Family headers are not selectable.
  QStringList headers;
  for (int i = 0; i < panel.formatCombo()->count(); ++i)
    if (!panel.formatCombo()->itemData(i).isValid())
      headers << panel.formatCombo()->itemText(i);
  QCOMPARE(headers.size(), 4);
}

void ConfigPanelTest::roundTrip_data() {
  QTest::addColumn<QString>("json");
  QTest::newRow("default") << QString("{}");
  QTest::newRow("int4 group") << QString(
      R"({"format":"int4","symmetric":false,"granularity":{"kind":"group","axis":1,"group_size":64}})");
  QTest::newRow("percentile") << QString(
      R"({"format":"int8","clipping":{"method":"percentile","percentile":99.9,"two_sided":true}})");
  QTest::newRow("fixed") << QString(
      R"({"format":"int6","clipping":{"method":"fixed","min":-0.25,"max":0.5}})");
  QTest::newRow("fp8 tensor mse") << QString(
      R"({"format":"fp8_e4m3","granularity":{"kind":"tensor"},"clipping":{"method":"mse"}})");
  QTest::newRow("nf4 channel kl") << QString(
      R"({"format":"nf4","granularity":{"kind":"channel","axis":0},"clipping":{"method":"kl"}})");
  QTest::newRow("stochastic") << QString(R"({"format":"int3","rounding":"stochastic","seed":42})");
  QTest::newRow("mxfp4") << QString(R"({"format":"mxfp4"})");
  QTest::newRow("token") << QString(R"({"format":"int8","granularity":{"kind":"token"}})");
}

void ConfigPanelTest::roundTrip() {
  QFETCH(QString, json);
  QuantConfig config;
  try {
    config = configFromJson(json.toStdString());
  } catch (const std::exception& e) {
    QFAIL(e.what());
  }
  ConfigPanel panel;
  QSignalSpy edited(&panel, &ConfigPanel::configEdited);
  panel.setTensorRank(2);
  panel.setConfig(config);
  QCOMPARE(edited.count(), 0); // showing a config is not an edit
  QVERIFY(panel.config() == config);
  QCOMPARE(panel.formatCombo()->currentData().toString().toStdString(), config.format);
  QCOMPARE(panel.symmetryCombo()->currentData().toBool(), config.symmetric);
  QCOMPARE(panel.granularityCombo()->currentData().toInt(),
           config.granularity ? int(config.granularity->kind) : -1);
  if (config.granularity) {
    QCOMPARE(panel.axisSpin()->value(),
             config.granularity->autoAxis() ? ConfigPanel::kAxisSpinAuto : config.granularity->axis);
    QCOMPARE(panel.groupSizeSpin()->value(), int(config.granularity->groupSize));
  }
  QCOMPARE(panel.clipCombo()->currentData().toInt(), int(config.clipping.method));
  QCOMPARE(panel.percentileSpin()->value(), config.clipping.percentile);
  QCOMPARE(panel.twoSidedCheck()->isChecked(), config.clipping.twoSided);
  QCOMPARE(panel.fixedMinSpin()->value(), config.clipping.fixedMin);
  QCOMPARE(panel.fixedMaxSpin()->value(), config.clipping.fixedMax);
  QCOMPARE(panel.roundingCombo()->currentData().toInt(), int(config.rounding));
  // And through JSON again: what the panel holds serialises to the same config.
  QVERIFY(configFromJson(configToJson(panel.config())) == config);
}

void ConfigPanelTest::editsProduceConfigs() {
  ConfigPanel panel;
  panel.setTensorRank(2);
  QSignalSpy edited(&panel, &ConfigPanel::configEdited);
  auto last = [&] { return edited.last().at(0).value<QuantConfig>(); };

  const int fp8 = panel.formatCombo()->findData(QStringLiteral("fp8_e4m3"));
  panel.formatCombo()->setCurrentIndex(fp8);
  emit panel.formatCombo()->activated(fp8);
  QCOMPARE(last().format, std::string("fp8_e4m3"));

  panel.setConfig(QuantConfig{}); // int8
  panel.bitsSpin()->setValue(4);
  QCOMPARE(last().format, findFormat("int4").name);

  const int group = panel.granularityCombo()->findData(int(GranularityKind::Group));
  emit panel.granularityCombo()->activated(group);
  QVERIFY(last().granularity.has_value());
  QCOMPARE(last().granularity->kind, GranularityKind::Group);
  // The output-channel axis of the tensor (auto); the format's usual group, not 1.
  QCOMPARE(last().granularity->axis, kAutoAxis);
  QCOMPARE(last().granularity->groupSize, int64_t{128});
  QCOMPARE(panel.axisSpin()->text(), QStringLiteral("auto"));
  panel.setTensorShape(Shape{3, 3, 16, 32}, AxisLayout{3, "Keras kernel [kh, kw, in, out]"});
  QCOMPARE(panel.axisSpin()->text(), QStringLiteral("auto (3)"));
  QVERIFY(panel.axisSpin()->toolTip().contains(QStringLiteral("Keras kernel")));
  panel.axisSpin()->setValue(2);
  QCOMPARE(last().granularity->axis, 2);
  panel.axisSpin()->setValue(ConfigPanel::kAxisSpinAuto);
  QCOMPARE(last().granularity->axis, kAutoAxis);
  panel.setTensorRank(2);
  panel.groupSizeSpin()->setValue(32);
  QCOMPARE(last().granularity->groupSize, int64_t{32});
  panel.groupSizeSpin()->stepBy(1); // arrows double
  QCOMPARE(last().granularity->groupSize, int64_t{64});

  const int pct = panel.clipCombo()->findData(int(ClipMethod::Percentile));
  emit panel.clipCombo()->activated(pct);
  QCOMPARE(last().clipping.method, ClipMethod::Percentile);
  panel.percentileSpin()->setValue(99.5);
  QCOMPARE(last().clipping.percentile, 99.5);
  QCOMPARE(panel.percentileSlider()->value(), ConfigPanel::percentileToSlider(99.5));

  emit panel.symmetryCombo()->activated(1);
  QCOMPARE(last().symmetric, false);
  const int count = edited.count();
  panel.setConfig(last()); // no echo
  QCOMPARE(edited.count(), count);
  for (const auto& args : edited)
    QCOMPARE(args.at(2).toInt(), 0); // discrete edits never merge
}

void ConfigPanelTest::sliderDragIsOneUndoStep() {
  Document doc;
  ConfigPanel panel;
  connect(&panel, &ConfigPanel::configEdited, &doc,
          [&doc](const QuantConfig& c, const QString& text, int key) { doc.editConfig(c, text, key); });
  connect(&doc, &Document::configChanged, &panel, &ConfigPanel::setConfig);
  QuantConfig start;
  start.clipping.method = ClipMethod::Percentile;
  doc.applyConfig(start);
  QSlider* slider = panel.percentileSlider();
  for (int drag = 0; drag < 2; ++drag) {
    emit slider->sliderPressed();
    for (int v = 100; v <= 900; v += 20)
      slider->setValue(v + drag);
    emit slider->sliderReleased();
  }
  QCOMPARE(doc.undoStack()->count(), 2);
  QCOMPARE(doc.config().clipping.percentile, ConfigPanel::sliderToPercentile(901));
  doc.undoStack()->undo();
  QCOMPARE(doc.config().clipping.percentile, ConfigPanel::sliderToPercentile(900));
  QCOMPARE(slider->value(), 900); // the panel follows undo
  doc.undoStack()->undo();
  QVERIFY(doc.config() == start);
  QCOMPARE(panel.percentileSpin()->value(), start.clipping.percentile);
}

void ConfigPanelTest::sliderScale() {
  QCOMPARE(ConfigPanel::sliderToPercentile(0), 90.0);
  QCOMPARE(ConfigPanel::sliderToPercentile(ConfigPanel::kSliderSteps), 99.999);
  QCOMPARE(ConfigPanel::sliderToPercentile(ConfigPanel::kSliderSteps / 2), 99.9);
  QCOMPARE(ConfigPanel::percentileToSlider(99.99), 750);
  QCOMPARE(ConfigPanel::percentileToSlider(50.0), 0); // below the scale: clamped
  QCOMPARE(ConfigPanel::percentileToSlider(100.0), ConfigPanel::kSliderSteps);
  for (int p = 0; p <= ConfigPanel::kSliderSteps; ++p)
    QCOMPARE(ConfigPanel::percentileToSlider(ConfigPanel::sliderToPercentile(p)), p);
}

void ConfigPanelTest::controlsFollowTheFormat() {
  ConfigPanel panel;
  QuantConfig c;
  c.format = "int4";
  panel.setConfig(c);
  QVERIFY(panel.bitsSpin()->isEnabled());
  QVERIFY(panel.symmetryCombo()->isEnabled());
  QVERIFY(!panel.percentileSlider()->isEnabled()); // min/max clipping
  c.format = "q4_0";
  panel.setConfig(c);
  QVERIFY(!panel.bitsSpin()->isEnabled());
  QVERIFY(!panel.granularityCombo()->isEnabled()); // the block fixes the scale groups
  QCOMPARE(panel.bitsSpin()->value(), findFormat("q4_0").bits);
}

void ConfigPanelTest::clippingOffWhereItDoesNothing_data() {
  QTest::addColumn<QString>("format");
  QTest::addColumn<int>("granularity"); // -1: the format's default
  QTest::addColumn<bool>("applies");
  QTest::newRow("int4") << "int4" << -1 << true;
  QTest::newRow("nf4") << "nf4" << -1 << true;
  QTest::newRow("fp8 per tensor") << "fp8_e4m3" << int(GranularityKind::Tensor) << true;
  QTest::newRow("mxfp4 (fixed block scale)") << "mxfp4" << -1 << false;
  QTest::newRow("q4_0 (fixed block scale)") << "q4_0" << -1 << false;
  QTest::newRow("fp16 (plain cast)") << "fp16" << -1 << false;
  QTest::newRow("bf16 cast chosen") << "bf16" << int(GranularityKind::None) << false;
}

void ConfigPanelTest::clippingOffWhereItDoesNothing() {
  QFETCH(QString, format);
  QFETCH(int, granularity);
  QFETCH(bool, applies);
  ConfigPanel panel;
  QuantConfig c;
  c.format = format.toStdString();
  if (granularity >= 0)
    c.granularity = Granularity{GranularityKind(granularity), 0, 128};
  c.clipping.method = ClipMethod::Percentile; // the percentile widgets would be on
  panel.setConfig(c);
  const QList<QWidget*> widgets{panel.clipCombo(), panel.percentileSpin(), panel.percentileSlider(),
                                panel.twoSidedCheck()};
  for (QWidget* w : widgets) {
    QCOMPARE(w->isEnabled(), applies);
    if (!applies)
      QVERIFY2(w->toolTip().contains("no clip range"), qPrintable(w->toolTip()));
  }
  // Back to a format it applies to: enabled, and the own tooltip returns.
  c.format = "int4";
  c.granularity.reset();
  panel.setConfig(c);
  QVERIFY(panel.clipCombo()->isEnabled());
  QVERIFY(!panel.clipCombo()->toolTip().contains("no clip range"));
}

// Block granularity: the combo offers it, the R x C spin boxes edit the tile
// and show a config's, and are off for every other granularity.
void ConfigPanelTest::blockGranularityHasItsTile() {
  ConfigPanel panel;
  panel.setTensorRank(2);
  QSignalSpy edited(&panel, &ConfigPanel::configEdited);
  auto last = [&] { return edited.last().at(0).value<QuantConfig>(); };
  QVERIFY(!panel.blockRowsSpin()->isEnabled());
  const int block = panel.granularityCombo()->findData(int(GranularityKind::Block));
  QVERIFY(block >= 0);
  emit panel.granularityCombo()->activated(block);
  QCOMPARE(last().granularity->kind, GranularityKind::Block);
  QCOMPARE(last().granularity->blockRows, int64_t{128});
  QVERIFY(panel.blockRowsSpin()->isEnabled());
  QVERIFY(panel.blockColsSpin()->isEnabled());
  QVERIFY(!panel.groupSizeSpin()->isEnabled());
  QVERIFY(panel.axisSpin()->isEnabled());
  panel.blockColsSpin()->setValue(32);
  QCOMPARE(last().granularity->blockCols, int64_t{32});
  panel.blockRowsSpin()->stepBy(-1); // arrows halve
  QCOMPARE(last().granularity->blockRows, int64_t{64});
  QuantConfig c;
  c.format = "fp8_e4m3";
  c.granularity = Granularity{GranularityKind::Block, kAutoAxis, 128, 16, 256};
  panel.setConfig(c);
  QCOMPARE(panel.blockRowsSpin()->value(), 16);
  QCOMPARE(panel.blockColsSpin()->value(), 256);
  c.granularity->kind = GranularityKind::Group;
  panel.setConfig(c);
  QVERIFY(!panel.blockRowsSpin()->isEnabled());
  QVERIFY(!panel.blockColsSpin()->isEnabled());
}

QTEST_MAIN(ConfigPanelTest)
#include "config_panel_test.moc"
