#pragma once
// Every reading a consumer could take of the same bytes (DESIGN.md promise 5). identify() picks
// one format for the report; a loader may pick another: torch.load tries tarfile before pickle,
// pickle.load starts at byte 0 whatever the magic says, libhdf5 looks for its superblock at every
// power of two, zipfile finds an archive by its end record. Each reading a consumer would take far
// enough to execute or extract something is a row of the table below, with the format modelgate
// analyses the bytes as under that reading. docs/containers.md lists the rows with their sources.
#include <optional>
#include <span>
#include <string_view>

#include "core/bytes.h"
#include "identify/identify.h"
#include "scan/scan_context.h"

namespace modelgate {

struct Reading {
  std::string_view name;       // short id, used in origins: "<file>#reading=<name>"
  std::string_view consumers;  // who reads the bytes this way
  Format kind;                 // a format of the reading's kind (readings of one kind are one)
  // The format the bytes are analysed as when the consumers accept them under this reading far
  // enough to execute or extract something; nullopt when they do not.
  std::optional<Format> (*accepts)(const Artifact& artifact);
  // How the bytes are analysed under this reading, when not by the format's own scanner.
  ScannerFn analyse = nullptr;
};

std::span<const Reading> consumer_readings();

// Analyses `artifact` under every reading whose format differs in kind from `primary` (the one
// identify() chose and the report already holds): each is a child report, and a file valid under
// readings of different kinds is reported as a polyglot (MG-FORMAT-POLYGLOT, refused unless every
// other reading is proven safe).
void scan_other_readings(const Artifact& artifact, Format primary, ScanContext& ctx, ArtifactReport& report);

}  // namespace modelgate
