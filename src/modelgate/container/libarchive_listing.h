#pragma once
// libarchive's member list of an archive: one side of the two-reader cross-checks (tar_views.h,
// sevenzip_views.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/expected.h"

struct archive_entry;

namespace modelgate {

struct Libarchive;

struct LibarchiveEntry {
  std::string name;  // trailing '/' removed
  std::uint64_t size = 0;
  unsigned type = 0;  // AE_IFREG, AE_IFDIR, AE_IFLNK, ...; 0 when libarchive does not say
};

// One header as libarchive reports it; `utf8` takes the name as UTF-8 whatever the locale (7z
// names are UTF-16 in the file), otherwise as the raw bytes (tar).
LibarchiveEntry listed_entry(const Libarchive& la, struct archive_entry* e, bool utf8);

// A tar's headers as libarchive lists them. Both parts by design: when libarchive stops before the
// end, the entries it read up to there are kept, since the cross-check compares them too.
struct LibarchiveListing {
  std::vector<LibarchiveEntry> entries;
  std::optional<Error> error;  // libarchive cannot open the archive or stops before its end
};

// A tar's headers, read without extracting: at most max_members + 1 entries (one more shows the
// limit was passed).
LibarchiveListing list_tar_with_libarchive(ByteView bytes, std::uint32_t max_members);

}  // namespace modelgate
