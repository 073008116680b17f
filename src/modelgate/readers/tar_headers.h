#pragma once
// The member list of an uncompressed tar exactly as CPython's tarfile sees it (torch.load reads the
// pre-1.0 tar checkpoint through tarfile). Hand-written rather than taken from libarchive because
// this view is the security-relevant one and differs from libarchive's: tarfile stops silently at
// the first zero block or at a bad header after the first one, lets the last copy of a duplicated
// name win, accepts numbers in any form Python's int() parses, and treats unknown member types as
// regular files. It also gives the byte offsets a zero-copy reader and a converter need.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/expected.h"
#include "modelgate/limits.h"

namespace modelgate::tar {

struct Member {
  std::string name;         // as tarfile reports it (prefix, GNU long name and PAX path applied)
  std::string header_name;  // the ustar name (with prefix) written in the member's own header
  std::string linkname;
  char type = '0';
  std::uint64_t header_offset = 0;  // first block of the member, extended headers included
  std::uint64_t data_offset = 0;
  std::uint64_t size = 0;
  bool extended = false;  // name, link or size came from a PAX record or a GNU long-name block

  bool is_directory() const { return type == '5'; }
  bool is_link() const { return type == '1' || type == '2'; }
  // Plain regular file ('0' or NUL). tarfile also reads '7' and unknown types as regular files;
  // other readers do not, so those are reported separately.
  bool is_plain_file() const { return type == '0' || type == '\0'; }
  bool python_reads_as_file() const;
};

// A construct other tar readers may interpret differently (reported by the caller).
struct Note {
  std::uint64_t offset = 0;
  std::string what;
};

struct Listing {
  std::vector<Member> members;
  std::uint64_t end_offset = 0;  // where tarfile stopped looking for headers
  std::string end_reason;        // "zero block", "end of file", "bad checksum at ...", ...
  bool clean_end = false;        // a zero block or the exact end of the file
  // tarfile raises ReadError (a TarError) here; torch.load then re-reads the file as a pickle.
  std::optional<Error> error;
  bool unsupported = false;      // sparse members: modelgate stops (the caller refuses)
  bool limit_hit = false;
  std::vector<Note> notes;
};

// Bounded by Limits::max_archive_members and max_tar_extended_headers.
Listing read_headers(ByteView bytes, const Limits& limits);

// The member tarfile.getmember(name) returns: the last one with that name, or nullptr.
const Member* find_last(const Listing& l, std::string_view name);

// A 512-byte block tarfile accepts as a header (checksum and numeric fields), ustar magic or not.
bool looks_like_tar_header(ByteView bytes);

}  // namespace modelgate::tar
