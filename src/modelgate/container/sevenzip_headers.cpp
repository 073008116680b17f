#include "container/sevenzip_headers.h"

#include <lzma.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <set>
#include <utility>

#include "core/crc32.h"
#include "core/byte_reader.h"
#include "core/utf8.h"

namespace modelgate::sevenzip {

namespace {

// Property ids of 7zFormat.txt.
enum : std::uint8_t {
  kEnd = 0x00, kHeader = 0x01, kArchiveProperties = 0x02, kAdditionalStreamsInfo = 0x03,
  kMainStreamsInfo = 0x04, kFilesInfo = 0x05, kPackInfo = 0x06, kUnPackInfo = 0x07,
  kSubStreamsInfo = 0x08, kSize = 0x09, kCRC = 0x0A, kFolder = 0x0B, kCodersUnPackSize = 0x0C,
  kNumUnPackStream = 0x0D, kEmptyStream = 0x0E, kEmptyFile = 0x0F, kAnti = 0x10, kName = 0x11,
  kCTime = 0x12, kATime = 0x13, kMTime = 0x14, kWinAttributes = 0x15, kEncodedHeader = 0x17,
  kDummy = 0x19,
};

constexpr std::uint64_t kSignatureHeaderSize = 32;
constexpr std::uint64_t kMaxCodersPerFolder = 64;  // 7-Zip's own bound (k_NumCodersMax)

// A cursor over header bytes. Errors name the file offset of the header byte (for a decoded
// header, the offset of the encoded header and the position inside the decoded bytes).
class SevenZipCursor {
 public:
  SevenZipCursor(ByteView data, std::uint64_t file_offset, bool decoded)
      : r_(data), file_offset_(file_offset), decoded_(decoded) {}

  // Thrown inside this file only: read_headers() returns it.
  [[noreturn]] void fail(const std::string& why) const { throw error(why, {}); }
  // Well-formed, but past a resource limit.
  [[noreturn]] void exceed(const std::string& why) const { throw error(why, "MG-LIMIT-EXCEEDED"); }
  std::size_t remaining() const { return r_.remaining(); }
  std::uint8_t byte() {
    std::uint8_t b = 0;
    if (!r_.u8(b)) fail("the header ends early");
    return b;
  }
  template <class T>
  T le() {
    T v{};
    if (!r_.le(v)) fail("the header ends early");
    return v;
  }
  ByteView bytes(std::uint64_t n) {
    ByteView out;
    if (n > r_.remaining() || !r_.bytes(static_cast<std::size_t>(n), out)) fail("the header ends early");
    return out;
  }
  // 7z's variable-length NUMBER: the count of leading one bits of the first byte says how many
  // little-endian bytes follow; the first byte's remaining bits are the high part.
  std::uint64_t number() {
    std::uint8_t first = byte();
    std::uint8_t mask = 0x80;
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) {
      if ((first & mask) == 0) return value | (static_cast<std::uint64_t>(first & (mask - 1u)) << (8 * i));
      value |= static_cast<std::uint64_t>(byte()) << (8 * i);
      mask >>= 1;
    }
    return value;
  }
  // A count of items of which each takes at least `min_bytes` of what follows.
  std::uint64_t count(std::uint64_t min_bytes, const char* what) {
    std::uint64_t n = number();
    if (n > remaining() / min_bytes) fail(std::string("declares ") + std::to_string(n) + " " + what + ", more than the header holds");
    return n;
  }
  void expect(std::uint8_t id, const char* what) {
    if (byte() != id) fail(std::string("expected ") + what);
  }
  // Bit vectors are stored most significant bit first.
  std::vector<bool> bits(std::uint64_t n) {
    ByteView b = bytes((n + 7) / 8);
    std::vector<bool> out;
    for (std::uint64_t i = 0; i < n; ++i) out.push_back((b[i / 8] >> (7 - i % 8)) & 1);
    return out;
  }
  std::vector<bool> defined_vector(std::uint64_t n) {
    std::uint8_t all = byte();
    if (all > 1) fail("an 'all defined' flag other than 0 or 1");
    return all ? std::vector<bool>(n, true) : bits(n);
  }
  std::vector<std::optional<std::uint32_t>> digests(std::uint64_t n) {
    auto defined = defined_vector(n);
    std::vector<std::optional<std::uint32_t>> out;
    for (bool d : defined) out.push_back(d ? std::optional(le<std::uint32_t>()) : std::nullopt);
    return out;
  }
  void no_external() {
    if (byte() != 0) fail("property data stored elsewhere ('external'), which readers resolve differently");
  }

