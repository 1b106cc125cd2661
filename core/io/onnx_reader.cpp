// ONNX models: the weights of graph.initializer, of Constant nodes' `value`
// tensors, and of subgraphs (If/Loop/Scan bodies in attributes g / graphs),
// named by origin: "w", "Constant_3:out" -> "out", "If_0/then_branch/w".
// Parsed with the bounded wire reader of protobuf_wire.h; data stays in the
// memory map (raw_data) or in the external file (data_location = EXTERNAL,
// resolved inside the model's directory only) until a tensor is read.
#include "core/error.h"
#include "core/formats/float_format.h"
#include "core/io/dtype.h"
#include "core/io/protobuf_wire.h"
#include "core/io/readers.h"
#include "core/io/source_base.h"

#include <map>
#include <mutex>
#include <optional>
#include <set>

namespace qs {
namespace {

constexpr int kMaxDepth = 32; // graphs nested in attributes of nodes of graphs ...
constexpr int kMaxDims = 32;

// onnx.proto TensorProto.DataType
enum OnnxType : int {
  FLOAT = 1,
  UINT8 = 2,
  INT8 = 3,
  UINT16 = 4,
  INT16 = 5,
  INT32 = 6,
  INT64 = 7,
  STRING = 8,
  BOOL = 9,
  FLOAT16 = 10,
  DOUBLE = 11,
  UINT32 = 12,
  UINT64 = 13,
  COMPLEX64 = 14,
  COMPLEX128 = 15,
  BFLOAT16 = 16,
  FLOAT8E4M3FN = 17,
  FLOAT8E4M3FNUZ = 18,
  FLOAT8E5M2 = 19,
  FLOAT8E5M2FNUZ = 20,
  UINT4 = 21,
  INT4 = 22,
  FLOAT4E2M1 = 23,
};

std::optional<DType> onnxDtype(int t) {
  switch (t) {
  case FLOAT:
    return DType::F32;
  case UINT8:
    return DType::U8;
  case INT8:
    return DType::I8;
  case UINT16:
    return DType::U16;
  case INT16:
    return DType::I16;
  case INT32:
    return DType::I32;
  case INT64:
    return DType::I64;
  case BOOL:
    return DType::Bool;
  case FLOAT16:
    return DType::F16;
  case DOUBLE:
    return DType::F64;
  case UINT32:
    return DType::U32;
  case UINT64:
    return DType::U64;
  case BFLOAT16:
    return DType::BF16;
  case FLOAT8E4M3FN:
    return DType::F8E4M3;
  case FLOAT8E4M3FNUZ:
    return DType::F8E4M3Fnuz;
  case FLOAT8E5M2:
    return DType::F8E5M2;
  case FLOAT8E5M2FNUZ:
    return DType::F8E5M2Fnuz;
  default:
    return std::nullopt;
  }
}

// TensorProto field numbers.
enum TensorField : uint32_t {
  kDims = 1,
  kDataType = 2,
  kFloatData = 4,
  kInt32Data = 5,
  kInt64Data = 7,
  kName = 8,
  kRawData = 9,
  kDoubleData = 10,
  kUint64Data = 11,
  kExternalData = 13,
  kDataLocation = 14,
};

struct Chunk {
  pb::WireType wire;
  std::span<const uint8_t> bytes; // packed payload (Length), or empty
  uint64_t value = 0;             // unpacked single value
};

// Where a tensor's values are, found at open time without decoding them.
struct TensorRef {
  DType dtype = DType::F32;
  int onnxType = 0;
  bool hasRaw = false;
  std::span<const uint8_t> raw;
  uint32_t typedField = 0; // float_data / int32_data / ... when not raw
  std::vector<Chunk> chunks;
  bool external = false;
  std::string location;
  uint64_t extOffset = 0;
  std::optional<uint64_t> extLength;
};

class OnnxSource final : public SourceBase {
public:
  OnnxSource(std::shared_ptr<const ByteSource> bytes, const std::filesystem::path& path)
      : SourceBase("onnx", path), bytes_(std::move(bytes)) {
    label_ = bytes_->label();
    parseModel(bytes_->bytes());
    inferOnnxLayouts();
    if (!skipped_.empty()) {
      std::string s;
      for (const auto& k : skipped_)
        s += (s.empty() ? "" : ", ") + k;
      fileMeta_["skipped tensors (not numeric)"] = s;
    }
  }

