#pragma once
// Lexical safety pass over Python source in a model repository (modeling_*.py, custom
// pipelines, tokenizers). Python code is `unverified` by default; process, file-write, network,
// eval/exec, import-hiding, deserialisation and native-code primitives make it `unsafe`.
#include <string>
#include <string_view>

#include "modelgate/limits.h"
#include "modelgate/report.h"

namespace modelgate {

// `bytes` are the file as stored; they are decoded as CPython would (hf/python_source.h).
void analyse_python_source(std::string_view bytes, const std::string& origin, const Limits& limits,
                           ArtifactReport& report);

}  // namespace modelgate
