#pragma once
// Shared body of the reader fuzzers: parse the input from memory as one
// format, list it and read every tensor (whole with progress, and a row
// slice). Any qs::Error is an accepted outcome; anything else (another
// exception, a sanitizer report, a crash, progress that is not increasing
// within (0, 1] or does not end at 1) is a finding.
#include "core/error.h"
#include "core/io/readers.h"

#include <cstdint>
#include <cstdlib>
#include <vector>

inline void fuzzReader(const char* format, const uint8_t* data, size_t size) {
  try {
    auto src = qs::openTensorBytes(format, std::vector<uint8_t>(data, data + size));
    (void)src->fileMetadata();
    for (const auto& e : src->list()) {
      try {
        double last = 0;
        qs::Tensor t = src->readWithProgress(e.name, nullptr, [&last](double f) {
          if (!(f > last && f <= 1.0))
            std::abort();
          last = f;
        });
        if (last != 1.0)
          std::abort();
        if (!e.shape.empty() && e.shape[0] > 1)
          (void)src->readRows(e.name, {1, e.shape[0]});
        (void)t;
      } catch (const qs::Error&) {
      }
    }
  } catch (const qs::Error&) {
  }
}
