#include "sign/confined_manifest.h"

#include "core/regular_file.h"
#include "sandbox/parse_worker.h"
#include "sign/signed_manifest_codec.h"

namespace modelgate::sign {

Expected<Manifest> read_signed_manifest_confined(const std::filesystem::path& bundle, const SignatureCheck& check,
                                                 CheckEvents& events, SandboxMode mode, std::uint64_t timeout_ms) {
  auto opened = open_regular_file(bundle);
  if (!opened) return verification_failure("bundle", opened.error().message());
  const auto size = static_cast<std::uint64_t>(opened->st.st_size);
  if (size > kMaxBundleBytes)
    return verification_failure("bundle", bundle.string() + ": " + std::to_string(size) + " bytes, more than the " +
                                              std::to_string(kMaxBundleBytes) + " allowed for this kind of file");
  Limits limits;
  limits.worker_timeout_ms = timeout_ms;
  sandbox::WorkerConfig config = sandbox::worker_config(limits);
  sandbox::WorkerJob job = [&check](const std::shared_ptr<const ByteSource>& file, const std::string& origin,
                                    const std::string&) {
    CheckEvents noted;
    auto manifest = read_signed_manifest(as_chars(file->bytes()), check, noted);
    ArtifactReport carrier;
    carrier.origin = origin;
    carrier.format = "signature-bundle";
    return sandbox::encode_result(carrier, encode_signed_manifest(manifest, noted));
  };
  auto started = sandbox::ParseWorker::start(job, config);
  if (!started) return usage_failure("sandbox", "cannot start a parse worker: " + started.error().message());
  const std::unique_ptr<sandbox::ParseWorker>& worker = *started;
  const auto& missing = worker->confinement().missing;
  if (mode == SandboxMode::strict && !missing.empty())
    return usage_failure("sandbox", "--sandbox strict: the parse worker cannot be confined: " + missing.front());
  for (const auto& layer : missing)  // best-effort: said, not hidden
    events.notes.push_back("the parse worker that reads the signature bundle runs without a layer: " + layer);
  auto result = worker->run(opened->fd.get(), bundle.string(), bundle.filename().string(), size);
  if (!result.report.findings.empty()) {
    const Finding& f = result.report.findings.front();
    return verification_failure("bundle", "the parse worker that read it failed (" + f.rule + "): " + f.message);
  }
  return decode_signed_manifest(result.attachment, events);
}

}  // namespace modelgate::sign