 private:
  Error error(const std::string& why, RuleId rule) const {
    if (decoded_)
      return parse_error(rule, file_offset_, "decoded header, byte " + std::to_string(r_.offset()) + ": " + why);
    return parse_error(rule, file_offset_ + r_.offset(), why);
  }

  ByteReader r_;
  std::uint64_t file_offset_;
  bool decoded_;
};

struct SevenZipCoder {
  ByteView id;
  std::uint64_t in_streams = 1;
  std::uint64_t out_streams = 1;
  ByteView properties;
};

struct SevenZipFolder {
  std::vector<SevenZipCoder> coders;
  std::uint64_t packed_streams = 1;
  std::vector<std::uint64_t> unpack_sizes;  // one per coder output
  std::uint64_t main_out = 0;               // the output no bind pair consumes
  std::optional<std::uint32_t> crc;
  std::uint64_t substreams = 1;
  std::uint64_t size() const { return unpack_sizes[main_out]; }
};

struct SevenZipStreams {
  std::uint64_t pack_pos = 0;
  std::vector<std::uint64_t> pack_sizes;
  std::vector<SevenZipFolder> folders;
  std::vector<std::uint64_t> sub_sizes;  // file streams, in folder order
  std::vector<std::optional<std::uint32_t>> sub_crcs;
};

const std::uint8_t kCopyId[] = {0x00};
const std::uint8_t kLzmaId[] = {0x03, 0x01, 0x01};
const std::uint8_t kLzma2Id[] = {0x21};
const std::uint8_t kAesId[] = {0x06, 0xf1, 0x07, 0x01};
const std::uint8_t kPpmdId[] = {0x03, 0x04, 0x01};

template <std::size_t N>
bool coder_is(const SevenZipCoder& c, const std::uint8_t (&id)[N]) {
  return c.id.size() == N && std::memcmp(c.id.data(), id, N) == 0;
}

void read_pack_info(SevenZipCursor& c, SevenZipStreams& s) {
  s.pack_pos = c.number();
  std::uint64_t n = c.count(1, "packed streams");
  c.expect(kSize, "the packed stream sizes");
  for (std::uint64_t i = 0; i < n; ++i) s.pack_sizes.push_back(c.number());
  std::uint8_t id = c.byte();
  if (id == kCRC) {
    c.digests(n);  // packed-stream CRCs: 7-Zip does not write them; member content is checked unpacked
    id = c.byte();
  }
  if (id != kEnd) c.fail("unexpected property in the pack info");
}

SevenZipFolder read_folder(SevenZipCursor& c) {
  SevenZipFolder f;
  std::uint64_t coders = c.count(1, "coders");
  if (coders == 0 || coders > kMaxCodersPerFolder) c.fail("a folder with " + std::to_string(coders) + " coders");
  std::uint64_t total_in = 0, total_out = 0;
  for (std::uint64_t i = 0; i < coders; ++i) {
    std::uint8_t flags = c.byte();
    if (flags & 0xc0) c.fail("coder flags with the reserved or 'alternative methods' bits set");
    SevenZipCoder coder;
    coder.id = c.bytes(flags & 0x0f);
    if (flags & 0x10) {
      coder.in_streams = c.number();
      coder.out_streams = c.number();
      if (coder.in_streams > kMaxCodersPerFolder || coder.out_streams > kMaxCodersPerFolder)
        c.fail("a coder with more than 64 streams");
    }
    if (flags & 0x20) coder.properties = c.bytes(c.number());
    total_in += coder.in_streams;
    total_out += coder.out_streams;
    f.coders.push_back(coder);
  }
  if (total_out == 0 || total_in + 1 < total_out) c.fail("a folder whose coders' streams cannot be bound");
  std::vector<bool> in_bound(total_in, false), out_bound(total_out, false);
  for (std::uint64_t i = 0; i + 1 < total_out; ++i) {
    std::uint64_t in = c.number(), out = c.number();
    if (in >= total_in || out >= total_out || in_bound[in] || out_bound[out]) c.fail("an invalid bind pair");
    in_bound[in] = out_bound[out] = true;
  }
  f.packed_streams = total_in - (total_out - 1);
  if (f.packed_streams == 1) {
    if (std::find(in_bound.begin(), in_bound.end(), false) == in_bound.end()) c.fail("a folder without a packed stream");
  } else {
    for (std::uint64_t i = 0; i < f.packed_streams; ++i) {
      std::uint64_t in = c.number();
      if (in >= total_in || in_bound[in]) c.fail("an invalid packed stream index");
      in_bound[in] = true;
    }
  }
  f.main_out = static_cast<std::uint64_t>(std::find(out_bound.begin(), out_bound.end(), false) - out_bound.begin());
  f.unpack_sizes.assign(total_out, 0);  // bounded: at most 64 coders of 64 streams
  return f;
}

// The memory a decoder allocates up front for a coder, from its properties: the LZMA and LZMA2
// dictionary, the PPMd model size. Zero for coders whose memory is fixed (or whose properties are
// invalid: every reader then refuses them).
std::uint64_t declared_coder_memory(const SevenZipCoder& coder) {
  const ByteView p = coder.properties;
  auto le32 = [&](std::size_t at) {
    return std::uint64_t{p[at]} | std::uint64_t{p[at + 1]} << 8 | std::uint64_t{p[at + 2]} << 16 |
           std::uint64_t{p[at + 3]} << 24;
  };
  if ((coder_is(coder, kLzmaId) || coder_is(coder, kPpmdId)) && p.size() >= 5) return le32(1);
  if (coder_is(coder, kLzma2Id) && p.size() == 1 && p[0] <= 40)
    return p[0] == 40 ? 0xffffffffu : std::uint64_t{2u | (p[0] & 1u)} << (p[0] / 2 + 11);
  return 0;
}

// liblzma (for py7zr, libarchive and this reader) and libarchive's PPMd allocate a coder's declared
// memory before reading a byte, up to 4 GiB from a header of a few bytes. 7-Zip shrinks the
// dictionary to the data it compresses, so more memory than both the coder's output and
// max_coder_memory is refused before any decoder is set up.
void check_coder_memory(SevenZipCursor& c, const SevenZipFolder& f, const Limits& limits) {
  std::uint64_t first_out = 0;
  for (const auto& coder : f.coders) {
    std::uint64_t memory = declared_coder_memory(coder);
    // A coder may declare no output stream at all; its memory then serves no output.
    std::uint64_t output = coder.out_streams > 0 ? f.unpack_sizes[first_out] : 0;
    if (memory > limits.max_coder_memory && memory > output)
      c.exceed("a coder declares " + std::to_string(memory) + " bytes of decoder memory (dictionary or model) for " +
             std::to_string(output) + " bytes of output, more than max_coder_memory (" +
             std::to_string(limits.max_coder_memory) + "): decoders allocate it up front");
    first_out += coder.out_streams;
  }
}

void read_unpack_info(SevenZipCursor& c, SevenZipStreams& s, const Limits& limits) {
  c.expect(kFolder, "the folder list");
  std::uint64_t n = c.count(2, "folders");
  c.no_external();
  for (std::uint64_t i = 0; i < n; ++i) s.folders.push_back(read_folder(c));
  c.expect(kCodersUnPackSize, "the unpacked sizes");
  for (auto& f : s.folders)
    for (auto& size : f.unpack_sizes) size = c.number();
  for (const auto& f : s.folders) check_coder_memory(c, f, limits);
  std::uint8_t id = c.byte();
  if (id == kCRC) {
    auto crcs = c.digests(n);
    for (std::uint64_t i = 0; i < n; ++i) s.folders[i].crc = crcs[i];
    id = c.byte();
  }
  if (id != kEnd) c.fail("unexpected property in the coders info");
}

void read_substreams(SevenZipCursor& c, SevenZipStreams& s, const Limits& limits) {
  std::uint8_t id = c.byte();
  std::uint64_t total = s.folders.size();
  if (id == kNumUnPackStream) {
    total = 0;
    for (auto& f : s.folders) {
      f.substreams = c.number();
      total += f.substreams;
      if (f.substreams > limits.max_archive_members || total > limits.max_archive_members)
        c.exceed("more than " + std::to_string(limits.max_archive_members) + " streams (max_archive_members)");
    }
    id = c.byte();
  }
  bool sizes = id == kSize;
  for (const auto& f : s.folders) {
    if (f.substreams == 0) continue;
    if (f.substreams > 1 && !sizes) c.fail("a folder of several streams without their sizes");
    std::uint64_t sum = 0;
    for (std::uint64_t j = 1; j < f.substreams; ++j) {
      std::uint64_t size = c.number();
      if (size > UINT64_MAX - sum) c.fail("stream sizes overflow");
      sum += size;
      s.sub_sizes.push_back(size);
    }
    if (sum > f.size()) c.fail("the streams of a folder are larger than the folder");
    s.sub_sizes.push_back(f.size() - sum);
  }
  if (sizes) id = c.byte();
  std::uint64_t unknown = 0;
  for (const auto& f : s.folders) unknown += (f.substreams == 1 && f.crc) ? 0 : f.substreams;
  std::vector<std::optional<std::uint32_t>> crcs;
  if (id == kCRC) {
    crcs = c.digests(unknown);
    id = c.byte();
  }
  std::size_t next = 0;
  for (const auto& f : s.folders) {
    if (f.substreams == 1 && f.crc) {
      s.sub_crcs.push_back(f.crc);
      continue;
    }
    for (std::uint64_t j = 0; j < f.substreams; ++j)
      s.sub_crcs.push_back(next < crcs.size() ? crcs[next++] : std::nullopt);
  }
  if (id != kEnd) c.fail("unexpected property in the substreams info");
}

SevenZipStreams read_streams(SevenZipCursor& c, const Limits& limits) {
  SevenZipStreams s;
  std::uint8_t id = c.byte();
  if (id == kPackInfo) {
    read_pack_info(c, s);
    id = c.byte();
  }
  if (id == kUnPackInfo) {
    read_unpack_info(c, s, limits);
    id = c.byte();
  }
  if (id == kSubStreamsInfo) {
    read_substreams(c, s, limits);
    id = c.byte();
  } else {
    for (const auto& f : s.folders) {
      s.sub_sizes.push_back(f.size());
      s.sub_crcs.push_back(f.crc);
    }
  }
  if (id != kEnd) c.fail("unexpected property in the streams info");
  std::uint64_t packed = 0;
  for (const auto& f : s.folders) packed += f.packed_streams;
  if (packed != s.pack_sizes.size())
    c.fail("the folders use " + std::to_string(packed) + " packed streams, the pack info lists " +
           std::to_string(s.pack_sizes.size()));
  return s;
}

// Where the packed streams lie in the file; appended to `ranges` (checked for overlaps later).
void add_pack_ranges(const SevenZipStreams& s, std::uint64_t file_size, std::uint64_t header_offset,
                     std::vector<std::pair<std::uint64_t, std::uint64_t>>& ranges) {
  if (s.pack_pos > file_size) throw parse_error(header_offset, "packed streams start past the end of the file");
  std::uint64_t at = kSignatureHeaderSize + s.pack_pos;
  for (auto size : s.pack_sizes) {
    if (size > file_size || at > file_size - size)
      throw parse_error(header_offset, "a packed stream runs past the end of the file");
    ranges.emplace_back(at, at + size);
    at += size;
  }
}

std::vector<std::uint8_t> decode_header(const SevenZipStreams& s, ByteView file, std::uint64_t header_offset,
                                        const Limits& limits, bool& encrypted) {
  auto fail = [&](const std::string& why) -> void { throw parse_error(header_offset, "encoded header: " + why); };
  auto exceed = [&](const std::string& why) -> void {
    throw parse_error("MG-LIMIT-EXCEEDED", header_offset, "encoded header: " + why);
  };
  if (s.folders.size() != 1 || s.pack_sizes.size() != 1 || s.folders[0].coders.size() != 1)
    fail("not one folder of one coder");
  const SevenZipFolder& f = s.folders[0];
  const SevenZipCoder& coder = f.coders[0];
  if (coder_is(coder, kAesId)) {
    encrypted = true;
    fail("encrypted (file names hidden)");
  }
  if (f.size() > limits.max_member_unpacked) exceed("declares more than max_member_unpacked bytes");
  if (f.size() > (16u << 20) && f.size() / std::max<std::uint64_t>(s.pack_sizes[0], 1) >= limits.max_compression_ratio)
    exceed("declares more than max_compression_ratio bytes per packed byte");
  ByteView packed = file.subspan(static_cast<std::size_t>(kSignatureHeaderSize + s.pack_pos),
                                 static_cast<std::size_t>(s.pack_sizes[0]));
  std::vector<std::uint8_t> out;
  if (coder_is(coder, kCopyId)) {
    out.assign(packed.begin(), packed.begin() + static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(packed.size(), f.size())));
  } else {
    lzma_filter filters[2] = {{LZMA_FILTER_LZMA1, nullptr}, {LZMA_VLI_UNKNOWN, nullptr}};
    if (coder_is(coder, kLzma2Id)) filters[0].id = LZMA_FILTER_LZMA2;
    else if (!coder_is(coder, kLzmaId)) fail("a coder other than copy, LZMA or LZMA2 (not read)");
    if (lzma_properties_decode(&filters[0], nullptr, coder.properties.data(), coder.properties.size()) != LZMA_OK)
      fail("invalid LZMA properties");
    std::unique_ptr<void, decltype(&std::free)> options(filters[0].options, &std::free);
    // The dictionary never needs to exceed the output: liblzma allocates all of it at once.
    auto* lzma_options = static_cast<lzma_options_lzma*>(filters[0].options);
    lzma_options->dict_size = static_cast<std::uint32_t>(std::min<std::uint64_t>(
        lzma_options->dict_size, std::max<std::uint64_t>(f.size(), LZMA_DICT_SIZE_MIN)));
    lzma_stream strm = LZMA_STREAM_INIT;
    struct End {
      lzma_stream* s;
      ~End() { lzma_end(s); }
    } end{&strm};
    if (lzma_raw_decoder(&strm, filters) != LZMA_OK) fail("liblzma refuses the coder");
    strm.next_in = packed.data();
    strm.avail_in = packed.size();
    while (out.size() < f.size()) {  // grows as output arrives, never by the declared size alone
      std::size_t old = out.size();
      std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(64 * 1024, f.size() - old));
      out.resize(old + chunk);
      strm.next_out = out.data() + old;
      strm.avail_out = chunk;
      lzma_ret rc = lzma_code(&strm, LZMA_RUN);
      out.resize(old + chunk - strm.avail_out);
      if (rc == LZMA_STREAM_END || out.size() == old) break;
      if (rc != LZMA_OK) fail("the LZMA data is corrupt");
    }
  }
  if (out.size() != f.size())
    fail("decodes to " + std::to_string(out.size()) + " bytes, not the declared " + std::to_string(f.size()));
  if (f.crc && crc32_update(0, out) != *f.crc) fail("CRC-32 mismatch");  // py7zr writes none
  return out;
}

