// libFuzzer target: the onnx reader on arbitrary bytes (see fuzz_reader_common.h).
#include "fuzz_reader_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzzReader("onnx", data, size);
  return 0;
}
