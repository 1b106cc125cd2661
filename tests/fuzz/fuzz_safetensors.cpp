// libFuzzer target: the safetensors reader on arbitrary bytes (see fuzz_reader_common.h).
#include "fuzz_reader_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzzReader("safetensors", data, size);
  return 0;
}
