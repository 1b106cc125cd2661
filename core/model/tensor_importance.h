#pragma once
// A tensor's imatrix entry as its Tensor::importance: what llama-quantize
// --imatrix gives its quantizers, so that the GGUF formats quantize with
// llama.cpp's weighted paths. The entry is matched as the scan matches it
// (matchImatrix: the tensor's own name, then its GGUF name; one weight per
// input column, per expert for a 3-D stack).
#include "core/io/imatrix.h"
#include "core/tensor.h"

#include <string>

namespace qs {

// Sets tensor.importance to a copy of its entry's weights; returns the
// problem instead ("not in the imatrix", "sizes differ: …"), leaving the
// tensor as it was.
std::string tryAttachImportance(Tensor& tensor, const Imatrix& imatrix);

// As tryAttachImportance; throws qs::Error naming the imatrix file, the
// tensor and the problem.
void attachImportance(Tensor& tensor, const Imatrix& imatrix);

} // namespace qs
