// libFuzzer target: configFromJson on arbitrary text. A parse either throws
// qs::Error or yields a config that survives a JSON round trip unchanged.
#include "core/error.h"
#include "core/quant/quant_config.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  qs::QuantConfig config;
  try {
    config = qs::configFromJson(text);
  } catch (const qs::Error&) {
    return 0;
  }
  const std::string again = qs::configToJson(config);
  qs::QuantConfig back;
  try {
    back = qs::configFromJson(again);
  } catch (const qs::Error&) {
    std::abort(); // our own output must parse
  }
  if (!(back == config))
    std::abort();
  return 0;
}
