#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "modelgate/rules.h"
#include "modelgate/status.h"

namespace modelgate {

struct Finding {
  std::string rule;                     // rule id
  Severity severity = Severity::info;
  Status status = Status::safe;         // the status this finding imposes on its artifact
  std::string origin;                   // origin chain, e.g. "model.7z!/pytorch_model.bin!/archive/data.pkl"
  std::optional<std::uint64_t> offset;  // byte offset within the innermost artifact, when known
  std::string message;                  // what was seen, in one sentence
  std::string evidence;                 // the global, the opcode, the snippet
};

// A finding with the rule's default severity and status.
Finding make_finding(const Rule& rule, std::string origin, std::optional<std::uint64_t> offset,
                     std::string message, std::string evidence = {});

}  // namespace modelgate