  // raw_data and external data are sliced; typed fields are decoded whole (small in practice).
  bool readsRowsCheaply() const override { return true; }

  Tensor read(const std::string& name, const std::atomic<bool>* cancel) const override {
    const auto& e = entryOrThrow(name);
    return readRows(name, {0, rowCount(e.shape)}, cancel);
  }

  Tensor readRows(const std::string& name, RowSlice slice, const std::atomic<bool>* cancel) const override {
    const auto& e = entryOrThrow(name);
    const TensorRef& r = refs_[static_cast<size_t>(&e - entries_.data())];
    checkSlice(e, slice);
    const int64_t numel = shapeNumel(e.shape);
    const size_t es = dtypeSize(r.dtype);
    // Validate the data before allocating the output.
    std::span<const uint8_t> raw;
    std::vector<float> typed;
    if (r.hasRaw || r.external) {
      raw = r.hasRaw ? r.raw : externalBytes(e, r, uint64_t(numel) * es);
      if (raw.size() != uint64_t(numel) * es)
        fail(name, "raw data holds " + std::to_string(raw.size()) + " bytes, " + shapeToString(e.shape) +
                       " of " + dtypeName(r.dtype) + " needs " + std::to_string(uint64_t(numel) * es));
    } else {
      typed = decodeTyped(e, r, numel);
    }
    Tensor t = makeTensor(e, slice);
    const int64_t first = slice.begin * rowElements(e.shape), count = t.numel();
    if (r.hasRaw || r.external)
      convertToFloat(r.dtype, raw.data() + uint64_t(first) * es, t.values.data(), count, false, cancel);
    else
      std::copy(typed.begin() + first, typed.begin() + first + count, t.values.begin());
    return t;
  }

private:
  // ---- parsing -------------------------------------------------------------

  void parseModel(std::span<const uint8_t> data) {
    pb::MessageReader m(data, label_);
    pb::Field f;
    bool sawGraph = false;
    std::string opsets;
    while (m.next(f)) {
      switch (f.number) {
      case 1: // ir_version
        requireWire(m, f, pb::Varint, "ir_version");
        fileMeta_["ir_version"] = std::to_string(f.varint);
        break;
      case 2:
        requireWire(m, f, pb::Length, "producer_name");
        fileMeta_["producer_name"] = std::string(f.str());
        break;
      case 3:
        requireWire(m, f, pb::Length, "producer_version");
        fileMeta_["producer_version"] = std::string(f.str());
        break;
      case 4:
        requireWire(m, f, pb::Length, "domain");
        fileMeta_["domain"] = std::string(f.str());
        break;
      case 5:
        requireWire(m, f, pb::Varint, "model_version");
        fileMeta_["model_version"] = std::to_string(f.varint);
        break;
      case 6:
        requireWire(m, f, pb::Length, "doc_string");
        fileMeta_["doc_string"] = std::string(f.str());
        break;
      case 7:
        requireWire(m, f, pb::Length, "graph");
        sawGraph = true;
        parseGraph(f, "", 1);
        break;
      case 8: { // opset_import { domain = 1, version = 2 }
        requireWire(m, f, pb::Length, "opset_import");
        pb::MessageReader o(f.bytes, label_, f.offset);
        pb::Field g;
        std::string domain;
        uint64_t version = 0;
        while (o.next(g)) {
          if (g.number == 1 && g.wire == pb::Length)
            domain = std::string(g.str());
          else if (g.number == 2 && g.wire == pb::Varint)
            version = g.varint;
        }
        opsets += (opsets.empty() ? "" : ", ") + (domain.empty() ? std::string("ai.onnx") : domain) + " " +
                  std::to_string(version);
        break;
      }
      case 14: { // metadata_props
        requireWire(m, f, pb::Length, "metadata_props");
        auto [k, v] = stringPair(f);
        fileMeta_["metadata." + k] = v;
        break;
      }
      default:
        break; // other fields (training_info, functions) hold no weights we show
      }
    }
    if (!sawGraph)
      throw Error(label_ + ": not an ONNX model: no graph found");
    if (!opsets.empty())
      fileMeta_["opset_import"] = opsets;
  }