// UTF-16LE to UTF-8; unpaired surrogates are refused (readers replace them differently).
std::string utf8_name(ByteView u16, SevenZipCursor& c) {
  std::string out;
  for (std::size_t i = 0; i + 1 < u16.size(); i += 2) {
    std::uint32_t cp = u16[i] | (u16[i + 1] << 8);
    if (cp >= 0xdc00 && cp < 0xe000) c.fail("a name with an unpaired UTF-16 surrogate");
    if (cp >= 0xd800 && cp < 0xdc00) {
      std::uint32_t lo = i + 3 < u16.size() ? (u16[i + 2] | (u16[i + 3] << 8)) : 0;
      if (lo < 0xdc00 || lo >= 0xe000) c.fail("a name with an unpaired UTF-16 surrogate");
      cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      i += 2;
    }
    append_utf8(out, cp);
  }
  return out;
}

constexpr std::uint32_t kAttrDirectory = 0x10;
constexpr std::uint32_t kAttrReparsePoint = 0x400;  // py7zr extracts it as a symbolic link
constexpr std::uint32_t kAttrUnixExtension = 0x8000;  // the high 16 bits are st_mode

// The entry's type from the stream layout (what 7-Zip and libarchive go by for directories) and
// from the attributes as py7zr reads them: a directory is the FILE_ATTRIBUTE_DIRECTORY bit, a
// symbolic link the Unix mode when the Unix extension bit is set, else FILE_ATTRIBUTE_REPARSE_POINT.
// Where the two contradict, the readers extract different things: refused.
EntryType entry_type(const Entry& e, bool empty_file, SevenZipCursor& c) {
  EntryType layout = (e.has_stream || empty_file) ? EntryType::file : EntryType::directory;
  auto contradict = [&](const char* what) { c.fail("'" + e.name + "': " + what); };
  if (!e.attributes) {
    if (layout == EntryType::directory) contradict("a directory without attributes, which py7zr takes for a file");
    return layout;
  }
  std::uint32_t attr = *e.attributes;
  bool unix_mode = (attr & kAttrUnixExtension) != 0;
  std::uint32_t format = unix_mode ? (attr >> 16) & 0170000 : 0;
  bool dir_flag = (attr & kAttrDirectory) != 0;
  bool symlink = unix_mode ? format == 0120000 : (attr & kAttrReparsePoint) != 0;
  if (symlink) {
    if (layout == EntryType::directory || dir_flag) contradict("a symbolic link that is also a directory");
    return EntryType::symlink;
  }
  if (dir_flag != (layout == EntryType::directory))
    contradict(dir_flag ? "the attributes say directory, the stream layout file"
                        : "the stream layout says directory, the attributes file");
  if (format == 0040000 && layout != EntryType::directory) contradict("a Unix directory mode on a file");
  if (format == 0100000 && layout != EntryType::file) contradict("a Unix file mode on a directory");
  if (format != 0 && format != 0040000 && format != 0100000) return EntryType::special;
  return layout;
}

