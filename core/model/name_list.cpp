#include "core/model/name_list.h"

namespace qs {

std::string nameList(const std::vector<std::string>& names, size_t limit) {
  std::string s;
  for (size_t i = 0; i < names.size() && i < limit; ++i)
    s += (i ? ", " : "") + names[i];
  if (names.size() > limit)
    s += " and " + std::to_string(names.size() - limit) + " more";
  return s;
}

} // namespace qs