  static void requireWire(const pb::MessageReader& m, const pb::Field& f, pb::WireType w, const char* what) {
    if (f.wire != w)
      m.fail(std::string("ONNX field ") + what + " has wire type " + std::to_string(int(f.wire)) +
             ", expected " + std::to_string(int(w)));
  }

  std::pair<std::string, std::string> stringPair(const pb::Field& f) const {
    pb::MessageReader r(f.bytes, label_, f.offset);
    pb::Field g;
    std::string k, v;
    while (r.next(g)) {
      if (g.number == 1 && g.wire == pb::Length)
        k = std::string(g.str());
      else if (g.number == 2 && g.wire == pb::Length)
        v = std::string(g.str());
    }
    return {k, v};
  }

  void parseGraph(const pb::Field& graph, const std::string& prefix, int depth) {
    if (depth > kMaxDepth)
      throw Error(label_ + ": ONNX graphs nested deeper than " + std::to_string(kMaxDepth) + " levels at '" +
                  prefix + "'");
    pb::MessageReader m(graph.bytes, label_, graph.offset);
    pb::Field f;
    int nodeIndex = 0;
    while (m.next(f)) {
      if (f.number == 5) { // initializer
        requireWire(m, f, pb::Length, "initializer");
        parseTensor(f, prefix, "", "initializer");
      } else if (f.number == 1) { // node
        requireWire(m, f, pb::Length, "node");
        parseNode(f, prefix, nodeIndex++, depth);
      } else if (f.number == 15) {
        skipped_.insert(prefix + "<sparse_initializer>");
      }
    }
  }

  void parseNode(const pb::Field& node, const std::string& prefix, int index, int depth) {
    pb::MessageReader m(node.bytes, label_, node.offset);
    pb::Field f;
    std::string name, opType, firstOutput;
    std::vector<std::string> inputs;
    std::vector<pb::Field> attributes;
    while (m.next(f)) {
      if (f.number == 1 && f.wire == pb::Length)
        inputs.emplace_back(f.str());
      else if (f.number == 2 && f.wire == pb::Length && firstOutput.empty())
        firstOutput = std::string(f.str());
      else if (f.number == 3 && f.wire == pb::Length)
        name = std::string(f.str());
      else if (f.number == 4 && f.wire == pb::Length)
        opType = std::string(f.str());
      else if (f.number == 5 && f.wire == pb::Length)
        attributes.push_back(f);
    }
    const std::string nodeLabel =
        !name.empty() ? name : (opType.empty() ? "node" : opType) + "_" + std::to_string(index);
    for (const auto& a : attributes)
      parseAttribute(a, prefix, nodeLabel, opType, firstOutput, depth);
    recordUses(prefix, nodeLabel, opType, inputs, firstOutput, intAttribute(attributes, "transB"));
  }

  // ---- layout inference from the consuming node --------------------------

  struct WeightUse {
    WeightOrder order;
    std::string origin;
  };

  std::optional<int64_t> intAttribute(const std::vector<pb::Field>& attributes, const char* wanted) const {
    for (const auto& a : attributes) {
      pb::MessageReader m(a.bytes, label_, a.offset);
      pb::Field f;
      std::string name;
      std::optional<int64_t> value;
      while (m.next(f)) {
        if (f.number == 1 && f.wire == pb::Length)
          name = std::string(f.str());
        else if (f.number == 3 && f.wire == pb::Varint)
          value = int64_t(f.varint);
      }
      if (name == wanted)
        return value;
    }
    return std::nullopt;
  }

