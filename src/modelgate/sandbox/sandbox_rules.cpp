#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> sandbox_rules() {
  static const Rule rules[] = {
      {"MG-SANDBOX-CRASH", Severity::high, Status::refused,
       "The confined parse worker died while reading the file.",
       "The worker that parsed the file was ended by a signal (a crash in a parser, or a kill from "
       "outside) or stopped before it returned a result. Nothing it saw can be trusted, so the file "
       "is refused; the scan goes on with a fresh worker. A crash on a model file is worth reporting: "
       "keep the file."},
      {"MG-SANDBOX-VIOLATION", Severity::critical, Status::refused,
       "The parse worker made a system call that its confinement forbids.",
       "Parse workers may only read the file they were given, manage memory without making it "
       "executable and write their result. Anything else (opening files, sockets, running programs, "
       "executable memory) kills the worker. A parser does not do that on its own: treat the file as "
       "an exploitation attempt against modelgate or one of its libraries."},
      {"MG-SANDBOX-LIMIT", Severity::high, Status::refused,
       "The parse worker exceeded its memory, CPU-time or file-size limit.",
       "Workers run under resource limits so that a hostile file cannot exhaust the machine. The "
       "file was not inspected completely and is refused."},
      {"MG-SANDBOX-TIMEOUT", Severity::high, Status::refused,
       "The parse worker did not finish the file in time.",
       "The worker was killed after the wall-clock timeout for one file (Limits::worker_timeout_ms). "
       "The file was not inspected completely and is refused."},
      {"MG-SANDBOX-MALFORMED-RESULT", Severity::critical, Status::refused,
       "The parse worker returned a result that does not decode.",
       "The broker decodes every worker result strictly (version, lengths, counts, known rule ids). "
       "A result that does not decode means the worker misbehaved: the file is refused."},
  };
  return rules;
}

}  // namespace modelgate
