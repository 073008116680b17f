#pragma once
// Pickles embedded in containers (torch checkpoints, joblib files, object arrays): analysed with
// the options of the loader that reads them (persistent_load for torch, several streams in a row
// for legacy torch), with the report shaped like a pickle file's.
#include <cstddef>
#include <string>
#include <vector>

#include "modelgate/report.h"
#include "pickle/machine.h"
#include "artifact/nested_scan.h"

namespace modelgate {

struct PickleMemberOptions {
  bool persistent_load = false;  // the loader supplies persistent_load (torch)
  bool report_trailing = true;   // bytes after STOP are a finding (false when the container owns them)
  bool retain_data = false;
  // The loader resolves these globals itself (joblib's array wrapper, TorchScript's own types):
  // they are added to the policy's allowlist for this pickle.
  std::vector<std::string> loader_globals;
  decltype(pickle::MachineOptions::after_build) after_build;
  pickle::ArrayBytesLookup array_bytes;
  // Also run with every container's contents retained, and that run copied here, for a reader after
  // the scan (Artifact::checkpoint_reading). Retaining has a limit of its own (max_pickle_nodes):
  // when a limit stops the retained run, the report comes from a plain run of the stream, so the
  // verdict is the plain scan's, and the kept run says why its data cannot be used.
  pickle::StreamResult* keep_retained = nullptr;
};

// Runs one stream at `start` and appends its findings to `report`. With o.keep_retained, only the
// first stream is kept.
pickle::StreamResult analyse_pickle_stream(const Artifact& a, std::size_t start, NestedScan& ctx,
                                           ArtifactReport& report, const PickleMemberOptions& o);

// A child report for a member that is a whole pickle: one stream; anything after it is analysed
// as further streams (reported) the way scan_pickle_file does. Returns the first stream's result.
pickle::StreamResult scan_pickle_member(const Artifact& a, NestedScan& ctx, ArtifactReport& report,
                                        const PickleMemberOptions& o);

}  // namespace modelgate