  // Which input of which operator a weight is: Conv W [out, in/g, kh, kw];
  // ConvTranspose W [in, out/g, kh, kw]; MatMul B [in, out]; Gemm B [in, out],
  // or [out, in] with transB = 1; the quantized forms alike; Gather's table
  // [vocabulary, width]. Quantize/cast nodes between pass the use through.
  void recordUses(const std::string& prefix, const std::string& nodeLabel, const std::string& op,
                  const std::vector<std::string>& inputs, const std::string& output,
                  std::optional<int64_t> transB) {
    if ((op == "DequantizeLinear" || op == "Identity" || op == "Cast") && !inputs.empty() &&
        !output.empty()) {
      aliases_[prefix + output] = prefix + inputs[0];
      return;
    }
    const std::string where = "ONNX " + op + " '" + nodeLabel + "'";
    auto use = [&](size_t index, WeightOrder order, const std::string& role) {
      if (index < inputs.size() && !inputs[index].empty())
        uses_.emplace(prefix + inputs[index], WeightUse{order, role + " of " + where});
    };
    if (op == "Conv" || op == "ConvInteger")
      use(1, WeightOrder::OutFirst, "weight");
    else if (op == "QLinearConv")
      use(3, WeightOrder::OutFirst, "weight");
    else if (op == "ConvTranspose")
      use(1, WeightOrder::OutAxis1, "weight");
    else if (op == "MatMul" || op == "MatMulInteger")
      use(1, WeightOrder::OutLast, "input B");
    else if (op == "QLinearMatMul")
      use(3, WeightOrder::OutLast, "input B");
    else if (op == "Gemm")
      use(1, transB.value_or(0) ? WeightOrder::OutFirst : WeightOrder::OutLast,
          std::string("input B (transB = ") + (transB.value_or(0) ? "1" : "0") + ")");
    else if (op == "Gather")
      use(0, WeightOrder::OutFirst, "table");
  }

  void inferOnnxLayouts() {
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < entries_.size(); ++i)
      index.emplace(entries_[i].name, i);
    for (const auto& [user, use] : uses_) {
      std::string name = user;
      for (int hops = 0; hops < 8; ++hops) { // through DequantizeLinear / Identity / Cast
        auto alias = aliases_.find(name);
        if (alias == aliases_.end())
          break;
        name = alias->second;
      }
      if (auto it = index.find(name); it != index.end() && entries_[it->second].layout.reason.empty())
        entries_[it->second].layout = inferAxisLayout(entries_[it->second].shape, use.order, use.origin);
    }
    inferLayouts(WeightOrder::OutFirst, "ONNX, no Conv/MatMul/Gemm uses it: [out, ...] assumed");
  }

  void parseAttribute(const pb::Field& attr, const std::string& prefix, const std::string& nodeLabel,
                      const std::string& opType, const std::string& firstOutput, int depth) {
    pb::MessageReader m(attr.bytes, label_, attr.offset);
    pb::Field f;
    std::string name;
    std::vector<pb::Field> tensors, graphs;
    while (m.next(f)) {
      if (f.number == 1 && f.wire == pb::Length)
        name = std::string(f.str());
      else if ((f.number == 5 || f.number == 10) && f.wire == pb::Length) // t, tensors
        tensors.push_back(f);
      else if ((f.number == 6 || f.number == 11) && f.wire == pb::Length) // g, graphs
        graphs.push_back(f);
    }
    for (size_t i = 0; i < tensors.size(); ++i) {
      // A Constant's value is named after the node's output (its tensor name is usually empty).
      const bool constant = opType == "Constant" && name == "value";
      std::string fallback = constant && !firstOutput.empty() ? firstOutput : nodeLabel + "/" + name;
      if (tensors.size() > 1)
        fallback += "[" + std::to_string(i) + "]";
      parseTensor(tensors[i], prefix, fallback,
                  constant ? "Constant node '" + nodeLabel + "'"
                           : "attribute '" + name + "' of node '" + nodeLabel + "'",
                  constant);
    }
    for (size_t i = 0; i < graphs.size(); ++i) {
      std::string sub =
          prefix + nodeLabel + "/" + name + (graphs.size() > 1 ? "[" + std::to_string(i) + "]" : "") + "/";
      parseGraph(graphs[i], sub, depth + 1);
    }
  }

