// The gate's rules. They are results in an admission decision, not scan findings: their severity
// and status only say how they would rank if rendered as findings.
#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> gate_rules() {
  static const Rule rules[] = {
      {"MG-GATE-STATUS", Severity::high, Status::unverified, "A file's scan verdict is not one the policy allows.",
       "The policy's allow_status lists the verdicts admitted (default: safe). The evidence names the findings "
       "that set the verdict. A waiver for the file's SHA-256 and those rule ids admits an unverified or refused "
       "file until it expires; nothing admits an unsafe one."},
      {"MG-GATE-FORMAT", Severity::medium, Status::unverified, "A file, or a part of it, has a format outside the policy's list.",
       "formats.allow lists the formats admitted and formats.deny those refused, as `scan` names them. An "
       "archive is judged by its members too (a pytorch-zip holds a pickle)."},
      {"MG-GATE-PICKLE", Severity::high, Status::unverified, "The model has a pickle-based file and the policy allows none.",
       "pickle.allow is false. Convert the weights (`modelgate convert`) or allow pickles with conditions "
       "(require_signature, require_legacy_flag)."},
      {"MG-GATE-PICKLE-SIGNATURE", Severity::high, Status::unverified, "A pickle-based file is not covered by a verified signature.",
       "pickle.require_signature admits a pickle-based file only when the model's OMS signature verified with "
       "a method the policy trusts."},
      {"MG-GATE-PICKLE-LEGACY", Severity::medium, Status::unverified, "A pickle-based file is not flagged legacy by the policy.",
       "pickle.require_legacy_flag admits a pickle-based file only when the policy's legacy list names it (by "
       "SHA-256 and/or path) with a reason; the decision records the reason when it passes."},
      {"MG-GATE-SIGNATURE", Severity::high, Status::unverified, "The model's signature is missing or did not verify.",
       "With signature.required, admission needs an OMS bundle (--signature, or model.sig in the directory) that "
       "verifies with one of the policy's keys, certificate roots or Sigstore identities. A bundle present but "
       "failing fails this rule whether required or not."},
      {"MG-GATE-LICENSE", Severity::medium, Status::unverified, "The model's licence is outside the policy's list or unknown.",
       "licenses.allow / licenses.deny are SPDX ids compared without regard to case with the licence the model "
       "card or config states. A model that states none is `unknown`: denied unless licenses.unknown is \"allow\"."},
      {"MG-GATE-ERROR", Severity::high, Status::refused, "The gate could not complete its work.",
       "A path could not be read, a signature could not be checked for a reason other than a bad signature, or "
       "the inventory failed. An error is never an admission: the exit code is 2."},
  };
  return rules;
}

}  // namespace modelgate
