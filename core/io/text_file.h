#pragma once
// Writing a whole file so that nothing is lost: the text goes to a temporary
// name in the target folder and is renamed over the target at the end, so a
// failed write never leaves a half file or replaces a good one.
#include <filesystem>
#include <string>

namespace qs {

// Throws qs::Error naming the file when it cannot be written.
void writeFileAtomically(const std::filesystem::path& path, const std::string& content);

} // namespace qs
