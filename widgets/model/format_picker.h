#pragma once
// FormatPicker: a button whose menu checks the scan's candidate formats, by
// family, in the registry's order ("Formats (7) ▾").
#include <QPushButton>

#include <string>
#include <vector>

namespace qs {

class FormatPicker : public QPushButton {
  Q_OBJECT
public:
  explicit FormatPicker(QWidget* parent = nullptr);

  // In the registry's order, whatever order they were checked in.
  std::vector<std::string> formats() const;
  void setFormats(const std::vector<std::string>& formats);
  // int8, int4, nf4, mxfp4, q4_k, q6_k, q8_0: the usual choices of a 4–8 bit deployment.
  static std::vector<std::string> defaultFormats();

signals:
  void formatsChanged();

private:
  void updateText();
};

} // namespace qs
