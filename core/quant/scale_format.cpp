#include "core/quant/scale_format.h"

#include "core/error.h"
#include "core/formats/float_format.h"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>

namespace qs {

namespace {

struct Name {
  ScaleFormat format;
  const char* name;
};
constexpr Name kNames[] = {{ScaleFormat::Fp32, "fp32"},
                           {ScaleFormat::Fp16, "fp16"},
                           {ScaleFormat::Bf16, "bf16"},
                           {ScaleFormat::E4m3, "e4m3"},
                           {ScaleFormat::Ue8m0Floor, "ue8m0-floor"},
                           {ScaleFormat::Ue8m0Ceil, "ue8m0-ceil"},
                           {ScaleFormat::Ue8m0Round, "ue8m0-round"},
                           {ScaleFormat::Int8Dq, "int8dq"}};

// A narrow float format's RNE value of s > 0, clamped into [smallest subnormal, largest finite].
float storeFloat(const FloatFormat& f, float s) {
  const float lo = float(f.minSubnormal()), hi = float(f.maxValue());
  if (s >= hi)
    return hi;
  const float r = f.round(s);
  return std::min(std::max(r, lo), hi);
}

// E8M0 exponent (code - 127) of s > 0 for one of the three roundings.
int ue8m0Exponent(ScaleFormat format, float s) {
  int e = 0;
  const float m = std::frexp(s, &e); // s = m * 2^e, m in [0.5, 1): exact for subnormals too
  int k = e - 1;                     // 2^k <= s < 2^(k+1)
  if (m != 0.5f) {
    if (format == ScaleFormat::Ue8m0Ceil)
      k = e;
    else if (format == ScaleFormat::Ue8m0Round) {
      const double ratio = double(m) * 2.0; // s / 2^k in (1, 2): exact, and its square too
      k = ratio * ratio >= 2.0 ? e : e - 1; // nearer in log2: up from 2^(k+1/2)
    }
  }
  return std::clamp(k, -127, 127);
}

// bucketize(v, midpoints, right=False): the number of midpoints below v.
uint8_t nearestMapCode(float v, const std::array<float, 255>& midpoints) {
  return uint8_t(std::lower_bound(midpoints.begin(), midpoints.end(), v) - midpoints.begin());
}

const std::array<float, 255>& mapMidpoints() {
  static const std::array<float, 255> mid = [] {
    std::array<float, 255> m{};
    const std::array<float, 256>& code = bnbDynamicMap();
    for (size_t i = 0; i < 255; ++i)
      m[i] = (code[i] + code[i + 1]) / 2.0f;
    return m;
  }();
  return mid;
}

} // namespace

const char* toString(ScaleFormat format) {
  for (const Name& n : kNames)
    if (n.format == format)
      return n.name;
  return "?";
}

ScaleFormat scaleFormatFromString(const std::string& s) {
  if (s == "ue8m0")
    return ScaleFormat::Ue8m0Ceil;
  for (const Name& n : kNames)
    if (s == n.name)
      return n.format;
  std::string known;
  for (const std::string& n : scaleFormatNames())
    known += (known.empty() ? "" : ", ") + n;
  throw Error("unknown scale format '" + s + "' (expected " + known + ")");
}

const std::vector<std::string>& scaleFormatNames() {
  static const std::vector<std::string> names = {"fp32",        "fp16",       "bf16",        "e4m3",  "ue8m0",
                                                 "ue8m0-floor", "ue8m0-ceil", "ue8m0-round", "int8dq"};
  return names;
}

int scaleFormatBits(ScaleFormat format) {
  switch (format) {
  case ScaleFormat::Fp32:
    return 32;
  case ScaleFormat::Fp16:
  case ScaleFormat::Bf16:
    return 16;
  default:
    return 8;
  }
}

double int8dqSecondLevelBits(int64_t scales) {
  return 32.0 * double((scales + kInt8DqBlock - 1) / kInt8DqBlock);
}

float ue8m0Value(uint8_t code) {
  if (code == 255)
    return std::nanf("");
  const int e = int(code) - 127;
  return e >= -126 ? std::bit_cast<float>(uint32_t(127 + e) << 23) : std::bit_cast<float>(1u << (149 + e));
}

float storeScale(ScaleFormat format, float s) {
  if (!(s > 0.0f) || !std::isfinite(s))
    return s; // 0 stays 0
  switch (format) {
  case ScaleFormat::Fp32:
    return s;
  case ScaleFormat::Fp16:
    return storeFloat(fp16Format(), s);
  case ScaleFormat::Bf16:
    return storeFloat(bf16Format(), s);
  case ScaleFormat::E4m3:
    return storeFloat(fp8E4M3Format(), s);
  case ScaleFormat::Ue8m0Floor:
  case ScaleFormat::Ue8m0Ceil:
  case ScaleFormat::Ue8m0Round:
    return ue8m0Value(uint8_t(ue8m0Exponent(format, s) + 127));
  case ScaleFormat::Int8Dq:
    break;
  }
  throw Error("internal: int8dq scales are stored all at once (doubleQuantize)");
}

uint32_t scaleCode(ScaleFormat format, float stored) {
  switch (format) {
  case ScaleFormat::Fp32:
    return std::bit_cast<uint32_t>(stored);
  case ScaleFormat::Fp16:
    return floatToHalfBits(stored);
  case ScaleFormat::Bf16:
    return floatToBf16Bits(stored);
  case ScaleFormat::E4m3:
    return fp8E4M3Format().encode(stored);
  case ScaleFormat::Ue8m0Floor:
  case ScaleFormat::Ue8m0Ceil:
  case ScaleFormat::Ue8m0Round: {
    if (!(stored > 0.0f))
      return 0; // a zero scale: code 0 is 2^-127, the nearest
    int e = 0;
    std::frexp(stored, &e);
    return uint32_t(std::clamp(e - 1, -127, 127) + 127);
  }
  case ScaleFormat::Int8Dq:
    break;
  }
  throw Error("internal: int8dq codes come from doubleQuantize");
}

const std::array<float, 256>& bnbDynamicMap() {
  // create_dynamic_map(signed=True, max_exponent_bits=7, total_bits=8) of
  // bitsandbytes/functional.py, as its float32 values (hex floats, exact).
  static const std::array<float, 256> map = {
      -0x1.fc6666p-1f,  -0x1.f53332p-1f,  -0x1.eep-1f,      -0x1.e6ccccp-1f,
      -0x1.df9998p-1f,  -0x1.d86666p-1f,  -0x1.d13334p-1f,  -0x1.cap-1f,
      -0x1.c2ccccp-1f,  -0x1.bb9998p-1f,  -0x1.b46666p-1f,  -0x1.ad3332p-1f,
      -0x1.a6p-1f,      -0x1.9eccccp-1f,  -0x1.979998p-1f,  -0x1.906666p-1f,
      -0x1.893334p-1f,  -0x1.82p-1f,      -0x1.7acccep-1f,  -0x1.73999ap-1f,
      -0x1.6c6668p-1f,  -0x1.653334p-1f,  -0x1.5ep-1f,      -0x1.56cccep-1f,
      -0x1.4f999ap-1f,  -0x1.486666p-1f,  -0x1.413334p-1f,  -0x1.3ap-1f,
      -0x1.32ccccp-1f,  -0x1.2b999ap-1f,  -0x1.246668p-1f,  -0x1.1d3334p-1f,
      -0x1.16p-1f,      -0x1.0eccccp-1f,  -0x1.07999ap-1f,  -0x1.006666p-1f,
      -0x1.f26668p-2f,  -0x1.e4p-2f,      -0x1.d59998p-2f,  -0x1.c73334p-2f,
      -0x1.b8ccccp-2f,  -0x1.aa6664p-2f,  -0x1.9cp-2f,      -0x1.8d9998p-2f,
      -0x1.7f3334p-2f,  -0x1.70ccccp-2f,  -0x1.626664p-2f,  -0x1.54p-2f,
      -0x1.459998p-2f,  -0x1.373334p-2f,  -0x1.28ccccp-2f,  -0x1.1a6668p-2f,
      -0x1.0cp-2f,      -0x1.fb3334p-3f,  -0x1.de6668p-3f,  -0x1.c1999ap-3f,
      -0x1.a4ccccp-3f,  -0x1.88p-3f,      -0x1.6b3332p-3f,  -0x1.4e6666p-3f,
      -0x1.31999ap-3f,  -0x1.14ccccp-3f,  -0x1.fp-4f,       -0x1.b66668p-4f,
      -0x1.93d70ap-4f,  -0x1.8851eap-4f,  -0x1.7ccccep-4f,  -0x1.7147aep-4f,
      -0x1.65c29p-4f,   -0x1.5a3d7p-4f,   -0x1.4eb85p-4f,   -0x1.433334p-4f,
      -0x1.37ae14p-4f,  -0x1.2c28f6p-4f,  -0x1.20a3d6p-4f,  -0x1.151ebap-4f,
      -0x1.09999ap-4f,  -0x1.fc28f4p-5f,  -0x1.e51ebap-5f,  -0x1.ce147ap-5f,
      -0x1.b70a3ep-5f,  -0x1.ap-5f,       -0x1.88f5c2p-5f,  -0x1.71eb86p-5f,
      -0x1.5ae146p-5f,  -0x1.43d70ap-5f,  -0x1.2ccccep-5f,  -0x1.15c28ep-5f,
      -0x1.fd70a4p-6f,  -0x1.cf5c26p-6f,  -0x1.a147aep-6f,  -0x1.733334p-6f,
      -0x1.451eb8p-6f,  -0x1.170a3ep-6f,  -0x1.d1eb86p-7f,  -0x1.75c29p-7f,
      -0x1.3e76c8p-7f,  -0x1.2c083p-7f,   -0x1.19999ap-7f,  -0x1.072b02p-7f,
      -0x1.e978d4p-8f,  -0x1.c49ba6p-8f,  -0x1.9fbe76p-8f,  -0x1.7ae148p-8f,
      -0x1.56041ap-8f,  -0x1.3126e8p-8f,  -0x1.0c49bap-8f,  -0x1.ced914p-9f,
      -0x1.851eb8p-9f,  -0x1.3b645ap-9f,  -0x1.e353f8p-10f, -0x1.4fdf3ap-10f,
      -0x1.eecbfep-11f, -0x1.b3d07cp-11f, -0x1.78d5p-11f,   -0x1.3dd982p-11f,
      -0x1.02de02p-11f, -0x1.8fc506p-12f, -0x1.19ce0ap-12f, -0x1.47ae16p-13f,
      -0x1.743e96p-14f, -0x1.15df66p-14f, -0x1.6f0068p-15f, -0x1.64840cp-16f,
      -0x1.040bfep-17f, -0x1.b43528p-19f, -0x1.27476ep-21f, 0.0f,
      0x1.27476ep-21f,  0x1.b43528p-19f,  0x1.040bfep-17f,  0x1.64840cp-16f,
      0x1.6f0068p-15f,  0x1.15df66p-14f,  0x1.743e96p-14f,  0x1.47ae16p-13f,
      0x1.19ce0ap-12f,  0x1.8fc506p-12f,  0x1.02de02p-11f,  0x1.3dd982p-11f,
      0x1.78d5p-11f,    0x1.b3d07cp-11f,  0x1.eecbfep-11f,  0x1.4fdf3ap-10f,
      0x1.e353f8p-10f,  0x1.3b645ap-9f,   0x1.851eb8p-9f,   0x1.ced914p-9f,
      0x1.0c49bap-8f,   0x1.3126e8p-8f,   0x1.56041ap-8f,   0x1.7ae148p-8f,
      0x1.9fbe76p-8f,   0x1.c49ba6p-8f,   0x1.e978d4p-8f,   0x1.072b02p-7f,
      0x1.19999ap-7f,   0x1.2c083p-7f,    0x1.3e76c8p-7f,   0x1.75c29p-7f,
      0x1.d1eb86p-7f,   0x1.170a3ep-6f,   0x1.451eb8p-6f,   0x1.733334p-6f,
      0x1.a147aep-6f,   0x1.cf5c26p-6f,   0x1.fd70a4p-6f,   0x1.15c28ep-5f,
      0x1.2ccccep-5f,   0x1.43d70ap-5f,   0x1.5ae146p-5f,   0x1.71eb86p-5f,
      0x1.88f5c2p-5f,   0x1.ap-5f,        0x1.b70a3ep-5f,   0x1.ce147ap-5f,
      0x1.e51ebap-5f,   0x1.fc28f4p-5f,   0x1.09999ap-4f,   0x1.151ebap-4f,
      0x1.20a3d6p-4f,   0x1.2c28f6p-4f,   0x1.37ae14p-4f,   0x1.433334p-4f,
      0x1.4eb85p-4f,    0x1.5a3d7p-4f,    0x1.65c29p-4f,    0x1.7147aep-4f,
      0x1.7ccccep-4f,   0x1.8851eap-4f,   0x1.93d70ap-4f,   0x1.b66668p-4f,
      0x1.fp-4f,        0x1.14ccccp-3f,   0x1.31999ap-3f,   0x1.4e6666p-3f,
      0x1.6b3332p-3f,   0x1.88p-3f,       0x1.a4ccccp-3f,   0x1.c1999ap-3f,
      0x1.de6668p-3f,   0x1.fb3334p-3f,   0x1.0cp-2f,       0x1.1a6668p-2f,
      0x1.28ccccp-2f,   0x1.373334p-2f,   0x1.459998p-2f,   0x1.54p-2f,
      0x1.626664p-2f,   0x1.70ccccp-2f,   0x1.7f3334p-2f,   0x1.8d9998p-2f,
      0x1.9cp-2f,       0x1.aa6664p-2f,   0x1.b8ccccp-2f,   0x1.c73334p-2f,
      0x1.d59998p-2f,   0x1.e4p-2f,       0x1.f26668p-2f,   0x1.006666p-1f,
      0x1.07999ap-1f,   0x1.0eccccp-1f,   0x1.16p-1f,       0x1.1d3334p-1f,
      0x1.246668p-1f,   0x1.2b999ap-1f,   0x1.32ccccp-1f,   0x1.3ap-1f,
      0x1.413334p-1f,   0x1.486666p-1f,   0x1.4f999ap-1f,   0x1.56cccep-1f,
      0x1.5ep-1f,       0x1.653334p-1f,   0x1.6c6668p-1f,   0x1.73999ap-1f,
      0x1.7acccep-1f,   0x1.82p-1f,       0x1.893334p-1f,   0x1.906666p-1f,
      0x1.979998p-1f,   0x1.9eccccp-1f,   0x1.a6p-1f,       0x1.ad3332p-1f,
      0x1.b46666p-1f,   0x1.bb9998p-1f,   0x1.c2ccccp-1f,   0x1.cap-1f,
      0x1.d13334p-1f,   0x1.d86666p-1f,   0x1.df9998p-1f,   0x1.e6ccccp-1f,
      0x1.eep-1f,       0x1.f53332p-1f,   0x1.fc6666p-1f,   0x1p+0f,
  };
  return map;
}

DoubleQuantized doubleQuantize(const float* scales, int64_t n) {
  DoubleQuantized out;
  if (n <= 0)
    return out;
  double sum = 0;
  for (int64_t i = 0; i < n; ++i)
    sum += double(scales[i]);
  out.offset = float(sum / double(n));
  out.codes.resize(size_t(n));
  out.stored.resize(size_t(n));
  const std::array<float, 256>& map = bnbDynamicMap();
  const std::array<float, 255>& mid = mapMidpoints();
  for (int64_t b = 0; b < n; b += kInt8DqBlock) {
    const int64_t m = std::min<int64_t>(kInt8DqBlock, n - b);
    float amax = 0.0f;
    for (int64_t i = 0; i < m; ++i)
      amax = std::max(amax, std::fabs(scales[b + i] - out.offset));
    out.absmax.push_back(amax);
    // As bitsandbytes' quantize_blockwise: x * (1 / absmax) for whole blocks,
    // x / absmax for the short last one, clamped to [-1, 1]; absmax at least 1e-38.
    const float am = std::max(amax, 1e-38f), inv = 1.0f / am;
    for (int64_t i = 0; i < m; ++i) {
      const float d = scales[b + i] - out.offset;
      const float v = std::clamp(m == kInt8DqBlock ? d * inv : d / am, -1.0f, 1.0f);
      const uint8_t c = nearestMapCode(v, mid);
      out.codes[size_t(b + i)] = c;
      out.stored[size_t(b + i)] = map[c] * amax + out.offset;
    }
  }
  return out;
}

void applyScaleFormat(ScaleFormat format, std::vector<SegmentParams>& params, StoredScales& out) {
  out.format = toString(format);
  if (format == ScaleFormat::Fp32)
    return;
  const size_t n = params.size();
  out.codes.assign(n, 0);
  DoubleQuantized dq;
  if (format == ScaleFormat::Int8Dq) {
    std::vector<float> fitted(n);
    for (size_t s = 0; s < n; ++s)
      fitted[s] = params[s].scale;
    dq = doubleQuantize(fitted.data(), int64_t(n));
    out.absmax = dq.absmax;
    out.offset = dq.offset;
  }
  for (size_t s = 0; s < n; ++s) {
    SegmentParams& p = params[s];
    const float fitted = p.scale;
    const float stored = format == ScaleFormat::Int8Dq ? dq.stored[s] : storeScale(format, fitted);
    out.codes[s] = format == ScaleFormat::Int8Dq ? dq.codes[s] : int32_t(scaleCode(format, stored));
    p.fitted = fitted;
    p.scale = stored;
    if (format != ScaleFormat::Int8Dq && stored > 0.0f)
      p.invScale = 1.0f / stored;
    // A grid that shrank clips at its new edge. Not for int8dq, whose
    // elements are coded with the fitted scale, nor ternary, whose clip range
    // is not its grid's edge (its threshold compares against it).
    if (format != ScaleFormat::Int8Dq && fitted > 0.0f && stored < fitted && p.threshold == 0.0f) {
      const float ratio = stored / fitted;
      p.lo *= ratio;
      p.hi *= ratio;
    }
  }
}

} // namespace qs
