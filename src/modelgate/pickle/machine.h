#pragma once
// The symbolic pickle machine: reads one pickle stream exactly as CPython's _pickle.c would,
// never executing it, and reports every import and call with the verdict of the allowlist.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/expected.h"
#include "core/unpack_budget.h"
#include "modelgate/finding.h"
#include "modelgate/limits.h"
#include "pickle/allowlist.h"
#include "pickle/index_array_states.h"
#include "pickle/value.h"

namespace modelgate::pickle {

struct MachineOptions {
  const Allowlist* allowlist = nullptr;  // required
  const Limits* limits = nullptr;        // required
  // Charged with every nested payload kept; the top-level artifact's budget when scanning (a
  // fresh one from `limits` when null).
  std::shared_ptr<UnpackBudget> budget;
  // Keep every container's contents (for conversion). Scanning keeps only what analysis needs.
  bool retain_data = false;
  // The loader supplies persistent_load (torch.load does; plain pickle.load does not).
  bool loader_has_persistent_load = false;
  // Judge names and calls and report findings. Off for a probe that needs only where the stream
  // ends and what it imports: the reading is the same, only nothing is graded or reported.
  bool analyse = true;
  // The fast run over the common opcodes, with the memo's packed slots and each import's call
  // target worked out once. Off only to cross-check them against the exact per-opcode loop
  // (tests/support/machine_reference.h); results are identical either way.
  bool plain_path = true;
  // What holds the input, when the machine may release the pages it has read past
  // (ByteSource::release): a pickle of hundreds of megabytes is not kept in memory whole beside
  // the values read from it. Pages read again later (text shown in findings) come back from the file.
  const ByteSource* input_owner = nullptr;
  // Called after every BUILD with the built object and its state. A loader that reads raw bytes
  // from the file right after BUILD (joblib's NumpyArrayWrapper) returns the offset where pickle
  // opcodes resume; nullopt leaves the position alone. Used by container scanners.
  std::function<std::optional<std::size_t>(const ValueGraph&, const Value& object, const Value& state,
                                            std::size_t offset)>
      after_build;
  // The raw items of arrays a loader reads from outside the pickle (joblib's wrappers), for the
  // index checks of trees and sparse matrices.
  ArrayBytesLookup array_bytes;
};

struct ImportRecord {
  std::string module;
  std::string name;
  std::uint64_t offset = 0;
  const char* via = "";  // opcode name
};

// Bytes handed to a deserialising callable (pickle.loads, torch.load, marshal.loads, ...),
// recovered statically; the caller scans them as a nested artifact.
struct NestedPayload {
  std::uint64_t offset = 0;  // opcode that made the call
  std::string via;           // the deserialising callable
  std::shared_ptr<const UnpackedBuffer> bytes;
};

struct StreamResult {
  std::size_t start = 0;
  std::size_t end = 0;      // just past STOP, or the offset of the opcode that failed
  bool complete = false;    // STOP reached with no error
  bool limit_reached = false;  // stopped by a limit: a run with other limits may read further
  bool retained_data = false;  // run with MachineOptions::retain_data
  // The stream gives a numpy object state whose containers the run did not keep, so it could not
  // be checked (run_machine then reads the stream again with retain_data).
  bool needs_retained_data = false;
  std::optional<Error> error;
  int protocol = 0;         // highest PROTO seen
  std::uint64_t opcodes = 0;
  std::vector<Finding> findings;
  std::vector<ImportRecord> imports;
  // Each distinct callable the stream calls (REDUCE, NEWOBJ, INST, OBJ), by its dotted name, with
  // how many times; ordered by name. Calls of values whose target cannot be named statically
  // (MG-PICKLE-CALL-INDIRECT) are counted in `indirect_calls` instead.
  std::vector<std::pair<std::string, std::uint64_t>> calls;
  std::uint64_t indirect_calls = 0;
  std::vector<Value> persistent_ids;  // the pid values, in order of appearance
  std::vector<NestedPayload> nested;
  std::shared_ptr<ValueGraph> graph;  // owns nodes referenced by `root` and persistent_ids
  Value root;                         // the value STOP returned (meaningful when complete)
};

// Runs one stream starting at `start`. `origin` names the artifact for findings.
StreamResult run_machine(ByteView data, std::size_t start, std::string_view origin,
                         const MachineOptions& options);

// How many streams run_machine has started in this process: tests and benchmarks count the runs
// behind one file to show that nothing reads its pickles twice.
std::uint64_t machine_runs();

}  // namespace modelgate::pickle
