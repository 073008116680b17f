#include "sign/checkpoint.h"

namespace modelgate::sign {

Expected<Checkpoint> verify_checkpoint(std::string_view note, const TransparencyLogKey& log) {
  auto fail = [](std::string d) { return verification_failure("checkpoint", std::move(d)); };
  if (note.size() > 64 * 1024) return fail("the checkpoint is too large");
  auto split = note.find("\n\n");
  if (split == std::string_view::npos) return fail("no blank line between the note body and its signatures");
  std::string_view body = note.substr(0, split + 1);
  std::string_view signatures = note.substr(split + 2);

  Checkpoint cp;
  std::size_t line_no = 0, pos = 0;
  while (pos < body.size()) {
    auto nl = body.find('\n', pos);
    std::string_view line = body.substr(pos, nl - pos);
    if (line_no == 0) {
      cp.origin = std::string(line);
    } else if (line_no == 1) {
      if (line.empty() || line.size() > 19) return fail("bad tree size line");
      for (char c : line) {
        if (c < '0' || c > '9') return fail("bad tree size line");
        cp.tree_size = cp.tree_size * 10 + static_cast<std::uint64_t>(c - '0');
      }
    } else if (line_no == 2) {
      auto root = base64_decode(line);
      if (!root || root->size() != 32) return fail("bad root hash line");
      cp.root_hash = std::move(*root);
    }
    ++line_no;
    pos = nl + 1;
  }
  if (line_no < 3) return fail("the note body has fewer than three lines");
  // The origin line names the log ("rekor.sigstore.dev - <tree id>"): it must be this log's host.
  std::string_view host = log.base_url;
  if (auto scheme = host.find("://"); scheme != std::string_view::npos) host.remove_prefix(scheme + 3);
  if (auto slash = host.find('/'); slash != std::string_view::npos) host = host.substr(0, slash);
  if (!host.empty() && !(cp.origin == host || cp.origin.starts_with(std::string(host) + " ")))
    return fail("the checkpoint's origin '" + cp.origin + "' is not the log " + std::string(host));

  static constexpr std::string_view kDash = "\xE2\x80\x94 ";  // U+2014 EM DASH, space
  pos = 0;
  bool any_from_log = false;
  while (pos < signatures.size()) {
    auto nl = signatures.find('\n', pos);
    if (nl == std::string_view::npos) return fail("a signature line is not newline-terminated");
    std::string_view line = signatures.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.starts_with(kDash)) return fail("a signature line does not start with an em dash");
    line.remove_prefix(kDash.size());
    auto space = line.rfind(' ');
    if (space == std::string_view::npos) return fail("a signature line has no key name");
    auto blob = base64_decode(line.substr(space + 1));
    if (!blob || blob->size() < 5) return fail("a signature is not base64");
    if (log.log_id.size() < 4 || !std::equal(blob->begin(), blob->begin() + 4, log.log_id.begin())) continue;
    any_from_log = true;
    std::span<const std::uint8_t> sig(blob->data() + 4, blob->size() - 4);
    if (verify_message(log.key.get(), EVP_sha256(), as_bytes(body), sig)) return cp;
  }
  return fail(any_from_log ? "the log's signature on the checkpoint does not verify"
                           : "the checkpoint carries no signature from the transparency log's key");
}

}  // namespace modelgate::sign
