// Fuzzes the parsers of untrusted signing input: the bundle JSON, the in-toto statement inside it,
// a trusted root, and a Rekor checkpoint note.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sign/bundle.h"
#include "sign/checkpoint.h"
#include "sign/embedded_trusted_root.h"
#include "sign/merkle.h"
#include "sign/statement.h"
#include "sign/trusted_root.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace modelgate::sign;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto bundle = parse_bundle(text);
  if (bundle.ok()) {
    (void)parse_statement(bundle->payload);
    for (const auto& e : bundle->tlog_entries)
      if (e.inclusion_proof)
        (void)verify_inclusion(merkle_leaf_hash(e.body), e.inclusion_proof->log_index, e.inclusion_proof->tree_size,
                               e.inclusion_proof->hashes, e.inclusion_proof->root_hash);
  }
  (void)parse_statement(text);
  (void)parse_trusted_root(text);
  static const auto shipped = parse_trusted_root(embedded_trusted_root());
  (void)verify_checkpoint(text, shipped->tlogs.front());
  return 0;
}
