#pragma once
// ElidedLabel: one line of text that shrinks with its row, ending in "…"
// rather than widening the window or being cut mid-letter; the whole text is
// its tooltip. Rich text is not supported (a colour for the whole line is).
#include <QWidget>

namespace qs {

class ElidedLabel : public QWidget {
  Q_OBJECT
public:
  explicit ElidedLabel(QWidget* parent = nullptr);

  void setText(const QString& text, const QColor& color = {});
  QString text() const { return text_; }
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

protected:
  void paintEvent(QPaintEvent* event) override;

private:
  QString text_;
  QColor color_;
};

} // namespace qs
