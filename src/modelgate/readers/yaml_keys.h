#pragma once
// YAML text as PyYAML reads its lines and keys, for the readers that look for one key by its text
// (Hydra `_target_`, latent-diffusion `target`, mmengine `type`):
//  - PyYAML breaks lines at LF, CR LF, a lone CR, NEL (U+0085), LS (U+2028) and PS (U+2029);
//    normalise_line_breaks() writes them all as LF, so that line-oriented readers see PyYAML's lines.
//  - A key's text may not be its spelling: escapes in a quoted key ("t\x61rget", an escaped line
//    break inside an explicit key), a tag or an anchor in front of it (`!!str target:`, `&a target:`),
//    an alias as the key (`*k :`), an explicit key (`? ...`). hidden_keys() lists every such key,
//    decoded where the construct is modelled; the readers report the ones that are, or may be, theirs.
//
// This is not a YAML parser: like yaml_tags.h it finds tokens where a node may begin, skipping quoted
// scalars, comments and block scalars' text, and errs towards reporting (never towards a miss).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace modelgate::yaml {

struct LfText {
  std::string text;  // every PyYAML line break written as '\n'
  // (offset in `text` just after a rewritten break, bytes removed up to there), ascending.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> shifts;
  // The offset in the original text of offset `at` of `text`.
  std::uint64_t original(std::uint64_t at) const;
};

LfText normalise_line_breaks(std::string_view text);

enum class KeyForm {
  escaped,     // a quoted key with escapes or folded line breaks
  property,    // a key with a tag or an anchor in front of it
  alias,       // an alias used as the key: its anchor's node, whatever that is
  explicit_key,  // `? key` (block or flow): the reader's subset does not model it
  unlisted,      // the last entry of a full list: the keys after it were not examined
};

struct HiddenKey {
  std::uint64_t offset = 0;  // of the construct, in the LF text
  KeyForm form = KeyForm::escaped;
  std::optional<std::string> key;    // the key PyYAML reads, when the construct is a scalar decoded here
  std::optional<std::string> value;  // the scalar after the key's ':' on its line, when there is one
  std::string written;               // the key as written (at most 200 bytes)
};

// Every hidden key of an LF text (normalise_line_breaks), in order; at most 1000, the last of a full
// list being KeyForm::unlisted.
std::vector<HiddenKey> hidden_keys(std::string_view lf_text);

// Whether a hidden key is, or may be, `name`: an undecoded or explicit key may be anything; a decoded one
// matches when it equals `name` once blanks are removed (a folded line break reads as a space).
bool may_be_key(const HiddenKey& key, std::string_view name);

// The body of a double-quoted scalar (between the quotes, line breaks as '\n') decoded as PyYAML
// decodes it: escapes, escaped line breaks, folding of line breaks; nullopt for an escape PyYAML rejects.
std::optional<std::string> decode_double_quoted(std::string_view body);
// The same for a single-quoted scalar ('' is a quote).
std::string decode_single_quoted(std::string_view body);

}  // namespace modelgate::yaml
