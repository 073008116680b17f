#pragma once
// TEMPORARY ADAPTER (lead: switch to the strict ZIP reader of src/modelgate/container/ when
// merging the `containers` branch). Reads the members of a Keras v3 `.keras` archive through
// libarchive's zip reader. This is the only place where `.keras` ZIP bytes are interpreted; the
// analysis in keras_archive.cpp only consumes the member list.
#include <memory>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/expected.h"
#include "modelgate/limits.h"

namespace modelgate {

struct KerasMember {
  std::string name;
  std::shared_ptr<const OwnedBuffer> data;
};

// Every member, in archive order, with bounded count and sizes.
Expected<std::vector<KerasMember>> read_keras_members(ByteView zip, const Limits& limits);

// Member names only (no data is decompressed); used by content identification.
Expected<std::vector<std::string>> list_keras_member_names(ByteView zip, std::size_t max_members);

}  // namespace modelgate
