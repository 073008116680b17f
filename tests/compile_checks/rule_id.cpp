// Compiled by ctest, not linked: RuleIds.KnownIdCompiles builds it as it is, and
// RuleIds.UnknownIdFailsToCompile with MG_TYPO defined, which must stop the compiler.
#include "core/rule_id.h"

#ifdef MG_TYPO
constexpr modelgate::RuleId id = "MG-PICKLE-GLOBAL-DANGEROS";
#else
constexpr modelgate::RuleId id = "MG-PICKLE-GLOBAL-DANGEROUS";
#endif
static_assert(id.view().size() > 3);
