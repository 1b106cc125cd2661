#pragma once
// The Model view's pins and keeps as one line of text each, the way the CLI
// takes them: pins "REGEX=FORMAT; REGEX=FORMAT", keeps "REGEX; REGEX".
// Separated by ';' because regexes often hold ',' ({1,2}) and rarely ';'.
#include "core/model/model_plan.h"

#include <QString>

#include <string>
#include <vector>

namespace qs {

// Throws qs::Error naming the piece: a pin without '=', an empty regex or
// format, an invalid regex.
std::vector<PlanPin> parsePins(const QString& text);
std::vector<std::string> parseKeeps(const QString& text);

} // namespace qs
