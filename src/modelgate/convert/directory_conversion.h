#pragma once
// A model directory to an output directory: every torch checkpoint becomes a .safetensors file
// (pytorch_model.bin -> model.safetensors, pytorch_model-0000N-of-0000M.bin ->
// model-0000N-of-0000M.safetensors), model.safetensors.index.json is derived from
// pytorch_model.bin.index.json, other files are copied. Every file is checked before any is
// written: a weight file that cannot be converted refuses the whole directory.
#include <filesystem>

#include "modelgate/convert.h"

namespace modelgate::convert {

ConversionReport convert_directory(const std::filesystem::path& in, const std::filesystem::path& out,
                                   const ConvertOptions& options);

// The output name of a checkpoint: the Hugging Face names for weight files, else stem.safetensors.
std::string safetensors_name(const std::string& checkpoint_name);

}  // namespace modelgate::convert
