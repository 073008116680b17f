#pragma once
// One thing to scan: bytes plus where they came from.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/unpack_budget.h"
#include "artifact/pickle_probe.h"
#include "readers/zip_reader.h"

namespace modelgate {

class CheckpointReadingSlot;

struct Artifact {
  std::string origin;                       // origin chain, e.g. "m.zip!/archive/data.pkl"
  ByteView bytes;
  std::shared_ptr<const ByteSource> owner;  // keeps `bytes` alive
  std::filesystem::path path;               // on-disk path for files; empty for members
  // The name loaders see: a member's path in its container; a walked file's path relative to the
  // scanned directory (loaders pick some files by a directory component, scan/name_readings.cpp).
  std::string name;
  unsigned depth = 0;                       // 0 for files given on the command line
  // Shared by every artifact nested in one top-level artifact; ScanContext::scan creates it for
  // an artifact that has none.
  std::shared_ptr<UnpackBudget> budget;
  std::string sha256;  // of `bytes`, when the caller has already computed it (never for members)
  // What pickle.load does from offset 0 (probe_pickle_at_start), once known.
  mutable std::optional<KnownPickleProbe> pickle_probe;
  // The ZIP directory as identification read it (artifact/zip_probe.h), once read.
  mutable std::optional<Expected<zip::Archive>> zip_probe;
  // Set by a caller that reads a checkpoint after its scan (convert): a torch checkpoint scanner
  // leaves its reading of these bytes there (container/checkpoint_reading.h). Members never inherit it.
  std::shared_ptr<CheckpointReadingSlot> checkpoint_reading;

  // A member of this artifact (archive entry, nested payload). `bytes` must be owned by `owner`.
  Artifact child(std::string member_name, ByteView member_bytes,
                 std::shared_ptr<const ByteSource> member_owner) const {
    Artifact a;
    a.origin = origin + "!/" + member_name;
    a.bytes = member_bytes;
    a.owner = member_owner ? std::move(member_owner) : owner;
    a.name = std::move(member_name);
    a.depth = depth + 1;
    a.budget = budget;
    return a;
  }
};

}  // namespace modelgate
