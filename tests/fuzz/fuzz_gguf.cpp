// libFuzzer target: the gguf reader on arbitrary bytes (see fuzz_reader_common.h).
#include "fuzz_reader_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzzReader("gguf", data, size);
  return 0;
}
