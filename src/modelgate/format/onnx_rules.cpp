#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> onnx_rules() {
  static const Rule rules[] = {
      {"MG-ONNX-MALFORMED", Severity::high, Status::refused,
       "The ONNX model could not be parsed completely.",
       "The file starts like an ONNX ModelProto but its protobuf encoding is broken, it is over "
       "the parser's nesting limit, or a required part (the graph) is missing. A model that cannot "
       "be read exactly is refused rather than guessed at."},
      {"MG-ONNX-EXTERNAL-DATA-ESCAPE", Severity::critical, Status::unsafe,
       "A tensor's external data location points outside the model directory.",
       "ONNX runtimes read external tensor data from `location`, relative to the model file. An "
       "absolute path, a `..` component, or a path that resolves (also through symlinks) outside "
       "the model's directory makes the loader read arbitrary files (CVE-2022-25882 and its "
       "successors). Do not load the model."},
      {"MG-ONNX-EXTERNAL-DATA-MISSING", Severity::high, Status::refused,
       "A tensor's external data file is missing, unreadable or too short.",
       "The model refers to external tensor data that does not exist next to it (or cannot be "
       "checked because the model is not a file on disk), or the declared offset and length do "
       "not fit in the file. The model is incomplete and is refused."},
      {"MG-ONNX-CUSTOM-DOMAIN", Severity::medium, Status::unverified,
       "The graph uses an operator from a non-standard domain.",
       "Operators outside the ONNX standard domains (and onnxruntime's built-in contrib domains) "
       "are implemented by custom libraries that the runtime must load. Their behaviour is not "
       "known; review the library that provides the domain before running the model."},
      {"MG-ONNX-PYTHON-OP", Severity::critical, Status::unsafe,
       "The graph contains an operator that runs Python code.",
       "Operators such as onnxruntime's PyOp call a Python module, class or function named in the "
       "node's attributes when the model runs. That is arbitrary code execution; do not run the "
       "model."},
  };
  return rules;
}

}  // namespace modelgate
