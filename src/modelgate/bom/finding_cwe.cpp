#include "bom/finding_cwe.h"

namespace modelgate::bom {

namespace {

constexpr int kDeserialization = 502;
constexpr int kCodeInjection = 94;
constexpr int kPathTraversal = 22;

constexpr RuleCwe kRuleCwes[] = {
    // Loading runs what a pickle (or a format that embeds one) names.
    {"MG-PICKLE-GLOBAL-DANGEROUS", kDeserialization},
    {"MG-PICKLE-CALL-DANGEROUS", kDeserialization},
    {"MG-PICKLE-CALL-INDIRECT", kDeserialization},
    {"MG-PICKLE-CALL-THROUGH", kDeserialization},
    {"MG-PICKLE-TORCH-CONSTRUCTED", kDeserialization},
    {"MG-PICKLE-CONSTRUCT-KEYWORDS", kDeserialization},
    {"MG-PICKLE-BUILD-GLOBAL", kDeserialization},
    {"MG-PICKLE-GLOBAL-UNLISTED", kDeserialization},
    {"MG-PICKLE-CALL-UNLISTED", kDeserialization},
    {"MG-PICKLE-EXT-UNRESOLVED", kDeserialization},
    {"MG-PICKLE-NESTED-PAYLOAD", kDeserialization},
    {"MG-PICKLE-INPLACE-WRITE", kDeserialization},
    {"MG-PICKLE-NESTED-OPAQUE", kDeserialization},
    {"MG-JOBLIB-WRAPPER", kDeserialization},
    {"MG-NPY-OBJECT-ARRAY", kDeserialization},
    {"MG-KERAS-TORCH-MODULE", kDeserialization},
    {"MG-KERAS-DANGEROUS-REFERENCE", kDeserialization},
    {"MG-PY-DESERIALIZE", kDeserialization},
    // Loading runs code the repository or the file carries.
    {"MG-TEMPLATE-DUNDER", kCodeInjection},
    {"MG-TEMPLATE-DUNDER-ASSEMBLED", kCodeInjection},
    {"MG-TEMPLATE-DYNAMIC-ATTRIBUTE", kCodeInjection},
    {"MG-TEMPLATE-PRIVATE-ATTRIBUTE", kCodeInjection},
    {"MG-TEMPLATE-GADGET", kCodeInjection},
    {"MG-TEMPLATE-IN-VALUE", kCodeInjection},
    {"MG-TEMPLATE-FORMAT-STRING", kCodeInjection},
    {"MG-HF-REMOTE-CODE", kCodeInjection},
    {"MG-HF-REMOTE-CODE-EXTERNAL", kCodeInjection},
    {"MG-HF-TRUST-REMOTE-CODE", kCodeInjection},
    {"MG-HF-CODE-ROUTE", kCodeInjection},
    {"MG-ST-MODULE-CODE", kCodeInjection},
    {"MG-DIFFUSERS-CUSTOM-CODE", kCodeInjection},
    {"MG-PEFT-AUTO-MAPPING", kCodeInjection},
    {"MG-CONFIG-CALLABLE", kCodeInjection},
    {"MG-CONFIG-CLASS-PATH", kCodeInjection},
    {"MG-HYPERPYYAML-CALL", kCodeInjection},
    {"MG-FIDDLE-PYREF", kCodeInjection},
    {"MG-CONFIG-DANGEROUS-CALLABLE", kCodeInjection},
    {"MG-PY-EVAL", kCodeInjection},
    {"MG-PY-PROCESS", kCodeInjection},
    {"MG-PY-ENCODED-PAYLOAD", kCodeInjection},
    {"MG-PY-CODE", kCodeInjection},
    {"MG-PY-NATIVE", kCodeInjection},
    {"MG-KERAS-LAMBDA", kCodeInjection},
    {"MG-KERAS-LAMBDA-BYTECODE", kCodeInjection},
    {"MG-ONNX-PYTHON-OP", kCodeInjection},
    {"MG-SAVEDMODEL-PYTHON-OP", kCodeInjection},
    {"MG-TORCH-TORCHSCRIPT", kCodeInjection},
    // A name that leads outside the place it is extracted or resolved to.
    {"MG-ZIP-UNSAFE-PATH", kPathTraversal},
    {"MG-ARCHIVE-UNSAFE-PATH", kPathTraversal},
    {"MG-ARCHIVE-LINK", kPathTraversal},
    {"MG-ZIP-SYMLINK", kPathTraversal},
    {"MG-SAFETENSORS-INDEX-SHARD-PATH", kPathTraversal},
    {"MG-ONNX-EXTERNAL-DATA-ESCAPE", kPathTraversal},
    {"MG-WALK-SYMLINK-ESCAPE", kPathTraversal},
};

}  // namespace

std::span<const RuleCwe> rule_cwes() { return kRuleCwes; }

std::optional<int> cwe_of_rule(std::string_view rule) {
  for (const auto& r : kRuleCwes)
    if (r.rule == rule) return r.cwe;
  return std::nullopt;
}

}  // namespace modelgate::bom