  // TensorProto.dims: one varint per field, or a packed run of them.
  void readDims(pb::MessageReader& m, const pb::Field& f, Shape& shape) const {
    if (f.wire == pb::Varint) {
      shape.push_back(static_cast<int64_t>(f.varint));
    } else if (f.wire == pb::Length) {
      size_t pos = 0;
      while (pos < f.bytes.size()) {
        if (shape.size() >= size_t(kMaxDims))
          m.fail("tensor has more than " + std::to_string(kMaxDims) + " dimensions");
        shape.push_back(static_cast<int64_t>(pb::readVarint(f.bytes, pos, label_)));
      }
    } else {
      m.fail("TensorProto.dims has an unexpected wire type");
    }
    if (shape.size() > size_t(kMaxDims))
      m.fail("tensor has more than " + std::to_string(kMaxDims) + " dimensions");
  }

  // The stored bytes must hold the shape: raw_data exactly, typed fields at
  // least one byte per value (checked before any read allocates the tensor).
  void checkTensorBytes(TensorEntry& e, const TensorRef& r, uint64_t bytes, uint64_t numel) const {
    if (r.external) {
      if (r.location.empty())
        throw Error(label_ + ": tensor '" + e.name + "': external data without a location");
      e.metadata["external data"] = r.location + " @" + std::to_string(r.extOffset);
    } else if (r.hasRaw && r.raw.size() != bytes) {
      throw Error(label_ + ": tensor '" + e.name + "': raw_data holds " + std::to_string(r.raw.size()) +
                  " bytes, " + shapeToString(e.shape) + " of " + dtypeName(r.dtype) + " needs " +
                  std::to_string(bytes));
    }
    if (!r.hasRaw && !r.external) {
      // Every typed value takes at least one byte: a shape larger than the
      // bytes present is a lie (checked before any read allocates it).
      uint64_t bound = 0;
      for (const auto& c : r.chunks)
        bound += c.wire == pb::Length ? c.bytes.size() : 1;
      if (numel > bound)
        throw Error(label_ + ": tensor '" + e.name + "': shape " + shapeToString(e.shape) + " needs " +
                    std::to_string(numel) + " values, the typed data holds at most " + std::to_string(bound));
    }
  }

  void parseTensor(const pb::Field& tf, const std::string& prefix, const std::string& fallbackName,
                   const std::string& origin, bool preferFallback = false) {
    pb::MessageReader m(tf.bytes, label_, tf.offset);
    pb::Field f;
    TensorEntry e;
    TensorRef r;
    std::string name;
    int dataType = 0;
    bool hasType = false;
    while (m.next(f)) {
      switch (f.number) {
      case kDims:
        readDims(m, f, e.shape);
        break;
      case kDataType:
        requireWire(m, f, pb::Varint, "data_type");
        dataType = static_cast<int>(static_cast<int32_t>(f.varint));
        hasType = true;
        break;
      case kName:
        requireWire(m, f, pb::Length, "name");
        name = std::string(f.str());
        break;
      case kRawData:
        requireWire(m, f, pb::Length, "raw_data");
        r.hasRaw = true;
        r.raw = f.bytes;
        break;
      case kFloatData:
      case kInt32Data:
      case kInt64Data:
      case kDoubleData:
      case kUint64Data:
        if (r.typedField && r.typedField != f.number)
          m.fail("tensor mixes two typed data fields");
        r.typedField = f.number;
        r.chunks.push_back({f.wire, f.wire == pb::Length ? f.bytes : std::span<const uint8_t>{}, f.varint});
        break;
      case kExternalData: {
        requireWire(m, f, pb::Length, "external_data");
        auto [k, v] = stringPair(f);
        if (k == "location")
          r.location = v;
        else if (k == "offset")
          r.extOffset = parseUnsigned(v, "external_data offset");
        else if (k == "length")
          r.extLength = parseUnsigned(v, "external_data length");
        break;
      }
      case kDataLocation:
        requireWire(m, f, pb::Varint, "data_location");
        r.external = f.varint == 1;
        break;
      default:
        break;
      }
    }
    std::string local = preferFallback || name.empty() ? fallbackName : name;
    e.name = uniqueName(prefix + local);
    if (!hasType)
      throw Error(label_ + ": tensor '" + e.name + "': no data_type");
    if (dataType <= 0 || dataType > FLOAT4E2M1)
      throw Error(label_ + ": tensor '" + e.name + "': unknown ONNX data type " + std::to_string(dataType));
    auto dtype = onnxDtype(dataType);
    if (!dtype) {
      skipped_.insert(e.name);
      return;
    }
    const int64_t numel = checkedNumel(e.shape, label_ + ": tensor '" + e.name + "'");
    const uint64_t es = dtypeSize(*dtype);
    if (uint64_t(numel) > UINT64_MAX / es)
      throw Error(label_ + ": tensor '" + e.name + "': " + shapeToString(e.shape) +
                  " overflows the byte count");
    r.dtype = *dtype;
    r.onnxType = dataType;
    checkTensorBytes(e, r, uint64_t(numel) * es, uint64_t(numel));
    e.storedDtype = dtypeName(*dtype);
    e.bytes = r.hasRaw     ? r.raw.size()
              : r.external ? r.extLength.value_or(uint64_t(numel) * es)
                           : uint64_t(numel) * es;
    e.metadata["origin"] = origin;
    if (!r.hasRaw && !r.external)
      e.metadata["storage"] = "typed field (" + std::string(fieldName(r.typedField)) + ")";
    entries_.push_back(std::move(e));
    refs_.push_back(std::move(r));
  }

