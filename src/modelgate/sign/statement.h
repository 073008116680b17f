#pragma once
// The in-toto Statement v1 that OMS signs: one subject (model name, SHA-256 over all digests) and the
// predicate `https://model_signing/signature/v1.0` with the resources and the serialization parameters.
#include <string>
#include <string_view>

#include "sign/manifest.h"
#include "sign/result.h"

namespace modelgate::sign {

inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";
inline constexpr std::string_view kStatementType = "https://in-toto.io/Statement/v1";
inline constexpr std::string_view kPredicateType = "https://model_signing/signature/v1.0";
inline constexpr std::string_view kPredicateTypeV02 = "https://model_signing/Digests/v0.1";

// The JSON payload bytes for a manifest.
std::string statement_json(const Manifest& manifest);

struct SignedManifest {
  Manifest manifest;
  bool legacy_v02 = false;  // the v0.2 predicate: no serialization parameters, one subject per file
};

// Parses a payload leniently (floats for integers, old algorithm names, old predicate) and checks it
// strictly (one subject, root digest matches the resources, no duplicate resources).
Expected<SignedManifest> parse_statement(std::string_view payload);

}  // namespace modelgate::sign
