#pragma once
// Rekor checkpoints: a signed note ("origin\nsize\nbase64(root)\n...\n\n— name base64(keyhint||sig)\n").
#include <cstdint>
#include <string>
#include <string_view>

#include "sign/trusted_root.h"

namespace modelgate::sign {

struct Checkpoint {
  std::string origin;
  std::uint64_t tree_size = 0;
  Bytes root_hash;
};

// Parses the note and checks that a signature line from `log` verifies over the note body.
Expected<Checkpoint> verify_checkpoint(std::string_view note, const TransparencyLogKey& log);

}  // namespace modelgate::sign
