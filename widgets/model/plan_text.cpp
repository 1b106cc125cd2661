#include "widgets/model/plan_text.h"

#include "core/error.h"

#include <QStringList>

#include <regex>

namespace qs {

namespace {

QStringList pieces(const QString& text) {
  QStringList out;
  for (const QString& piece : text.split(QLatin1Char(';')))
    if (!piece.trimmed().isEmpty())
      out << piece.trimmed();
  return out;
}

// The core matches with std::regex (ECMAScript): check with the same engine.
std::string checkedRegex(const QString& text, const QString& piece) {
  const std::string regex = text.toStdString();
  try {
    std::regex check(regex, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw Error("'" + piece.toStdString() + "': invalid regex (" + e.what() + ")");
  }
  return regex;
}

} // namespace

std::vector<PlanPin> parsePins(const QString& text) {
  std::vector<PlanPin> pins;
  for (const QString& piece : pieces(text)) {
    // The last '=': a regex may hold '=' (lookaheads), a format name never does.
    const qsizetype eq = piece.lastIndexOf(QLatin1Char('='));
    if (eq < 0)
      throw Error("pin '" + piece.toStdString() + "': expected REGEX=FORMAT");
    const QString regex = piece.left(eq).trimmed();
    const QString format = piece.mid(eq + 1).trimmed();
    if (regex.isEmpty() || format.isEmpty())
      throw Error("pin '" + piece.toStdString() + "': expected REGEX=FORMAT");
    pins.push_back({checkedRegex(regex, piece), format.toStdString()});
  }
  return pins;
}

std::vector<std::string> parseKeeps(const QString& text) {
  std::vector<std::string> keeps;
  for (const QString& piece : pieces(text))
    keeps.push_back(checkedRegex(piece, piece));
  return keeps;
}

} // namespace qs
