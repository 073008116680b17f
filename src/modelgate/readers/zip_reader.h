#pragma once
// Strict ZIP reader (PKWARE APPNOTE 6.3.x) over a borrowed mapping.
//
// It reads the archive the way PyTorch's reader (miniz) reads it — the central directory found
// through the last end-of-central-directory record, data located through each local header — and
// also the way Python's zipfile reads it, and reports every place where the two views, or the local
// and central headers, disagree. Member data is never touched by read_zip(); open_member() returns
// stored members as views of the mapping and inflates deflated ones into a bounded buffer.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/expected.h"
#include "core/unpack_budget.h"
#include "modelgate/finding.h"
#include "modelgate/limits.h"

namespace modelgate::zip {

struct Member {
  std::size_t index = 0;             // position in the central directory
  std::string name;                  // central directory name (what miniz and zipfile look up)
  std::string local_name;            // local header name
  std::uint16_t made_by = 0;
  std::uint16_t flags = 0;           // central general-purpose bits
  std::uint16_t local_flags = 0;
  std::uint16_t method = 0;          // central compression method
  std::uint32_t crc32 = 0;           // central CRC
  std::uint64_t compressed_size = 0;    // central, after ZIP64 extra
  std::uint64_t uncompressed_size = 0;  // central, after ZIP64 extra
  std::uint64_t local_header_offset = 0;  // as stored (miniz uses it as-is)
  std::uint64_t data_offset = 0;     // absolute offset of the data in the file
  std::uint64_t data_end = 0;        // data_offset + compressed_size (+ descriptor, if any)
  std::uint32_t external_attrs = 0;
  bool zip64 = false;
  bool is_directory() const { return !name.empty() && name.back() == '/'; }
  bool is_symlink() const;           // Unix mode S_IFLNK in the external attributes
  bool encrypted() const { return (flags & 0x0041) != 0; }
};

struct Archive {
  std::vector<Member> members;       // central directory order
  std::uint64_t eocd_offset = 0;
  std::uint64_t cd_offset = 0;       // absolute
  std::uint64_t cd_size = 0;
  std::uint64_t prepended = 0;       // bytes before the first local header
  std::uint64_t zipfile_shift = 0;   // offset Python's zipfile adds to every stored offset
  bool zip64 = false;
  std::vector<Finding> findings;     // structural and disagreement findings

  // The member torch.load reads for `name` (miniz: case-insensitive binary search over the
  // directory sorted by name; see zip_reader.cpp for which duplicate it lands on).
  const Member* find_as_miniz(std::string_view name) const;
  // The member Python's zipfile reads for `name` (exact match, the last one in the directory).
  const Member* find_as_zipfile(std::string_view name) const;
  // miniz's index order: members sorted case-insensitively by name (stable heap-sort order).
  std::vector<std::size_t> miniz_sorted;
};

// True when the bytes start like a ZIP file (local header, or an empty archive's end record).
bool looks_like_zip(ByteView bytes);

// Parses the directory structure. An Error means the archive cannot be read at all; otherwise
// problems are findings in Archive::findings (some of them refuse the archive).
Expected<Archive> read_zip(ByteView file, std::string_view origin, const Limits& limits);

struct MemberBytes {
  ByteView bytes;
  std::shared_ptr<const ByteSource> owner;  // null when `bytes` is a view of the file
};

// Returns the member's content: a view for stored data, for deflate a buffer that grows as the
// data inflates, charged to `budget` (never allocated by the declared size). Checks the CRC, the
// declared size and the compression ratio; a problem is an Error under its rule, and `findings`
// receives the matching finding.
Expected<MemberBytes> open_member(ByteView file, const Member& m, std::string_view origin,
                                  const Limits& limits, const std::shared_ptr<UnpackBudget>& budget,
                                  std::vector<Finding>& findings);

// The first `n` bytes of a member's content, for identification, without inflating the whole
// member (at most `n` bytes are produced). Empty on error.
std::vector<std::uint8_t> peek_member(ByteView file, const Member& m, std::size_t n);

}  // namespace modelgate::zip