std::vector<Entry> read_files(SevenZipCursor& c, const SevenZipStreams& s, const Limits& limits) {
  std::uint64_t n = c.count(2, "files");  // every file has at least a 2-byte name terminator
  if (n > limits.max_archive_members) c.exceed("more than " + std::to_string(limits.max_archive_members) + " files (max_archive_members)");
  std::vector<bool> empty_stream(n, false), empty_file, attr_defined;
  std::vector<std::string> names;
  std::vector<std::uint32_t> attrs;
  std::set<std::uint64_t> seen;
  std::uint64_t empty_count = 0;
  for (;;) {
    std::uint64_t type = c.number();
    if (type == kEnd) break;
    std::uint64_t size = c.number();
    if (!seen.insert(type).second && type != kDummy) c.fail("file property " + std::to_string(type) + " given twice");
    SevenZipCursor p(c.bytes(size), 0, false);
    try {
      switch (type) {
        case kEmptyStream:
          empty_stream = p.bits(n);
          empty_count = static_cast<std::uint64_t>(std::count(empty_stream.begin(), empty_stream.end(), true));
          break;
        case kEmptyFile:
          if (!seen.count(kEmptyStream)) p.fail("the empty-file list comes before the empty-stream list");
          empty_file = p.bits(empty_count);
          break;
        case kAnti: p.fail("anti-items (deletions for an update)");
        case kName: {
          p.no_external();
          ByteView rest = p.bytes(p.remaining());
          std::size_t start = 0;
          for (std::size_t i = 0; i + 1 < rest.size() && names.size() < n; i += 2) {
            if (rest[i] != 0 || rest[i + 1] != 0) continue;
            if (i == start) c.fail("an empty file name");
            names.push_back(utf8_name(rest.subspan(start, i - start), c));
            start = i + 2;
          }
          if (names.size() != n || start != rest.size()) c.fail("the names do not match the file count");
          break;
        }
        case kCTime:
        case kATime:
        case kMTime: {
          auto defined = p.defined_vector(n);
          p.no_external();
          p.bytes(8 * static_cast<std::uint64_t>(std::count(defined.begin(), defined.end(), true)));
          break;
        }
        case kWinAttributes: {
          attr_defined = p.defined_vector(n);
          p.no_external();
          for (bool d : attr_defined) attrs.push_back(d ? p.le<std::uint32_t>() : 0);
          break;
        }
        case kDummy: p.bytes(p.remaining()); break;
        default: p.fail("file property " + std::to_string(type) + ", which readers treat differently");
      }
    } catch (Error& e) {
      c.fail(e.reason);
    }
    if (p.remaining() != 0) c.fail("file property " + std::to_string(type) + " has bytes its data does not use");
  }
  if (names.size() != n) c.fail("no file names (readers make up different ones)");
  std::vector<Entry> entries;
  std::size_t stream = 0, empty = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    Entry e;
    e.name = names[i];
    e.has_stream = !empty_stream[i];
    bool is_empty_file = false;
    if (e.has_stream) {
      if (stream >= s.sub_sizes.size()) c.fail("more files with data than streams");
      e.size = s.sub_sizes[stream];
      e.crc = s.sub_crcs[stream];
      ++stream;
    } else {
      is_empty_file = empty < empty_file.size() && empty_file[empty];
      ++empty;
    }
    if (i < attr_defined.size() && attr_defined[i]) e.attributes = attrs[i];
    e.type = entry_type(e, is_empty_file, c);
    entries.push_back(std::move(e));
  }
  if (stream != s.sub_sizes.size()) c.fail("streams that belong to no file");
  return entries;
}

