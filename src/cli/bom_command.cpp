#include <iostream>

#include "commands.h"
#include "modelgate/bom.h"
#include "modelgate/escaped_text.h"
#include "output_file.h"
#include "scan_request.h"
#include "signature_check.h"
#include "source_date_epoch.h"

namespace modelgate::cli {

namespace {

constexpr const char* kDefaultSignatureName = "model.sig";  // what `sign` writes, as the reference does

struct BomArgs {
  ScanRequest request;
  std::string spec = "1.6";
  std::string signature;
  SignatureMaterial material;
  std::string output;
  bool sha512 = false;
};

// The signatures to reference: --signature for the one PATH, else model.sig in each directory given.
std::optional<std::vector<BomSignature>> find_signatures(const BomArgs& a) {
  std::vector<BomSignature> out;
  if (!a.signature.empty()) {
    if (a.request.paths.size() != 1) {
      std::cerr << "modelgate: --signature belongs to one PATH; give exactly one\n";
      return std::nullopt;
    }
    BomSignature s;
    s.model_origin = a.request.paths.front();
    s.reference = a.signature;
    out.push_back(std::move(s));
    return out;
  }
  for (const auto& p : a.request.paths) {
    std::error_code ec;
    std::filesystem::path sig = std::filesystem::path(p) / kDefaultSignatureName;
    if (!std::filesystem::is_directory(p, ec) || !std::filesystem::is_regular_file(sig, ec)) continue;
    BomSignature s;
    s.model_origin = p;
    s.reference = sig.string();
    out.push_back(std::move(s));
  }
  return out;
}

// Checks each signature with the material given; a failed check is recorded, not an error.
std::optional<std::string> check_signatures(const SignatureMaterial& material, std::vector<BomSignature>& signatures,
                                            SandboxMode sandbox) {
  for (auto& s : signatures) {
    auto outcome = check_signature(material, s.model_origin, s.reference, sandbox);
    if (!outcome) return outcome.error().message();
    s.checked = true;
    s.method = outcome->method;
    s.verified = outcome->verified;
    s.identity = outcome->identity;
    s.failure = outcome->failure;
  }
  return std::nullopt;
}

int run_bom(const BomArgs& a) {
  auto options = scan_options(a.request);
  if (!options) return 2;
  options->hash_contents = true;
  options->hash_sha512 = a.sha512;
  auto epoch = source_date_epoch();
  if (!epoch.error.empty()) {
    std::cerr << "modelgate: " << escape_for_terminal(epoch.error) << '\n';
    return 2;
  }
  BomOptions bom;
  bom.spec = a.spec == "1.7" ? CycloneDxVersion::v1_7 : CycloneDxVersion::v1_6;
  bom.timestamp = epoch.seconds;
  bom.policy = options->policy;
  auto signatures = find_signatures(a);
  if (!signatures) return 2;
  if (a.material.given()) {
    if (signatures->empty()) {
      std::cerr << "modelgate: verification material given, but no signature: pass --signature FILE\n";
      return 2;
    }
    if (auto err = check_signatures(a.material, *signatures, options->sandbox)) {
      std::cerr << "modelgate: " << escape_for_terminal(*err) << '\n';
      return 2;
    }
  }
  bom.signatures = std::move(*signatures);
  auto result = run_scan_request(a.request, *options);
  if (!result) return 2;
  // As `scan`: what could be read is written, then the errors (missing paths) make the exit code 2.
  auto finish = [&](int code) {
    for (const auto& e : result->errors) std::cerr << "modelgate: " << escape_for_terminal(e) << '\n';
    return result->errors.empty() ? code : 2;
  };
  if (result->artifacts.empty() && !result->errors.empty()) return finish(2);
  std::string text = render_cyclonedx(*result, bom);
  if (a.output.empty()) {
    std::cout << text << std::flush;
    if (!std::cout) {
      std::cerr << "modelgate: cannot write the BOM to standard output\n";
      return finish(2);
    }
  } else if (auto err = write_output_file(
                 a.output, text, files_not_to_replace(a.request.paths, *result, {a.request.policy_file, a.signature}))) {
    std::cerr << "modelgate: " << escape_for_terminal(*err) << '\n';
    return finish(2);
  }
  return finish(0);
}

}  // namespace

void add_bom_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<BomArgs>();
  auto* cmd = app.add_subcommand(
      "bom", "Write a CycloneDX bill of materials of every file and member: hash, format, verdict, model card, findings");
  add_scan_request_options(cmd, args->request);
  cmd->add_option("--spec", args->spec, "CycloneDX version")->check(CLI::IsMember({"1.6", "1.7"}));
  cmd->add_option("--signature", args->signature,
                  "The model's OMS signature (default: model.sig in a directory given), referenced from the BOM");
  add_signature_material_options(cmd, args->material);
  cmd->add_option("-o,--output", args->output, "Write the BOM to FILE instead of stdout");
  cmd->add_flag("--sha512", args->sha512, "Give every component a SHA-512 besides its SHA-256");
  cmd->callback([args, cmd, &exit_code] {
    args->request.hf_cache = cmd->count("--hf-cache") > 0;
    exit_code = run_bom(*args);
  });
}

}  // namespace modelgate::cli
