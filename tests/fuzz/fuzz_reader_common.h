#pragma once
// Shared body of the reader fuzzers: parse the input from memory as one
// format, list it and read every tensor (whole, and a row slice). Any
// qs::Error is an accepted outcome; anything else (another exception, a
// sanitizer report, a crash) is a finding.
#include "core/error.h"
#include "core/io/readers.h"

#include <cstdint>
#include <vector>

inline void fuzzReader(const char* format, const uint8_t* data, size_t size) {
  try {
    auto src = qs::openTensorBytes(format, std::vector<uint8_t>(data, data + size));
    (void)src->fileMetadata();
    for (const auto& e : src->list()) {
      try {
        qs::Tensor t = src->read(e.name);
        if (!e.shape.empty() && e.shape[0] > 1)
          (void)src->readRows(e.name, {1, e.shape[0]});
        (void)t;
      } catch (const qs::Error&) {
      }
    }
  } catch (const qs::Error&) {
  }
}
