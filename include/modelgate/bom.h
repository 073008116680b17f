#pragma once
// `modelgate bom`: a CycloneDX bill of materials of what a scan read (docs/bom.md). Built from the
// scan's typed result only; scan with ScanOptions::hash_contents so that every component has its
// SHA-256.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "modelgate/policy.h"
#include "modelgate/scan.h"

namespace modelgate {

enum class CycloneDxVersion { v1_6, v1_7 };

// An OMS signature of a scanned model, and what checking it found.
struct BomSignature {
  std::string model_origin;  // the top-level artifact (the path given) the signature is of
  std::string reference;     // where the signature is, as given (an IRI reference is made of it)
  bool checked = false;      // verification material was given
  bool verified = false;
  std::string method;        // "key", "certificate" or "sigstore"
  std::string identity;      // who signed, as the method establishes it (key fingerprint, SAN and issuer)
  std::string failure;       // why verification failed
};

// The checkpoint an artifact was converted from (`convert --bom`).
struct BomAncestor {
  std::string derived_origin;  // the artifact written by the conversion
  std::string name;            // the source checkpoint as given
  std::string sha256;
  std::uint64_t size = 0;
  std::string format;
};

struct BomOptions {
  CycloneDxVersion spec = CycloneDxVersion::v1_6;
  // metadata.timestamp in Unix seconds (SOURCE_DATE_EPOCH); nullopt: the current time.
  std::optional<std::int64_t> timestamp;
  Policy policy;  // the policy the scan ran under: its hash goes into metadata.tools
  std::vector<BomSignature> signatures;
  std::vector<BomAncestor> ancestors;
};

// The BOM as JSON text. Deterministic for the same result, options and timestamp.
std::string render_cyclonedx(const ScanResult& result, const BomOptions& options);

}  // namespace modelgate
