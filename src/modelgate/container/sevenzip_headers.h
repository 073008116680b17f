#pragma once
// The file list of a 7z archive read from its headers by hand (7-Zip's 7zFormat.txt), the second
// reading beside libarchive's: py7zr and the 7z / p7zip tools read these headers with their own
// code, so a construct two readers could take two ways must not pass on one reader's word.
//
// The parser is strict: whatever 7-Zip, py7zr and libarchive are not known to read alike (a
// property given twice, an unknown property, external data, anti-items, names that are not valid
// UTF-16, attributes that contradict the stream layout, a stream without a CRC, bytes a structure
// does not consume) is an error, not a guess. Encoded (compressed) headers are decoded with liblzma
// when their folder is one copy, LZMA or LZMA2 coder; any other header coder is an error.
// Member content is never decoded here: each file's CRC-32 and its place in the folders are what
// the caller checks libarchive's bytes against.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/expected.h"
#include "modelgate/limits.h"

namespace modelgate::sevenzip {

enum class EntryType { file, directory, symlink, special };

struct Entry {
  std::string name;  // UTF-8, as the header's UTF-16 name converts
  EntryType type = EntryType::file;
  bool has_stream = false;
  std::uint64_t size = 0;
  std::optional<std::uint32_t> crc;
  std::optional<std::uint32_t> attributes;
};

struct Listing {
  std::vector<Entry> entries;
  bool encrypted = false;        // a coder is 7-Zip's AES: nothing past it can be checked
  bool encoded_header = false;
  // Bytes no structure references: between the packed streams and the header, and after the header.
  std::uint64_t unreferenced_bytes = 0;
  std::uint64_t first_unreferenced = 0;
};

inline constexpr char kSignature[] = "7z\xbc\xaf\x27\x1c";

bool has_signature(ByteView bytes);

// Bounded by Limits::max_archive_members (files), max_member_unpacked (a decoded header),
// max_coder_memory (the dictionary of every LZMA, LZMA2 and PPMd coder) and the header's own size (every count is checked against the bytes that must follow it).
// An error is under MG-7Z-MALFORMED; MG-ARCHIVE-ENCRYPTED when the header is encrypted; or
// MG-LIMIT-EXCEEDED for a resource limit (members, decoder memory, a decoded header's size): the
// archive must then not reach libarchive, whose decoders would allocate what the headers declare.
Expected<Listing> read_headers(ByteView bytes, const Limits& limits);

}  // namespace modelgate::sevenzip
