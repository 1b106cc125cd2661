#pragma once
// The .npy format (NumPy NEP 1, versions 1.0, 2.0, 3.0), shared by the .npy
// and .npz readers: a strict parser for the header's Python dict literal and
// the conversion of the payload (C or Fortran order) to row-major float32.
#include "core/io/dtype.h"
#include "core/io/tensor_source.h"

#include <span>
#include <string>

namespace qs {

struct NpyHeader {
  DType dtype = DType::F32;
  bool bigEndian = false;
  bool fortranOrder = false;
  Shape shape;
  uint64_t dataOffset = 0; // bytes from the start of the .npy data to the payload
  uint64_t dataBytes = 0;  // numel * item size
};

// Parses the header at the start of `bytes` (which may be only a prefix of
// the file). Throws qs::Error naming `label` on anything malformed:
// bad magic, unknown version, header length beyond `bytes`, a dict that is
// not exactly {'descr', 'fortran_order', 'shape'}, unsupported dtypes,
// negative or overflowing dimensions.
NpyHeader parseNpyHeader(std::span<const uint8_t> bytes, const std::string& label);

// Converts rows [slice.begin, slice.end) of the payload to row-major float32
// (`out` has room for them). `payload` holds the whole array (dataBytes).
void npyToFloat(const NpyHeader& header, const uint8_t* payload, RowSlice slice, float* out,
                const std::atomic<bool>* cancel);

// "float16", "int8", ... plus " (big-endian)" / " (Fortran order)" notes go to metadata.
std::string npyDtypeLabel(const NpyHeader& header);

} // namespace qs
