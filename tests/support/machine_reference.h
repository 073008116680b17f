#pragma once
// For differential tests and fuzzing only: the machine with its plain path (the fast run over the
// common opcodes) switched off, so that every opcode goes through the exact per-opcode loop, and a
// comparison of two results. run_machine() must give the same result as this, field for field.
#include <string>

#include "pickle/machine.h"

namespace modelgate::pickle {

StreamResult run_machine_reference(ByteView data, std::size_t start, std::string_view origin,
                                   const MachineOptions& options);

// Empty when `a` and `b` agree on everything a caller can observe; otherwise what differs first.
std::string result_difference(const StreamResult& a, const StreamResult& b);

}  // namespace modelgate::pickle
