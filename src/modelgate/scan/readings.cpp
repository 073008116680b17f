#include "scan/readings.h"

#include <algorithm>
#include <string>

#include "artifact/zip_probe.h"
#include "core/rule_catalog.h"
#include "readers/tar_headers.h"
#include "readers/zip_reader.h"
#include "identify/code_format_probes.h"
#include "readers/gguf.h"
#include "readers/safetensors.h"
#include "container/pickle_member.h"
#include "identify/container_magic.h"
#include "scan/format_table.h"
#include "artifact/pickle_probe.h"

namespace modelgate {

namespace {

// Formats of one kind are one reading of the bytes: a torch zip and a .keras archive are both the
// ZIP directory, a joblib file and a legacy checkpoint both start with pickle.load at offset 0.
// joblib is a kind of its own: pickle.load reads the raw array bytes joblib skips as opcodes.
enum class ReadingKind { zip, tar, pickle, joblib, npy, hdf5, safetensors, gguf, other };

ReadingKind reading_kind_of(Format f) {
  switch (f) {
    case Format::zip:
    case Format::keras_archive: return ReadingKind::zip;
    case Format::archive: return ReadingKind::tar;
    case Format::pickle:
    case Format::torch_legacy: return ReadingKind::pickle;
    case Format::joblib: return ReadingKind::joblib;
    case Format::npy: return ReadingKind::npy;
    case Format::hdf5: return ReadingKind::hdf5;
    case Format::safetensors: return ReadingKind::safetensors;
    case Format::gguf: return ReadingKind::gguf;
    default: return ReadingKind::other;
  }
}

std::optional<Format> zip_at_start(const Artifact& a) {
  if (!zip::looks_like_zip(a.bytes)) return std::nullopt;
  return looks_like_keras_archive(a) ? Format::keras_archive : Format::zip;
}

std::optional<Format> zip_by_end_record(const Artifact& a) {
  const auto& ar = zip_probe(a);
  if (!ar) return std::nullopt;
  return has_keras_layout(*ar) ? Format::keras_archive : Format::zip;
}

std::optional<Format> tar_at_start(const Artifact& a) {
  if (!tar::looks_like_tar_header(a.bytes)) return std::nullopt;
  return Format::archive;
}

std::optional<Format> legacy_torch(const Artifact& a) {
  if (!looks_like_torch_legacy(a.bytes)) return std::nullopt;
  return Format::torch_legacy;
}

std::optional<Format> joblib_pickle(const Artifact& a) {
  if (!probe_pickle_at_start(a).joblib_wrapper) return std::nullopt;
  return Format::joblib;
}

std::optional<Format> pickle_at_start(const Artifact& a) {
  if (!probe_pickle_at_start(a).imports) return std::nullopt;
  return Format::pickle;
}

// pickle.load reads one stream and raises where it breaks: what ran before the break counts, the
// break itself and the bytes after it (another format's) do not. joblib's wrapper class is
// harmless to pickle.load (it has no reduce or setstate of its own).
void scan_pickle_reading(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  PickleMemberOptions o;
  o.report_trailing = false;
  o.loader_globals = {"joblib.numpy_pickle.NumpyArrayWrapper"};
  auto result = scan_pickle_member(a, ctx, report, o);
  report.parsed.pickle_reading = PickleReadingExtent{result.complete, result.end};
  std::erase_if(report.findings, [](const Finding& f) {
    return f.rule == "MG-PICKLE-MALFORMED" || f.rule == "MG-PICKLE-TRAILING-DATA";
  });
}

std::optional<Format> npy_at_start(const Artifact& a) {
  if (!looks_like_npy(a.bytes)) return std::nullopt;
  return Format::npy;
}

std::optional<Format> hdf5_superblock(const Artifact& a) {
  if (!hdf5_superblock_offset(a.bytes)) return std::nullopt;
  return Format::hdf5;
}

std::optional<Format> safetensors_header(const Artifact& a) {
  if (!safetensors::looks_like_safetensors(a.bytes)) return std::nullopt;
  return Format::safetensors;
}

std::optional<Format> gguf_header(const Artifact& a) {
  if (!gguf::looks_like_gguf(a.bytes)) return std::nullopt;
  return Format::gguf;
}

constexpr Reading kReadings[] = {
    {"zip", "torch.load (a file starting with PK\\3\\4), numpy.load (PK\\3\\4 or PK\\5\\6)", Format::zip,
     zip_at_start},
    {"zip-end-record", "zipfile.ZipFile, Keras 3 load_model, shutil.unpack_archive (the end record in the last 64 KiB)",
     Format::zip, zip_by_end_record},
    {"tar", "tarfile.open, torch.load (tried before pickle for a file that is not a zip)", Format::archive,
     tar_at_start},
    {"torch-legacy", "torch.load (the magic-number pickle)", Format::torch_legacy, legacy_torch},
    {"joblib", "joblib.load (raw array bytes after each wrapper)", Format::joblib, joblib_pickle},
    {"pickle", "pickle.load, joblib.load, numpy.load(allow_pickle=True), torch.load (after tarfile fails)",
     Format::pickle, pickle_at_start, scan_pickle_reading},
    {"npy", "numpy.load (\\x93NUMPY)", Format::npy, npy_at_start},
    {"hdf5", "h5py / libhdf5, Keras 2 load_model (superblock at 0 or any power of two from 512 to the end)",
     Format::hdf5, hdf5_superblock},
    {"safetensors", "safetensors.safe_open / load_file", Format::safetensors, safetensors_header},
    {"gguf", "gguf / llama.cpp readers", Format::gguf, gguf_header},
};

// Readings a primary scanner already analyses itself: the tar scanner runs the pickle that
// torch.load unpickles when tarfile gives up (MG-TORCH-TAR-POLYGLOT).
struct CoveredReading {
  Format primary;
  std::string_view reading;
};
constexpr CoveredReading kCovered[] = {
    {Format::archive, "pickle"},
};

bool covered_by_primary(Format primary, std::string_view reading, ByteView b) {
  return std::any_of(std::begin(kCovered), std::end(kCovered), [&](const CoveredReading& c) {
    return c.primary == primary && c.reading == reading && tar::looks_like_tar_header(b);
  });
}

// pickle.load and joblib.load read the same opcodes from offset 0 until the first raw array bytes
// (an object array is a nested pickle both read; only its memo differs, and pickle.load returns at
// its STOP). A pickle reading that stops before those bytes is a prefix of joblib's own reading.
bool pickle_reading_within_joblib(const ArtifactReport& joblib, std::string_view reading, const ArtifactReport& pickle) {
  if (joblib.format != format_name(Format::joblib) || reading != "pickle") return false;
  const std::uint64_t end = pickle.parsed.pickle_reading ? pickle.parsed.pickle_reading->end : 0;
  return !joblib.parsed.first_raw_array_at || end <= *joblib.parsed.first_raw_array_at;
}

}  // namespace

std::span<const Reading> consumer_readings() { return kReadings; }

void scan_other_readings(const Artifact& artifact, Format primary, ScanContext& ctx, ArtifactReport& report) {
  if (artifact.bytes.empty()) return;
  std::vector<ReadingKind> seen{reading_kind_of(primary)};
  std::vector<ArtifactReport> others;
  std::string names;
  bool all_safe = true;
  for (const Reading& r : kReadings) {
    // A reading's formats are all of its kind, so one of a kind already taken is not tried: for
    // a pickle that is a second run of the pickle machine over the whole file.
    if (std::find(seen.begin(), seen.end(), reading_kind_of(r.kind)) != seen.end()) continue;
    auto f = r.accepts(artifact);
    if (!f) continue;
    seen.push_back(reading_kind_of(*f));
    if (covered_by_primary(primary, r.name, artifact.bytes)) continue;
    ArtifactReport other;
    other.origin = artifact.origin + "#reading=" + std::string(r.name);
    other.size = artifact.bytes.size();
    other.format = std::string(format_name(*f));
    (r.analyse ? r.analyse : scanner_for(*f))(artifact, ctx, other);
    other.finalize();
    // A pickle that breaks is a reading only for what ran before the break: kept when that
    // matters, but the file is no polyglot for it (pickle.load raises).
    bool valid = !other.parsed.pickle_reading || other.parsed.pickle_reading->complete;
    if (!valid && other.status == Status::safe) continue;
    if (valid && pickle_reading_within_joblib(report, r.name, other)) continue;
    if (valid) {
      names += (names.empty() ? "" : "; ") + other.format + " (" + std::string(r.consumers) + ")";
      all_safe &= other.status == Status::safe;
    }
    others.push_back(std::move(other));
  }
  if (!names.empty())
    report.add(make_finding(all_safe ? rule("MG-FORMAT-POLYGLOT-SAFE-READINGS") : rule("MG-FORMAT-POLYGLOT"), artifact.origin, 0,
                            "the bytes identified as " + report.format + " are also read as: " + names +
                                (all_safe ? "; every other reading was analysed and is safe"
                                          : "; the verdict is the worst over every reading")));
  for (auto& o : others) report.children.push_back(std::move(o));
}

}  // namespace modelgate