  uint64_t parseUnsigned(const std::string& s, const char* what) const {
    if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos)
      throw Error(label_ + ": " + what + " '" + s + "' is not a non-negative integer");
    return std::stoull(s);
  }

  std::map<std::string, WeightUse> uses_;      // tensor name -> its first weight use
  std::map<std::string, std::string> aliases_; // node output -> the input it passes on

  std::string uniqueName(const std::string& base) {
    std::string n = base;
    for (int k = 2; !names_.insert(n).second; ++k)
      n = base + "#" + std::to_string(k);
    return n;
  }

  static const char* fieldName(uint32_t f) {
    switch (f) {
    case kFloatData:
      return "float_data";
    case kInt32Data:
      return "int32_data";
    case kInt64Data:
      return "int64_data";
    case kDoubleData:
      return "double_data";
    case kUint64Data:
      return "uint64_data";
    default:
      return "none";
    }
  }

  // ---- reading -------------------------------------------------------------

  // The typed field that onnx.proto prescribes for each data type.
  static uint32_t expectedField(int t) {
    switch (t) {
    case FLOAT:
      return kFloatData;
    case DOUBLE:
      return kDoubleData;
    case INT64:
      return kInt64Data;
    case UINT32:
    case UINT64:
      return kUint64Data;
    default:
      return kInt32Data; // int8/16/32, uint8/16, bool, float16, bfloat16, float8
    }
  }

