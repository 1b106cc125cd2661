#pragma once
// Writes named arrays (any DType, any shape) to safetensors or HDF5. The
// files are written to "<path>.tmp" and renamed, so a failed write never
// leaves a half file under the real name.
#include "core/io/dtype.h"
#include "core/tensor.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace qs {

struct ArrayToWrite {
  std::string name; // safetensors key; in HDF5 a dataset path ('/' makes groups)
  Shape shape;
  DType dtype = DType::F32;
  std::vector<uint8_t> bytes;                    // little-endian, row-major, numel * dtypeSize
  std::map<std::string, std::string> attributes; // HDF5 only: string attributes
};

// safetensors: `metadata` becomes __metadata__; the header is padded with
// spaces to a multiple of 8 so the data buffer is aligned.
void writeSafetensors(const std::filesystem::path& path, const std::vector<ArrayToWrite>& arrays,
                      const std::map<std::string, std::string>& metadata);

// HDF5: datasets at their name paths (groups created on the way), string
// attributes on them; `groupAttributes` maps a group path ("" = root) to
// string attributes.
void writeHdf5(const std::filesystem::path& path, const std::vector<ArrayToWrite>& arrays,
               const std::map<std::string, std::map<std::string, std::string>>& groupAttributes);

// Helpers to build arrays.
ArrayToWrite floatArray(std::string name, Shape shape, const std::vector<float>& values);
// Integer array in the smallest of int8, uint8, int16, uint16, int32 that holds every value.
ArrayToWrite smallestIntArray(std::string name, Shape shape, const std::vector<int32_t>& values);

} // namespace qs