void read_all(ByteView bytes, const Limits& limits, Listing& out) {
  if (!has_signature(bytes)) throw parse_error(0, "no 7z signature");
  SevenZipCursor sig(bytes.first(kSignatureHeaderSize), 0, false);
  sig.bytes(6);
  if (sig.byte() != 0) sig.fail("major version other than 0");
  if (sig.byte() > 4) sig.fail("minor version above 4 (libarchive refuses it, 7-Zip reads it)");
  std::uint32_t start_crc = sig.le<std::uint32_t>();
  if (crc32_update(0, bytes.subspan(12, 20)) != start_crc) throw parse_error(8, "start header CRC-32 mismatch");
  std::uint64_t next_offset = sig.le<std::uint64_t>();
  std::uint64_t next_size = sig.le<std::uint64_t>();
  std::uint32_t next_crc = sig.le<std::uint32_t>();
  const std::uint64_t file_size = bytes.size();
  if (next_offset > file_size - kSignatureHeaderSize || next_size > file_size - kSignatureHeaderSize - next_offset)
    throw parse_error(12, "the header lies past the end of the file");
  const std::uint64_t header_offset = kSignatureHeaderSize + next_offset;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges{{0, kSignatureHeaderSize}};
  if (next_size > 0) {
    ByteView header = bytes.subspan(static_cast<std::size_t>(header_offset), static_cast<std::size_t>(next_size));
    if (crc32_update(0, header) != next_crc) throw parse_error(28, "header CRC-32 mismatch");
    ranges.emplace_back(header_offset, header_offset + next_size);
    std::vector<std::uint8_t> decoded;
    SevenZipCursor c(header, header_offset, false);
    if (header[0] == kEncodedHeader) {
      c.byte();
      SevenZipStreams hs = read_streams(c, limits);
      if (c.remaining() != 0) c.fail("bytes after the encoded header's streams info");
      add_pack_ranges(hs, file_size, header_offset, ranges);
      decoded = decode_header(hs, bytes, header_offset, limits, out.encrypted);
      out.encoded_header = true;
      header = ByteView(decoded.data(), decoded.size());
      c = SevenZipCursor(header, header_offset, true);
    }
    c.expect(kHeader, "the header");
    std::uint8_t id = c.byte();
    if (id == kArchiveProperties) {
      for (;;) {
        std::uint64_t type = c.number();
        if (type == 0) break;
        c.bytes(c.number());
      }
      id = c.byte();
    }
    if (id == kAdditionalStreamsInfo) c.fail("additional streams (external header data)");
    SevenZipStreams s;
    if (id == kMainStreamsInfo) {
      s = read_streams(c, limits);
      id = c.byte();
    }
    for (const auto& f : s.folders)
      for (const auto& coder : f.coders)
        if (coder_is(coder, kAesId)) out.encrypted = true;
    add_pack_ranges(s, file_size, header_offset, ranges);
    if (id == kFilesInfo) {
      out.entries = read_files(c, s, limits);
      id = c.byte();
    } else if (!s.sub_sizes.empty()) {
      c.fail("streams but no file list");
    }
    if (id != kEnd) c.fail("unexpected property in the header");
    if (c.remaining() != 0) c.fail("bytes after the header's end");
  } else if (next_offset != 0 || next_crc != 0) {
    throw parse_error(12, "an empty header at a non-zero offset or with a CRC");
  }
  std::sort(ranges.begin(), ranges.end());
  std::uint64_t covered = 0;
  for (const auto& [begin, end] : ranges) {
    if (begin < covered) throw parse_error(begin, "packed streams or the header overlap");
    if (begin > covered && out.unreferenced_bytes == 0) out.first_unreferenced = covered;
    out.unreferenced_bytes += begin - covered;
    covered = end;
  }
  if (covered < file_size) {
    if (out.unreferenced_bytes == 0) out.first_unreferenced = covered;
    out.unreferenced_bytes += file_size - covered;
  }
}

}  // namespace

bool has_signature(ByteView bytes) {
  return bytes.size() >= kSignatureHeaderSize && std::memcmp(bytes.data(), kSignature, 6) == 0;
}

Expected<Listing> read_headers(ByteView bytes, const Limits& limits) {
  Listing out;
  try {
    read_all(bytes, limits, out);
  } catch (Error& e) {
    RuleId rule = !e.rule.empty() ? e.rule
                  : out.encrypted ? RuleId("MG-ARCHIVE-ENCRYPTED")
                                  : RuleId("MG-7Z-MALFORMED");
    return parse_error(rule, e.offset, std::move(e.reason));
  } catch (std::bad_alloc&) {
    return parse_error("MG-LIMIT-EXCEEDED", 0, "out of memory reading the headers");
  }
  return out;
}

}  // namespace modelgate::sevenzip
