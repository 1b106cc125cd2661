#pragma once
// The family factories the registry's entries are made of: one per kernel
// file (core/formats/*_kernel.cpp), parameterised by the member.
#include "core/formats/block_formats.h"
#include "core/formats/codebook.h"
#include "core/formats/float_format.h"
#include "core/formats/format_kernel.h"
#include "core/formats/nvfp4_block.h"

namespace qs {

KernelFactory floatFamily(const FloatFormat& format);
// The same grid scaled per 128 x 128 tile by default (DefaultScaling::Tiles).
KernelFactory tiledFloatFamily(const FloatFormat& format);
KernelFactory intFamily(int bits);
// A fixed table of normalised levels scaled by the segment's absmax.
KernelFactory codebookFamily(const Codebook* codebook);
// The levels come from QuantConfig::codebook.
KernelFactory userCodebookFamily();
KernelFactory kmeansFamily(int bits);
// Sign x mean|w| (BinaryConnect / XNOR-Net), or TWN's {-1, 0, +1}.
enum class SignLevels { Binary, Ternary };
KernelFactory signFamily(SignLevels levels);
KernelFactory mxFamily(MxElement element);
KernelFactory ggufFamily(GgufType type);
KernelFactory nvfp4Family(Nvfp4ScaleRule rule);

} // namespace qs
