#pragma once
// The plan for the tools that deploy it (core/model/export_*.h, recipe.h):
// one entry per export kind with its menu text and file name, and the text
// each writes. Building the AIMET encodings reads and quantizes every
// planned tensor, so exports run on a worker.
#include "core/io/tensor_source.h"
#include "core/model/model_plan.h"
#include "core/model/scan.h"

#include <QString>

#include <atomic>
#include <string>
#include <vector>

namespace qs {

enum class PlanExportKind { LlamaQuantize, CompressedTensors, Aimet, Recipe };

struct PlanExportInfo {
  PlanExportKind kind;
  QString menuText;    // "llama-quantize script…"
  QString fileName;    // suggested: "quantize.sh"
  QString fileFilter;  // for the save dialog
  QString description; // the menu entry's tooltip
};

const std::vector<PlanExportInfo>& planExportKinds();

// The file's content. Throws qs::Error when the plan cannot be written in
// that form (the core says which tensors), qs::Cancelled on a cancel.
std::string planExportText(PlanExportKind kind, const ModelPlan& plan, const ScanResult& scan,
                           const TensorSource& source, const std::atomic<bool>* cancel);

} // namespace qs
