#pragma once
// `modelgate convert`: pickle checkpoints to safetensors without running them. A file is converted
// only when its scan under the `torch` profile is `safe`; there is no override.
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>


#include "modelgate/limits.h"
#include "modelgate/scan.h"
#include "modelgate/status.h"

namespace modelgate {

struct FileConversion;

struct ConvertOptions {
  Limits limits;
  // Where the scan that gates each file parses it (docs/sandbox.md); the command line's default is
  // default_sandbox_mode().
  SandboxMode sandbox = SandboxMode::off;
  std::string key;     // dotted path of the sub-dict to convert ("" = the whole checkpoint)
  bool force = false;  // replace existing outputs
  // fsync each output before its rename and the directory after it, so that a power loss cannot
  // leave a partial file under the final name. The rename is atomic for readers either way.
  bool durable = false;
  // Record each input's SHA-256 (FileConversion::input_sha256), for the lineage `convert --bom`
  // writes; hashed from the bytes the scan reads, never read again.
  bool hash_inputs = false;
  // Nonzero once the conversion must stop (a signal number, set by InterruptSignals): it stops at
  // the next file or tensor, removes everything it wrote and reports an error.
  const volatile std::sig_atomic_t* interrupted = nullptr;
  // Called when an output file is complete (in its temporary place for a directory). Progress;
  // tests use it to interrupt at a known point.
  std::function<void(const FileConversion&)> on_file_written;
};

// SIGINT and SIGTERM are caught while this lives (one at a time per process), so that a
// conversion can stop and remove what it wrote; reraise() then ends the process by the signal
// received, as if it had not been caught.
class InterruptSignals {
 public:
  InterruptSignals();
  ~InterruptSignals();
  InterruptSignals(const InterruptSignals&) = delete;
  InterruptSignals& operator=(const InterruptSignals&) = delete;
  const volatile std::sig_atomic_t* flag() const;
  // Does nothing when no signal was received.
  void reraise() const;
};

// SIGINT, SIGTERM and SIGHUP are held back while this lives and delivered when it ends: a short
// write of a whole file (a report, a signature) finishes or removes its temporary file before the
// process can be stopped, so no temporary is ever left behind. For the calling thread; writers call
// it after their worker threads have ended.
class DeferredInterrupts {
 public:
  DeferredInterrupts();
  ~DeferredInterrupts();
  DeferredInterrupts(const DeferredInterrupts&) = delete;
  DeferredInterrupts& operator=(const DeferredInterrupts&) = delete;

 private:
  sigset_t previous_;
};

enum class FileOutcome { converted, copied, skipped, refused };
std::string_view to_string(FileOutcome o);

struct FileConversion {
  std::string input;    // path as given / relative to the input directory
  std::string output;   // empty unless converted or copied
  FileOutcome outcome = FileOutcome::skipped;
  std::string reason;   // why skipped or refused
  std::string format;   // what the scan identified
  std::string input_sha256;    // when ConvertOptions::hash_inputs; empty for a file that was not scanned
  std::uint64_t input_size = 0;
  Status scan_status = Status::safe;
  std::vector<std::string> findings;  // the scan's non-safe findings: "RULE origin: message"
  std::uint64_t tensors = 0;          // tensors written
  std::uint64_t bytes = 0;            // tensor bytes written
  std::vector<std::pair<std::string, std::string>> aliases;  // name -> the name written
  std::vector<std::string> dropped;   // values not converted: "path: what"
  std::map<std::string, std::string> metadata;  // written to __metadata__
};

struct ConversionReport {
  std::string input, output;
  bool directory = false;
  SandboxLayers sandbox;  // how the files were parsed (docs/sandbox.md); mode off when unconfined
  std::vector<FileConversion> files;
  std::vector<std::string> errors;  // tool errors (I/O, existing output): exit 2
  std::vector<std::string> removed_temps;  // left beside the output by a killed run, now removed
  // 0 converted, 1 refused (nothing converted, or a weight file refused), 2 tool error.
  int exit_code() const;
};

// IN a file: OUT is the .safetensors file. IN a directory: OUT is the output directory.
ConversionReport convert_path(const std::filesystem::path& in, const std::filesystem::path& out,
                              const ConvertOptions& options);

std::string render_conversion_text(const ConversionReport& report);
std::string render_conversion_json(const ConversionReport& report);  // "schema": "modelgate.convert/1"

}  // namespace modelgate
