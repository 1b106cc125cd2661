#pragma once
// Tensor names in an error message: the first few, then how many more, so a
// message about 300 tensors stays one readable line.
#include <cstddef>
#include <string>
#include <vector>

namespace qs {

// "a, b, c and 5 more" (at most `limit` names).
std::string nameList(const std::vector<std::string>& names, size_t limit = 8);

} // namespace qs
