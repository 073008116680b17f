#pragma once
// Content probes of the data-file formats (data_files.cpp), for identification.
#include <string_view>

#include "core/bytes.h"

namespace modelgate {

bool looks_like_tflite(ByteView bytes);
bool looks_like_openvino_ir(std::string_view text);

}  // namespace modelgate
