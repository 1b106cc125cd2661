#include "widgets/model/plan_exports.h"

#include "core/model/export_aimet.h"
#include "core/model/export_compressed_tensors.h"
#include "core/model/export_llama_quantize.h"
#include "core/model/recipe.h"

#include <QCoreApplication>

namespace qs {

const std::vector<PlanExportInfo>& planExportKinds() {
  auto tr = [](const char* text) { return QCoreApplication::translate("qs::PlanExports", text); };
  static const std::vector<PlanExportInfo> kinds{
      {PlanExportKind::LlamaQuantize, tr("llama-quantize script…"), QStringLiteral("quantize.sh"),
       tr("Shell script (*.sh);;All files (*)"),
       tr("A bash script running llama-quantize with one --tensor-type per role and format: the plan "
          "exactly, on the model's GGUF (GGUF formats only)")},
      {PlanExportKind::CompressedTensors, tr("compressed-tensors config…"),
       QStringLiteral("quantization_config.json"), tr("JSON (*.json);;All files (*)"),
       tr("The quantization_config block of a Hugging Face config.json (INT4/INT8 per channel or group, "
          "FP8 E4M3)")},
      {PlanExportKind::Aimet, tr("AIMET encodings…"), QStringLiteral("encodings.json"),
       tr("JSON (*.json);;All files (*)"),
       tr("AIMET parameter encodings with the real scales of every planned tensor (INT per tensor or "
          "per channel; reads and quantizes each tensor)")},
      {PlanExportKind::Recipe, tr("QuantScope recipe…"), QStringLiteral("recipe.json"),
       tr("JSON (*.json);;All files (*)"),
       tr("One full config per tensor (quantscope.recipe/1), for quantscope-cli quantize --recipe")},
  };
  return kinds;
}

std::string planExportText(PlanExportKind kind, const ModelPlan& plan, const ScanResult& scan,
                           const TensorSource& source, const std::atomic<bool>* cancel) {
  switch (kind) {
  case PlanExportKind::LlamaQuantize:
    return exportLlamaQuantize(plan, scan).script;
  case PlanExportKind::CompressedTensors:
    return exportCompressedTensors(plan, scan) + "\n";
  case PlanExportKind::Aimet:
    return exportAimet(plan, source, 2, cancel) + "\n";
  case PlanExportKind::Recipe:
    return recipeToJson(recipeFromPlan(plan)) + "\n";
  }
  return {};
}

} // namespace qs