  std::vector<float> decodeTyped(const TensorEntry& e, const TensorRef& r, int64_t numel) const {
    if (numel > 0 && r.typedField == 0)
      fail(e.name, "has no data (no raw_data, typed field or external data)");
    if (r.typedField && r.typedField != expectedField(r.onnxType))
      fail(e.name, std::string("stores ") + dtypeName(r.dtype) + " in " + fieldName(r.typedField) +
                       ", onnx.proto says " + fieldName(expectedField(r.onnxType)));
    // Collect the values as u64 bit patterns (fixed-width) or varints.
    std::vector<uint64_t> vals;
    const bool fixed32 = r.typedField == kFloatData, fixed64 = r.typedField == kDoubleData;
    for (const auto& c : r.chunks) {
      if (c.wire == pb::Length) {
        if (fixed32 || fixed64) {
          const size_t w = fixed32 ? 4 : 8;
          if (c.bytes.size() % w)
            fail(e.name, std::string("packed ") + fieldName(r.typedField) + " length is not a multiple of " +
                             std::to_string(w));
          for (size_t i = 0; i < c.bytes.size(); i += w) {
            uint64_t v = 0;
            for (size_t b = w; b-- > 0;)
              v = (v << 8) | c.bytes[i + b];
            vals.push_back(v);
            if (vals.size() > uint64_t(numel))
              break;
          }
        } else {
          size_t pos = 0;
          while (pos < c.bytes.size() && vals.size() <= uint64_t(numel))
            vals.push_back(pb::readVarint(c.bytes, pos, label_ + ": tensor '" + e.name + "'"));
        }
      } else {
        vals.push_back(c.value);
      }
      if (vals.size() > uint64_t(numel))
        break;
    }
    if (vals.size() != uint64_t(numel))
      fail(e.name, std::string(fieldName(r.typedField)) + " holds " +
                       (vals.size() > uint64_t(numel) ? "more than " : "") + std::to_string(vals.size()) +
                       " values, shape " + shapeToString(e.shape) + " needs " + std::to_string(numel));
    std::vector<float> out(static_cast<size_t>(numel));
    for (size_t i = 0; i < vals.size(); ++i) {
      const uint64_t v = vals[i];
      float x = 0;
      switch (r.dtype) {
      case DType::F32: {
        const uint32_t b = uint32_t(v);
        std::memcpy(&x, &b, 4);
        break;
      }
      case DType::F64: {
        double d;
        std::memcpy(&d, &v, 8);
        x = float(d);
        break;
      }
      case DType::F16:
        x = halfBitsToFloat(uint16_t(v));
        break;
      case DType::BF16:
        x = bf16BitsToFloat(uint16_t(v));
        break;
      case DType::F8E4M3:
      case DType::F8E5M2:
      case DType::F8E4M3Fnuz:
      case DType::F8E5M2Fnuz: {
        const uint8_t b = uint8_t(v);
        convertToFloat(r.dtype, &b, &x, 1);
        break;
      }
      case DType::I64:
        x = float(int64_t(v));
        break;
      case DType::U64:
      case DType::U32:
        x = float(v);
        break;
      case DType::Bool:
        x = v ? 1.0f : 0.0f;
        break;
      default: // int8/16/32, uint8/16: int32 varints (negative ones sign-extended)
        x = float(int32_t(uint32_t(v)));
        break;
      }
      out[i] = x;
    }
    return out;
  }

  std::span<const uint8_t> externalBytes(const TensorEntry& e, const TensorRef& r, uint64_t need) const {
    if (path_.empty())
      fail(e.name, "external data '" + r.location + "' cannot be read for a model parsed from memory");
    const std::filesystem::path rel(r.location);
    if (rel.is_absolute() || rel.has_root_name())
      fail(e.name, "external data location '" + r.location +
                       "' is absolute; only paths inside the model's directory are allowed");
    for (const auto& part : rel)
      if (part == "..")
        fail(e.name, "external data location '" + r.location + "' leaves the model's directory");
    const auto dir = std::filesystem::weakly_canonical(std::filesystem::absolute(path_).parent_path());
    const auto full = std::filesystem::weakly_canonical(dir / rel);
    const auto [d, f] = std::mismatch(dir.begin(), dir.end(), full.begin(), full.end());
    if (d != dir.end())
      fail(e.name, "external data location '" + r.location + "' resolves outside the model's directory");
    std::shared_ptr<const ByteSource> file;
    {
      std::lock_guard lock(mutex_);
      auto it = external_.find(full.string());
      if (it == external_.end()) {
        try {
          it = external_.emplace(full.string(), mapFile(full)).first;
        } catch (const Error& err) {
          fail(e.name, std::string("external data: ") + err.what());
        }
      }
      file = it->second;
    }
    const auto bytes = file->bytes();
    const uint64_t len = r.extLength.value_or(need);
    if (r.extOffset > bytes.size() || len > bytes.size() - r.extOffset)
      fail(e.name, "external data [" + std::to_string(r.extOffset) + ", +" + std::to_string(len) +
                       ") lies beyond the " + std::to_string(bytes.size()) + "-byte file " + full.string());
    return bytes.subspan(r.extOffset, len);
  }

  std::shared_ptr<const ByteSource> bytes_;
  std::vector<TensorRef> refs_; // parallel to entries_
  std::set<std::string> names_;
  std::set<std::string> skipped_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::shared_ptr<const ByteSource>> external_;
};

} // namespace

std::unique_ptr<TensorSource> openOnnx(std::shared_ptr<const ByteSource> bytes,
                                       const std::filesystem::path& path) {
  return std::make_unique<OnnxSource>(std::move(bytes), path);
}

} // namespace qs
