#include "widgets/model/format_picker.h"

#include "core/formats/format_registry.h"

#include <QMenu>

namespace qs {

FormatPicker::FormatPicker(QWidget* parent) : QPushButton(parent) {
  setToolTip(tr("The candidate formats the scan tries on every tensor (one table column each)"));
  auto* menu = new QMenu(this);
  menu->setToolTipsVisible(true);
  std::string family;
  for (const FormatInfo& info : allFormats()) {
    if (info.takesLevels) // a user codebook has no levels to scan with
      continue;
    if (info.family != family) {
      family = info.family;
      menu->addSection(QString::fromStdString(family));
    }
    QAction* action = menu->addAction(QString::fromStdString(info.label));
    action->setData(QString::fromStdString(info.name));
    action->setCheckable(true);
    action->setToolTip(QString::fromStdString(info.description));
    connect(action, &QAction::toggled, this, [this] {
      updateText();
      emit formatsChanged();
    });
  }
  setMenu(menu);
  setFormats(defaultFormats());
}

std::vector<std::string> FormatPicker::defaultFormats() {
  return {"int8", "int4", "nf4", "mxfp4", "gguf:q4_k", "gguf:q6_k", "gguf:q8_0"};
}

std::vector<std::string> FormatPicker::formats() const {
  std::vector<std::string> out;
  for (const QAction* action : menu()->actions())
    if (action->isCheckable() && action->isChecked())
      out.push_back(action->data().toString().toStdString());
  return out;
}

void FormatPicker::setFormats(const std::vector<std::string>& formats) {
  // Names as the registry knows them (aliases, any case): each action holds the canonical name.
  std::vector<std::string> canonical;
  for (const std::string& f : formats)
    canonical.push_back(isKnownFormat(f) ? findFormat(f).name : f);
  const QSignalBlocker block(this);
  for (QAction* action : menu()->actions()) {
    if (!action->isCheckable())
      continue;
    const QSignalBlocker blockAction(action);
    const std::string name = action->data().toString().toStdString();
    action->setChecked(std::find(canonical.begin(), canonical.end(), name) != canonical.end());
  }
  updateText();
}

void FormatPicker::updateText() {
  setText(tr("Formats (%1)").arg(formats().size()));
}

} // namespace qs
