#pragma once
// The `list` view of a tensor file, shared by the CLI and anyone who wants a
// text or JSON summary: name, shape, stored dtype, bytes, file metadata.
#include "core/io/tensor_source.h"

#include <string>

namespace qs {

// A human-readable table: one line per tensor (unreadable ones marked, with
// their reasons after the table), then the file metadata (long values cut to
// `maxValueChars`).
std::string listingText(const TensorSource& source, size_t maxValueChars = 200);
// {"file":..., "format":..., "metadata":{...}, "tensors":[{"name","shape","dtype","bytes","metadata"}]};
// a tensor QuantScope cannot read also has "unreadable": the reason.
std::string listingJson(const TensorSource& source, int indent = 2);

} // namespace qs
