#include "core/model/tensor_importance.h"

#include "core/error.h"
#include "core/model/imatrix_columns.h"

#include <memory>

namespace qs {

std::string tryAttachImportance(Tensor& tensor, const Imatrix& imatrix) {
  const ImatrixMatch match = matchImatrix(imatrix, tensor.name, tensor.shape);
  if (!match.entry)
    return match.problem;
  tensor.importance = std::make_shared<const std::vector<float>>(match.entry->weights);
  return {};
}

void attachImportance(Tensor& tensor, const Imatrix& imatrix) {
  const std::string problem = tryAttachImportance(tensor, imatrix);
  if (!problem.empty())
    throw Error(imatrix.path.string() + ": tensor '" + tensor.name + "' " + shapeToString(tensor.shape) +
                ": " + problem);
}

} // namespace qs
