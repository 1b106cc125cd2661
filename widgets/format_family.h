#pragma once
// The display name of a format family of the registry ("integer" ->
// "Integer"), shared by the format menu and Help ▸ Concepts.
#include <QString>

#include <string>

namespace qs {

QString formatFamilyTitle(const std::string& family);

} // namespace qs
