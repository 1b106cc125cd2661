#pragma once
// FloatCodec: a FloatFormat with its bit-level constants computed once, for
// per-element hot loops. FloatFormat::encode/round/decode set those constants
// up on every call (a few ns); a codec made once per segment does not.
//
//   const FloatCodec codec(format);
//   for (...) { const float r = codec.round(y); codes[i] = codec.encode(r); }
//
// Results are bit-identical to the FloatFormat methods.
#include "core/formats/float_detail.h"
#include "core/formats/float_format.h"

namespace qs {

class FloatCodec {
public:
  explicit FloatCodec(const FloatFormat& format) : grid_(detail::makeGrid(format)) {}
  uint32_t encode(float x) const { return detail::encodeWithGrid(grid_, x); }
  float decode(uint32_t code) const { return detail::decodeWithGrid(grid_, code); }
  float round(float x) const { return detail::roundWithGrid(grid_, x); }

private:
  detail::FloatGrid grid_;
};

} // namespace qs
