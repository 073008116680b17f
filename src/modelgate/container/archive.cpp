// 7z, tar (plain or compressed) and single-stream gzip/bzip2/xz/lzma/zstd/lz4 files through
// libarchive. Members are decompressed into bounded buffers and scanned by content, recursively.
#include <algorithm>
#include <memory>
#include <optional>

#include "container/archive_walk.h"
#include "container/libarchive_library.h"
#include "readers/member_path.h"
#include "container/sevenzip_views.h"
#include "readers/tar_headers.h"
#include "container/tar_views.h"
#include "container/torch_tar.h"
#include "core/rule_catalog.h"
#include "identify/container_magic.h"
#include "format/scanners.h"

namespace modelgate {

namespace {

// The compressions the loaders decompress (tarfile, joblib, py7zr, torch.load's tar): not
// libarchive's "all", which adds formats no loader reads (uuencode, compress, RPM) and filters that
// run an external program (lrzip, lzop, grzip).
void support_loader_filters(const Libarchive& la, struct archive* ar) {
  la.archive_read_support_filter_gzip(ar);
  la.archive_read_support_filter_bzip2(ar);
  la.archive_read_support_filter_xz(ar);
  la.archive_read_support_filter_lzma(ar);
  la.archive_read_support_filter_zstd(ar);
  la.archive_read_support_filter_lz4(ar);
}

// Decompresses the whole outer stream once (discarding it) to check the limits on what a
// compressed tar really holds: libarchive's tar reader stops at the end-of-archive blocks and
// never reads what follows, so a bomb or a payload behind them would otherwise go unseen. Nothing
// is kept, so nothing is charged; the stream must fit in what the budget leaves.
void check_whole_stream(const Artifact& a, const Limits& limits, std::uint64_t budget_left,
                        std::vector<Finding>& findings) {
  auto add = [&](RuleId id, std::string msg) {
    findings.push_back(make_finding(rule(id), a.origin, std::nullopt, std::move(msg)));
  };
  auto reader = new_archive_read();
  if (!reader) return add("MG-ARCHIVE-UNREADABLE", reader.error().message());
  const ArchiveRead& ar = *reader;
  const Libarchive& la = library_of(ar);
  support_loader_filters(la, ar.get());
  la.archive_read_support_format_raw(ar.get());
  struct archive_entry* e = nullptr;
  if (la.archive_read_open_memory(ar.get(), a.bytes.data(), a.bytes.size()) != ARCHIVE_OK ||
      la.archive_read_next_header(ar.get(), &e) != ARCHIVE_OK) {
    add("MG-ARCHIVE-UNREADABLE", "the compressed stream cannot be opened");
    return;
  }
  std::uint64_t total = 0;
  std::uint8_t chunk[64 * 1024];
  for (;;) {
    la_ssize_t n = la.archive_read_data(ar.get(), chunk, sizeof chunk);
    if (n == 0) return;
    if (n < 0) {
      const char* err = la.archive_error_string(ar.get());
      add("MG-ARCHIVE-UNREADABLE", std::string("the compressed stream cannot be read completely: ") + (err ? err : "unknown error"));
      return;
    }
    total += static_cast<std::uint64_t>(n);
    if (total > budget_left) {
      add("MG-LIMIT-EXCEEDED", "the compressed stream unpacks to more than the limit max_total_unpacked leaves "
                               "for this artifact (" + std::to_string(budget_left) + " bytes)");
      return;
    }
    if (total > (16ull << 20) && total / std::max<std::size_t>(a.bytes.size(), 1) >= limits.max_compression_ratio) {
      add("MG-ARCHIVE-BOMB", "more than " + std::to_string(limits.max_compression_ratio) +
                                 " bytes unpacked per packed byte (at " + std::to_string(total) + " bytes)");
      return;
    }
  }
}

}  // namespace

ArchiveListing read_archive(const Artifact& a, NestedScan& ctx, const MemberVisitor& visit) {
  ArchiveListing out;
  const Limits& limits = ctx.limits();
  auto add = [&](RuleId id, std::string msg, std::string evidence = {}) {
    out.findings.push_back(make_finding(rule(id), a.origin, std::nullopt, std::move(msg), std::move(evidence)));
  };
  auto reader = new_archive_read();
  if (!reader) {
    add("MG-ARCHIVE-UNREADABLE", reader.error().message());
    return out;
  }
  const ArchiveRead& ar = *reader;
  const Libarchive& la = library_of(ar);
  support_loader_filters(la, ar.get());
  la.archive_read_support_format_7zip(ar.get());
  la.archive_read_support_format_tar(ar.get());
  la.archive_read_support_format_gnutar(ar.get());
  la.archive_read_support_format_raw(ar.get());  // a single compressed stream
  if (la.archive_read_open_memory(ar.get(), a.bytes.data(), a.bytes.size()) != ARCHIVE_OK) {
    add("MG-ARCHIVE-UNREADABLE", std::string("cannot open: ") + la.archive_error_string(ar.get()));
    return out;
  }
  const auto budget = ctx.budget(a);
  std::uint64_t total = 0;  // this archive's members, for the compression ratio
  const std::uint64_t ratio_floor = 16ull << 20;  // small files may legitimately compress better
  for (std::uint32_t count = 0;; ++count) {
    struct archive_entry* e = nullptr;
    int rc = la.archive_read_next_header(ar.get(), &e);
    if (count == 0 && la.archive_filter_count(ar.get()) > 1 &&
        (rc != ARCHIVE_OK || la.archive_format(ar.get()) != ARCHIVE_FORMAT_RAW)) {
      check_whole_stream(a, limits, budget->remaining(), out.findings);
      if (!out.findings.empty()) break;
    }
    if (rc == ARCHIVE_EOF) {
      out.reached_end = true;
      break;
    }
    if (rc != ARCHIVE_OK) {
      const char* err = la.archive_error_string(ar.get());
      add("MG-ARCHIVE-UNREADABLE", std::string("cannot read the next member header: ") + (err ? err : "unknown error"));
      break;
    }
    if (count >= limits.max_archive_members) {
      add("MG-LIMIT-EXCEEDED", "more than " + std::to_string(limits.max_archive_members) + " members");
      break;
    }
    out.format = la.archive_format_name(ar.get()) ? la.archive_format_name(ar.get()) : "";
    if (la.archive_filter_count(ar.get()) > 1) out.filter = la.archive_filter_name(ar.get(), 0);
    // The content was identified by a compressor's magic, but no decoder took its header (an LZMA
    // dictionary libarchive's bidder refuses, say): the raw reading would hand back the same bytes.
    if (la.archive_format(ar.get()) == ARCHIVE_FORMAT_RAW && la.archive_filter_count(ar.get()) <= 1) {
      add("MG-ARCHIVE-UNREADABLE", "the stream starts like a compressed stream, but no decoder accepts its header");
      break;
    }
    // 7z names are UTF-16 in the file: take them as UTF-8 whatever the worker's locale.
    const bool utf8_names = la.archive_format(ar.get()) == ARCHIVE_FORMAT_7ZIP;
    out.entries.push_back(listed_entry(la, e, utf8_names));
    const char* pn = utf8_names ? la.archive_entry_pathname_utf8(e) : la.archive_entry_pathname(e);
    std::string name = pn ? pn : "";
    if (name.empty() || la.archive_format(ar.get()) == ARCHIVE_FORMAT_RAW) name = name.empty() ? "data" : name;
    if (auto why = unsafe_member_path(name); !why.empty())
      add("MG-ARCHIVE-UNSAFE-PATH", "member name " + why, name);
    if (la.archive_entry_is_encrypted(e)) {
      add("MG-ARCHIVE-ENCRYPTED", "member '" + name + "' is encrypted and cannot be inspected");
      continue;
    }
    auto type = la.archive_entry_filetype(e);
    if (la.archive_entry_hardlink(e) || type == AE_IFLNK) {
      const char* target = la.archive_entry_hardlink(e) ? la.archive_entry_hardlink(e) : la.archive_entry_symlink(e);
      add("MG-ARCHIVE-LINK", "member '" + name + "' is a link to '" + (target ? target : "") + "'");
      continue;
    }
    if (type == AE_IFDIR) continue;
    if (type != AE_IFREG && type != 0) {
      add("MG-ARCHIVE-SPECIAL", "member '" + name + "' is a device, FIFO or socket");
      continue;
    }
    out.names.push_back(name);
    std::uint64_t declared = 0;
    if (la.archive_entry_size_is_set(e)) {
      declared = static_cast<std::uint64_t>(std::max<la_int64_t>(0, la.archive_entry_size(e)));
      if (declared > limits.max_member_unpacked) {
        add("MG-LIMIT-EXCEEDED", "member '" + name + "' declares " + std::to_string(declared) +
                                     " bytes, over the limit max_member_unpacked");
        break;
      }
    }
    auto data = std::make_shared<UnpackedBuffer>(budget, "max_member_unpacked", limits.max_member_unpacked);
    // Room for the declared size, no more than the ratio and the budget would let it fill.
    std::uint64_t ratio_bound = 0;
    if (__builtin_mul_overflow(std::max<std::uint64_t>(a.bytes.size(), 1), limits.max_compression_ratio, &ratio_bound))
      ratio_bound = UINT64_MAX;
    data->reserve(std::min({declared, ratio_bound, budget->remaining()}));
    bool failed = false;
    std::uint8_t chunk[64 * 1024];
    for (;;) {
      la_ssize_t n = la.archive_read_data(ar.get(), chunk, sizeof chunk);
      if (n == 0) break;
      if (n < 0) {
        const char* err = la.archive_error_string(ar.get());
        add("MG-ARCHIVE-UNREADABLE", "member '" + name + "' cannot be read completely: " + (err ? err : "unknown error"));
        failed = true;
        break;
      }
      total += static_cast<std::uint64_t>(n);
      if (total > ratio_floor && total / std::max<std::size_t>(a.bytes.size(), 1) >= limits.max_compression_ratio) {
        add("MG-ARCHIVE-BOMB", "more than " + std::to_string(limits.max_compression_ratio) +
                                   " bytes unpacked per packed byte (at " + std::to_string(total) + " bytes)");
        failed = true;
        break;
      }
      if (!data->append(chunk, static_cast<std::size_t>(n))) {
        add("MG-LIMIT-EXCEEDED", "member '" + name + "' unpacks " + data->exceeded_reason());
        failed = true;
        break;
      }
    }
    if (failed) break;
    if (la.archive_entry_size_is_set(e) && data->size() != static_cast<std::uint64_t>(la.archive_entry_size(e))) {
      add("MG-ARCHIVE-UNREADABLE", "member '" + name + "' is shorter than its header says");
      break;
    }
    visit(name, std::move(data));
  }
  if (out.names.empty() && out.findings.empty())
    add("MG-ARCHIVE-UNREADABLE", "no member could be read (an empty archive, or data libarchive does not recognise)");
  return out;
}

void scan_archive(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  // A tar header at byte 0 whose name field starts with 7z's signature or a compressor's magic is
  // two archives: tarfile (and torch.load, which tries it first) reads the tar, while libarchive,
  // py7zr, 7z, gunzip and joblib read the other format from the same bytes. Both share one reading
  // kind, so the readings table cannot tell them apart: the file is refused here.
  if (tar::looks_like_tar_header(a.bytes) && starts_with_7z_or_compressor_magic(a.bytes))
    report.add(make_finding(rule("MG-FORMAT-POLYGLOT"), a.origin, 0,
                            "the first 512 bytes are a tar header (tarfile, torch.load) whose name field starts with "
                            "the magic of a 7z archive or compressed stream (libarchive, py7zr, 7z, gunzip, joblib): "
                            "two tools unpack two different archives from these bytes"));
  // torch.load reads an uncompressed tar with Python's tarfile when it holds torch's members.
  if (looks_like_torch_tar(a.bytes, ctx.limits())) return scan_torch_tar(a, ctx, report);
  // An uncompressed tar is also read the way Python's tarfile reads it (extraction scripts, torch):
  // where the two views differ, the tree modelgate scans is not the one they unpack.
  // A gzip, bzip2 or xz file is decompressed whole for that reading, as tarfile.open does.
  std::optional<tar::Listing> python_view;
  Artifact as_tarfile_reads = a;
  std::shared_ptr<UnpackedBuffer> decompressed;
  if (tar::looks_like_tar_header(a.bytes)) {
    report_pickle_at_tar_start(a, ctx, report);
  } else {
    auto tarfile_reads = decompress_as_tarfile(a, ctx);
    if (!tarfile_reads) {
      report.add(make_finding(rule(tarfile_reads.error().rule), a.origin, std::nullopt, tarfile_reads.error().reason));
      return;
    }
    decompressed = std::move(*tarfile_reads);
    if (decompressed) as_tarfile_reads.bytes = decompressed->bytes();
  }
  if (tar::looks_like_tar_header(as_tarfile_reads.bytes)) {
    python_view = tar::read_headers(as_tarfile_reads.bytes, ctx.limits());
    report_tar_views(as_tarfile_reads, *python_view, ctx.limits().max_archive_members, report);
  }
  // A 7z archive is also read from its headers by hand, as py7zr and the 7z tools read it.
  std::optional<Expected<sevenzip::Listing>> sevenzip_view;
  if (sevenzip::has_signature(a.bytes)) sevenzip_view = sevenzip::read_headers(a.bytes, ctx.limits());
  if (sevenzip_view && !*sevenzip_view && sevenzip_view->error().rule == RuleId("MG-LIMIT-EXCEEDED")) {
    report.format = "7-Zip";
    report_sevenzip_views(a, *sevenzip_view, ArchiveListing{}, report);
    return;
  }
  std::vector<ArtifactReport> children;
  std::size_t visited = 0;
  auto listing = read_archive(a, ctx, [&](const std::string& name, std::shared_ptr<UnpackedBuffer> buf) {
    ByteView bytes = buf->bytes();
    // Members are compared by position once the names match (a list difference is reported above;
    // libarchive's raw fallback for what is no tar has its own names).
    ByteView theirs;
    std::string their_name;
    if (python_view && tarfile_member_bytes(as_tarfile_reads.bytes, *python_view, visited, their_name, theirs) && their_name == name &&
        (theirs.size() != bytes.size() || !std::equal(theirs.begin(), theirs.end(), bytes.begin())))
      report.add(make_finding(rule("MG-ARCHIVE-READERS-DISAGREE"), a.origin, std::nullopt,
                              "member '" + name + "' has different bytes for libarchive and for Python's tarfile"));
    if (sevenzip_view) check_sevenzip_member(a, *sevenzip_view, visited, name, bytes, report);
    ++visited;
    children.push_back(ctx.scan(a.child(name, bytes, std::move(buf))));
  });
  if (sevenzip_view) report_sevenzip_views(a, *sevenzip_view, listing, report);
  report.format = listing.format.empty() ? "archive" : listing.format;
  if (listing.format == "raw") report.format = listing.filter.empty() ? "compressed" : listing.filter;
  else if (!listing.filter.empty()) report.format += "+" + listing.filter;
  if (is_legacy_torch_tar(listing.names)) report.format = "pytorch-legacy-tar";
  for (auto& f : listing.findings) report.add(std::move(f));
  for (auto& c : children) report.children.push_back(std::move(c));
  report.details.archive = ArchiveDetails{listing.names.size()};
}

bool is_legacy_torch_tar(const std::vector<std::string>& names) {
  int hits = 0;
  for (const auto& n : names) hits += n == "pickle" || n == "storages" || n == "tensors" || n == "sys_info";
  return hits >= 3;
}

}  // namespace modelgate
