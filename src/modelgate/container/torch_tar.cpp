#include "container/torch_tar.h"

#include <charconv>
#include <map>
#include <memory>
#include <set>

#include "container/checkpoint_reading.h"
#include "container/checkpoint_tensor_facts.h"
#include "container/torch_tar_tensors.h"
#include "readers/member_path.h"
#include "container/pickle_member.h"
#include "format/pickle_stream_report.h"
#include "readers/tar_headers.h"
#include "container/tar_views.h"
#include "container/torch_storage.h"
#include "core/rule_catalog.h"
#include "pickle/opcodes.h"

namespace modelgate {

namespace {

constexpr std::string_view kTorchMembers[] = {"storages", "tensors", "pickle"};

bool is_torch_member(std::string_view name) {
  return name == "storages" || name == "tensors" || name == "pickle" || name == "sys_info";
}

std::uint64_t le_u64(ByteView b, std::size_t pos) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b[pos + static_cast<std::size_t>(i)];
  return v;
}

// Python repr of a dict key as legacy_load uses it; nullopt for keys it could not have written.
std::optional<std::string> key_of(const pickle::ValueGraph& g, const pickle::Value& v) {
  if (v.kind == pickle::Kind::integer) return std::to_string(v.i);
  if (v.kind == pickle::Kind::string) return "'" + std::string(g.text_of(v)) + "'";
  return std::nullopt;
}

const pickle::ValueList* sequence(const pickle::StreamResult& r, const pickle::Value& v) {
  if ((v.kind != pickle::Kind::tuple && v.kind != pickle::Kind::list) || !v.has_node() || !r.graph) return nullptr;
  return &r.graph->node(static_cast<std::uint32_t>(v.u)).items;
}

std::optional<std::int64_t> integer(const pickle::Value& v) {
  if (v.kind == pickle::Kind::integer) return v.i;
  return std::nullopt;
}

// Reads the members of the tar the way torch does and records everything into the report.
class TorchTarReader {
 public:
  TorchTarReader(const Artifact& a, NestedScan& ctx, ArtifactReport& report)
      : a_(a), ctx_(ctx), report_(report) {}

  TorchTarLayout run();

 private:
  void add(RuleId id, std::optional<std::uint64_t> off, std::string msg, std::string ev = {}) {
    report_.add(make_finding(rule(id), a_.origin, off, std::move(msg), std::move(ev)));
  }
  // A finding on a member, offset relative to the member's data.
  void add_in(ArtifactReport& r, RuleId id, std::optional<std::uint64_t> off, std::string msg) {
    r.add(make_finding(rule(id), r.origin, off, std::move(msg)));
    if (rule(id).status >= Status::refused) layout_.complete = false;
  }
  Artifact member_artifact(const tar::Member& m, const std::string& origin_name) const {
    return a_.child(origin_name, a_.bytes.subspan(m.data_offset, m.size), nullptr);
  }
  ArtifactReport member_report(const Artifact& m, const char* format) const {
    ArtifactReport r;
    r.origin = m.origin;
    r.size = m.bytes.size();
    r.format = format;
    ctx_.hash_content(m, r);
    return r;
  }
  pickle::StreamResult record_pickle(const Artifact& m, std::size_t pos, ArtifactReport& r) {
    PickleMemberOptions o;
    o.retain_data = true;  // the records are small tuples whose items are needed
    return analyse_pickle_stream(m, pos, ctx_, r, o);
  }
  // The pickled record count that opens `storages` and `tensors`; on success `pos` moves past it.
  std::optional<std::int64_t> record_count(const Artifact& m, std::size_t& pos, ArtifactReport& r, const char* what) {
    auto count_r = record_pickle(m, pos, r);
    auto count = integer(count_r.root);
    if (!count_r.complete || !count || *count < 0) {
      add_in(r, "MG-TORCH-TAR-MALFORMED", pos,
             std::string("the ") + what + " count is not a complete pickle of a non-negative integer");
      return std::nullopt;
    }
    pos = count_r.end;
    return count;
  }
  void check_members();
  void compare_with_libarchive();
  void probe_pickle_at_start();
  void read_storages(const tar::Member& m);
  void read_tensors(const tar::Member& m);
  void read_pickle(const tar::Member& m);
  void list_tensors();
  void trailing(const Artifact& m, ArtifactReport& r, std::size_t pos, const char* after);

  const Artifact& a_;
  NestedScan& ctx_;
  ArtifactReport& report_;
  tar::Listing listing_;
  TorchTarLayout layout_;
  std::optional<pickle::StreamResult> kept_pickle_;  // the `pickle` member, for Artifact::checkpoint_reading
  std::map<std::string, std::uint64_t> storage_numel_;  // storages and views: key -> elements
  std::map<std::string, std::uint64_t> storage_esize_;
  std::set<std::string> tensor_keys_;
  std::set<std::string> used_storages_;
  // Cross-checks against the records are meaningful only when the records were walked to the end.
  bool storages_walked_ = false, tensors_walked_ = false;
};

TorchTarLayout TorchTarReader::run() {
  listing_ = tar::read_headers(a_.bytes, ctx_.limits());
  layout_.complete = true;
  report_.format = "pytorch-legacy-tar";
  check_members();
  compare_with_libarchive();
  probe_pickle_at_start();

  // legacy_load extracts storages, then tensors, then opens pickle; a missing one stops it there.
  std::set<const tar::Member*> walked;
  bool usable = !listing_.error && !listing_.unsupported;
  for (int i = 0; i < 3 && usable; ++i) {
    const tar::Member* m = tar::find_last(listing_, kTorchMembers[i]);
    if (m == nullptr) {
      add("MG-TORCH-TAR-MALFORMED", std::nullopt,
          std::string("no member '") + std::string(kTorchMembers[i]) + "' (torch.load raises KeyError)");
      layout_.complete = false;
      break;
    }
    if (!m->is_plain_file()) break;  // reported by check_members
    walked.insert(m);
    if (i == 0) read_storages(*m);
    if (i == 1) read_tensors(*m);
    if (i == 2) read_pickle(*m);
  }

  // Every other member (sys_info, earlier copies of duplicated names, members the walk did not
  // reach, anything else) is scanned by content: torch does not read them, other tools may.
  std::map<std::string, int> seen;
  for (const auto& m : listing_.members) {
    if (walked.count(&m) || !m.python_reads_as_file() || m.data_offset > a_.bytes.size() ||
        m.size > a_.bytes.size() - m.data_offset)
      continue;
    int copy = ++seen[m.name];
    std::string name = m.name.empty() ? "(unnamed)" : m.name;
    if (tar::find_last(listing_, m.name) != &m || copy > 1) name += "#" + std::to_string(copy);
    report_.children.push_back(ctx_.scan(member_artifact(m, name)));
  }
  report_.details.archive = ArchiveDetails{listing_.members.size()};
  details_of(report_.details.torch).storages = layout_.storages.size();
  std::set<std::string> counted;  // a key written twice: the later record is the one torch keeps
  for (auto s = layout_.storages.rbegin(); s != layout_.storages.rend(); ++s)
    if (counted.insert(s->key).second) add_storage_facts(s->type, s->numel, report_.model);
  details_of(report_.details.torch).tensors = layout_.tensors.size();
  list_tensors();
  if (a_.checkpoint_reading) a_.checkpoint_reading->keep(a_.bytes, TorchTarReading{layout_, std::move(kept_pickle_)});
  return layout_;
}

void TorchTarReader::check_members() {
  if (listing_.error) {
    add("MG-TORCH-TAR-MALFORMED", listing_.error->offset,
        listing_.error->reason + "; torch.load then re-reads the whole file as a pickle stream");
    layout_.complete = false;
  }
  if (listing_.limit_hit) {
    add("MG-LIMIT-EXCEEDED", std::nullopt, "more than " + std::to_string(ctx_.limits().max_archive_members) + " members");
    layout_.complete = false;
  }
  for (const auto& n : listing_.notes) {
    add(listing_.unsupported ? RuleId("MG-TORCH-TAR-MEMBER-TYPE") : RuleId("MG-TORCH-TAR-HEADER-AMBIGUOUS"), n.offset, n.what);
    layout_.complete = false;
  }
  if (!listing_.clean_end && !listing_.error && !listing_.end_reason.empty()) {
    add("MG-TORCH-TAR-HEADER-AMBIGUOUS", listing_.end_offset, "tarfile stops at " + listing_.end_reason);
    layout_.complete = false;
  }
  // Bytes after the end of the archive are invisible to tarfile; hide nothing there.
  std::uint64_t tail = listing_.end_offset;
  if (listing_.clean_end && tail < a_.bytes.size()) {
    ByteView rest = a_.bytes.subspan(tail);
    std::size_t first = 0;
    while (first < rest.size() && rest[first] == 0) ++first;
    if (first < rest.size()) {
      add("MG-TORCH-TAR-TRAILING-DATA", tail + first,
          std::to_string(rest.size() - first) + " non-zero bytes follow the end-of-archive block");
      Artifact t = a_.child("trailing", rest.subspan(first), nullptr);
      t.origin = a_.origin + "@" + std::to_string(tail + first);
      report_.children.push_back(ctx_.scan(t));
    }
  }
  std::map<std::string, int> count;
  for (const auto& m : listing_.members) {
    ++count[m.name];
    if (auto why = unsafe_member_path(m.name); !why.empty())
      add("MG-ARCHIVE-UNSAFE-PATH", m.header_offset, "member name " + why, m.name);
    if (m.extended && m.name != m.header_name && is_torch_member(m.name))
      add("MG-TORCH-TAR-HEADER-AMBIGUOUS", m.header_offset,
          "member '" + m.name + "' takes its name or size from an extended header (its own header says '" +
              m.header_name + "'); readers without PAX/GNU support see another member");
    if (!is_torch_member(m.name) && !m.is_directory())
      add("MG-TORCH-TAR-EXTRA-MEMBER", m.header_offset,
          "member '" + m.name + "' is not part of a torch checkpoint (torch never reads it)");
    if (m.is_link()) {
      add("MG-ARCHIVE-LINK", m.header_offset,
          "member '" + m.name + "' is a link to '" + m.linkname + "'" +
              (is_torch_member(m.name) ? " (tarfile follows it: torch reads another member or a file on disk)" : ""));
      if (is_torch_member(m.name)) layout_.complete = false;
    } else if (is_torch_member(m.name) && m.name != "sys_info" && !m.is_plain_file() &&
               tar::find_last(listing_, m.name) == &m) {
      std::string t(1, m.type == '\0' ? '0' : m.type);
      add("MG-TORCH-TAR-MEMBER-TYPE", m.header_offset,
          "member '" + m.name + "' has type '" + t + "', not a regular file" +
              (m.python_reads_as_file() ? " (tarfile reads it as one, other readers do not)" : ""));
      layout_.complete = false;
    }
  }
  for (const auto& [name, n] : count)
    if (n > 1) {
      const tar::Member* last = tar::find_last(listing_, name);
      add("MG-TORCH-TAR-DUPLICATE", last->header_offset,
          "member '" + name + "' occurs " + std::to_string(n) +
              " times; tarfile (torch.load) reads the last copy (header at " +
              std::to_string(last->header_offset) + "), tools that extract in order keep the last, "
              "scanners that stop at the first read the first. Every copy is scanned");
      layout_.complete = false;
    }
}

// libarchive is the project's tar reader for everything else; where its member list differs from
// tarfile's, two tools see two different checkpoints.
void TorchTarReader::compare_with_libarchive() {
  if (auto diff = tar_views_disagree(a_.bytes, listing_, ctx_.limits().max_archive_members); !diff.empty()) {
    add("MG-TORCH-TAR-READERS-DISAGREE", std::nullopt, diff);
    layout_.complete = false;
  }
}

void TorchTarReader::probe_pickle_at_start() {
  if (report_pickle_at_tar_start(a_, ctx_, report_)) layout_.complete = false;
}

void TorchTarReader::trailing(const Artifact& m, ArtifactReport& r, std::size_t pos, const char* after) {
  if (pos >= m.bytes.size()) return;
  add_in(r, "MG-TORCH-STORAGE-EXTRA", pos,
         std::to_string(m.bytes.size() - pos) + " bytes follow the " + after + "; torch never reads them");
  Artifact t = m.child("trailing", m.bytes.subspan(pos), nullptr);
  t.origin = m.origin + "@" + std::to_string(pos);
  r.children.push_back(ctx_.scan(t));
}

void TorchTarReader::read_storages(const tar::Member& tm) {
  Artifact m = member_artifact(tm, "storages");
  ArtifactReport r = member_report(m, "pytorch-tar-storages");
  auto fail = [&](std::uint64_t off, std::string msg) { add_in(r, "MG-TORCH-TAR-MALFORMED", off, std::move(msg)); };
  std::size_t pos = 0;
  auto count = record_count(m, pos, r, "storage");
  if (!count) {
    report_.children.push_back(std::move(r));
    return;
  }
  bool ok = true;
  for (std::int64_t i = 0; i < *count && ok; ++i) {
    std::size_t at = pos;
    auto rec = record_pickle(m, pos, r);
    const auto* items = rec.complete ? sequence(rec, rec.root) : nullptr;
    if (!items || items->size() != 3) {
      fail(at, "storage record " + std::to_string(i) + " is not a (key, location, storage_type) tuple");
      ok = false;
      break;
    }
    const auto& g = *rec.graph;
    auto key = key_of(g, (*items)[0]);
    const auto& type = (*items)[2];
    TorchTarStorage s;
    if ((*items)[1].kind == pickle::Kind::string) s.location = std::string(g.text_of((*items)[1]));
    if (type.kind == pickle::Kind::global && type.has_node()) {
      const auto& node = g.node(static_cast<std::uint32_t>(type.u));
      s.type = node.name();
      if (node.module() == "torch" || node.module() == "torch.cuda") s.element_size = storage_element_size(node.name());
    }
    if (!key || s.element_size == 0 || (*items)[1].kind != pickle::Kind::string) {
      fail(at, "storage record " + std::to_string(i) + " has an unusable key, location or storage type (" +
                   g.describe(rec.root) + ")");
      ok = false;
      break;
    }
    s.key = *key;
    pos = rec.end;
    if (m.bytes.size() - pos < 8) {
      fail(pos, "storage " + s.key + " is truncated before its element count");
      ok = false;
      break;
    }
    s.numel = le_u64(m.bytes, pos);
    pos += 8;
    if (s.numel > (m.bytes.size() - pos) / s.element_size) {
      fail(pos, "storage " + s.key + " declares " + std::to_string(s.numel) + " x " + std::to_string(s.element_size) +
                    " bytes but the member holds " + std::to_string(m.bytes.size() - pos));
      ok = false;
      break;
    }
    s.data_offset = tm.data_offset + pos;
    pos += s.numel * s.element_size;  // the storage bytes are skipped, never read
    if (storage_numel_.count(s.key))
      add_in(r, "MG-TORCH-TAR-DUPLICATE", at, "storage key " + s.key + " is written twice; the later record wins");
    storage_numel_[s.key] = s.numel;
    storage_esize_[s.key] = s.element_size;
    layout_.storages.push_back(std::move(s));
  }
  if (ok) {
    std::size_t at = pos;
    auto views = record_pickle(m, pos, r);
    const auto* list = views.complete ? sequence(views, views.root) : nullptr;
    if (!list) {
      fail(at, "the storage views pickle is not a complete list");
      ok = false;
    } else {
      for (const auto& v : *list) {
        const auto* t = sequence(views, v);
        std::optional<std::string> key, root;
        std::optional<std::int64_t> off, numel;
        if (t && t->size() == 4) {
          key = key_of(*views.graph, (*t)[0]);
          root = key_of(*views.graph, (*t)[1]);
          off = integer((*t)[2]);
          numel = integer((*t)[3]);
        }
        if (!key || !root || !off || !numel || *off < 0 || *numel < 0) {
          fail(at, "a storage view is not (view_key, root_key, offset, numel): " + views.graph->describe(v));
          ok = false;
          break;
        }
        auto it = storage_numel_.find(*root);
        if (it == storage_numel_.end()) {
          add_in(r, "MG-TORCH-STORAGE-MISSING", at, "storage view " + *key + " refers to unknown storage " + *root);
          ok = false;
          continue;
        }
        auto o = static_cast<std::uint64_t>(*off), n = static_cast<std::uint64_t>(*numel);
        if (o > it->second || n > it->second - o)
          add_in(r, "MG-TORCH-STORAGE-SIZE", at,
                 "storage view " + *key + " covers elements " + std::to_string(o) + "+" + std::to_string(n) +
                     " of storage " + *root + ", which has " + std::to_string(it->second));
        used_storages_.insert(*root);
        storage_esize_[*key] = storage_esize_[*root];
        storage_numel_[*key] = n;
        layout_.views.push_back({*key, *root, o, n});
      }
      pos = views.end;
    }
  }
  storages_walked_ = ok;
  if (ok) trailing(m, r, pos, "storage views pickle");
  details_of(r.details.torch).storages = layout_.storages.size();
  report_.children.push_back(std::move(r));
}

void TorchTarReader::read_tensors(const tar::Member& tm) {
  Artifact m = member_artifact(tm, "tensors");
  ArtifactReport r = member_report(m, "pytorch-tar-tensors");
  auto fail = [&](std::uint64_t off, std::string msg) { add_in(r, "MG-TORCH-TAR-MALFORMED", off, std::move(msg)); };
  std::size_t pos = 0;
  auto count = record_count(m, pos, r, "tensor");
  if (!count) {
    report_.children.push_back(std::move(r));
    return;
  }
  bool ok = true;
  for (std::int64_t i = 0; i < *count; ++i) {
    std::size_t at = pos;
    auto rec = record_pickle(m, pos, r);
    const auto* items = rec.complete ? sequence(rec, rec.root) : nullptr;
    std::optional<std::string> key, skey;
    if (items && items->size() == 3) {
      key = key_of(*rec.graph, (*items)[0]);
      skey = key_of(*rec.graph, (*items)[1]);
    }
    if (!key || !skey) {
      fail(at, "tensor record " + std::to_string(i) + " is not a (key, storage_key, tensor_type) tuple");
      ok = false;
      break;
    }
    TorchTarTensor t;
    t.key = *key;
    t.storage_key = *skey;
    t.type = rec.graph->qualified_name((*items)[2]);
    pos = rec.end;
    if (m.bytes.size() - pos < 8) {
      fail(pos, "tensor " + t.key + " is truncated before its dimension count");
      ok = false;
      break;
    }
    auto ndim = static_cast<std::int32_t>(static_cast<std::uint32_t>(le_u64(m.bytes, pos) & 0xffffffffu));
    pos += 8;  // int32 ndim and 4 bytes legacy_load skips
    if (ndim < 0 || static_cast<std::uint64_t>(ndim) > (m.bytes.size() - pos) / 16 ||
        m.bytes.size() - pos - 16 * static_cast<std::uint64_t>(ndim) < 8) {
      fail(pos - 8, "tensor " + t.key + " has " + std::to_string(ndim) + " dimensions, which do not fit in the member");
      ok = false;
      break;
    }
    for (std::int32_t d = 0; d < ndim; ++d) t.sizes.push_back(static_cast<std::int64_t>(le_u64(m.bytes, pos + 8 * d)));
    pos += 8 * static_cast<std::size_t>(ndim);
    for (std::int32_t d = 0; d < ndim; ++d) t.strides.push_back(static_cast<std::int64_t>(le_u64(m.bytes, pos + 8 * d)));
    pos += 8 * static_cast<std::size_t>(ndim);
    t.storage_offset = static_cast<std::int64_t>(le_u64(m.bytes, pos));
    pos += 8;
    auto st = storage_numel_.find(t.storage_key);
    if (!storages_walked_) {
      // the storages member was not walked to the end: nothing to check against
    } else if (st == storage_numel_.end()) {
      add_in(r, "MG-TORCH-STORAGE-MISSING", at,
             "tensor " + t.key + " uses storage " + t.storage_key + ", which the storages member does not hold");
    } else {
      used_storages_.insert(t.storage_key);
      // The last element the tensor reaches must lie inside its storage (torch's set_ checks it).
      bool bad = t.storage_offset < 0;
      bool empty = false;
      std::uint64_t last = static_cast<std::uint64_t>(std::max<std::int64_t>(t.storage_offset, 0));
      for (std::size_t d = 0; d < t.sizes.size(); ++d) {
        if (t.sizes[d] < 0 || t.strides[d] < 0) bad = true;
        if (t.sizes[d] == 0) empty = true;
        std::uint64_t step = 0;
        if (t.sizes[d] > 0 && t.strides[d] > 0 &&
            (__builtin_mul_overflow(static_cast<std::uint64_t>(t.sizes[d] - 1), static_cast<std::uint64_t>(t.strides[d]), &step) ||
             __builtin_add_overflow(last, step, &last)))
          bad = true;
      }
      if (bad || (!empty && last >= st->second))
        add_in(r, "MG-TORCH-STORAGE-SIZE", at,
               "tensor " + t.key + " (offset " + std::to_string(t.storage_offset) +
                   ") reaches outside storage " + t.storage_key + " of " + std::to_string(st->second) + " elements");
    }
    tensor_keys_.insert(t.key);
    layout_.tensors.push_back(std::move(t));
  }
  tensors_walked_ = ok;
  if (ok) trailing(m, r, pos, "last tensor record");
  details_of(r.details.torch).tensors = layout_.tensors.size();
  report_.children.push_back(std::move(r));
}

// The state dict's tensors, placed in the file: the storages are raw bytes of the tar file.
void TorchTarReader::list_tensors() {
  if (!layout_.complete || !kept_pickle_) return;
  auto records = torch_tar_tensor_records(layout_);
  if (!records) return;
  std::map<std::string, std::uint64_t> offsets;
  for (const TorchTarStorage& st : layout_.storages) offsets.emplace(st.key, st.data_offset);
  ReconstructOptions base;
  base.persistent_tensors = &*records;
  list_state_dict_tensors(*kept_pickle_, {{}, &offsets}, ctx_.limits(), report_.model, base);
}

void TorchTarReader::read_pickle(const tar::Member& tm) {
  Artifact m = member_artifact(tm, "pickle");
  layout_.pickle_offset = tm.data_offset;
  layout_.pickle_size = tm.size;
  ArtifactReport r = member_report(m, "pickle");
  PickleMemberOptions o;
  o.persistent_load = true;
  o.keep_retained = &kept_pickle_.emplace();  // for the tensor list, and for a converter
  auto res = scan_pickle_member(m, ctx_, r, o);
  if (!res.complete) layout_.complete = false;
  std::set<std::string> referenced;
  if (res.graph)
    for (pickle::Value v : res.persistent_ids) {
      const auto& g = *res.graph;
      std::uint64_t off = 0;
      if (v.kind == pickle::Kind::persistent && v.has_node()) {
        const auto& n = g.node(static_cast<std::uint32_t>(v.u));
        off = n.offset;
        if (n.items.empty()) continue;
        v = n.items[0];
      }
      // A tuple id is a module class whose source torch compares; the machine judged its import.
      if (v.kind == pickle::Kind::tuple) continue;
      auto key = torch_tar_pid_key(g, v);
      if (!key) {
        add_in(r, "MG-TORCH-PERSISTENT-ID", off, "persistent id " + g.describe(v) + " is not a key legacy_load can look up");
        continue;
      }
      referenced.insert(*key);
      if (!storages_walked_ || !tensors_walked_) continue;
      if (!storage_numel_.count(*key) && !tensor_keys_.count(*key))
        add_in(r, "MG-TORCH-STORAGE-MISSING", off,
               "persistent id " + *key + " names no storage, view or tensor (torch.load raises KeyError)");
      else if (storage_numel_.count(*key))
        used_storages_.insert(*key);
    }
  for (const auto& s : layout_.storages)
    if (storages_walked_ && tensors_walked_ && !used_storages_.count(s.key))
      add_in(r, "MG-TORCH-STORAGE-EXTRA", std::nullopt, "storage " + s.key + " is used by no tensor, view or persistent id");
  details_of(r.details.torch).persistent_ids = referenced.size();
  report_.children.push_back(std::move(r));
}

}  // namespace

// When tarfile raises, torch.load seeks back to 0 and unpickles the file as a legacy checkpoint:
// a pickle in the first header's name field runs. Whatever the tar's state, a pickle at offset 0
// (complete, or broken after importing something) is analysed and reported.
bool report_pickle_at_tar_start(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  if (a.bytes.empty() || !pickle::op_name(a.bytes[0])) return false;
  ArtifactReport scratch;
  PickleMemberOptions o;
  o.persistent_load = true;
  auto r = analyse_pickle_stream(a, 0, ctx, scratch, o);
  if (!r.complete && r.imports.empty()) return false;
  report.add(make_finding(rule("MG-TORCH-TAR-POLYGLOT"), a.origin, 0,
                          std::string("the file also starts with a ") + (r.complete ? "complete" : "broken") +
                              " pickle; torch.load unpickles it when tarfile fails on the archive"));
  for (auto& f : scratch.findings)
    if (f.rule != "MG-PICKLE-MALFORMED") report.add(std::move(f));
  for (auto& c : scratch.children) report.children.push_back(std::move(c));
  add_pickle_names(scratch.parsed, ctx.limits().max_listed_pickle_names, report);
  return true;
}

std::optional<std::string> torch_tar_pid_key(const pickle::ValueGraph& g, const pickle::Value& v) {
  if (v.kind == pickle::Kind::integer) return std::to_string(v.i);
  if (v.kind != pickle::Kind::string) return std::nullopt;
  std::string_view s = g.text_of(v);
  // An int64 has at most 20 characters; a longer string is not read at all (the memo lets every
  // persistent id of a small pickle name one long string).
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return std::to_string(n);
}

bool looks_like_torch_tar(ByteView bytes, const Limits& limits) {
  if (bytes.size() < 512) return false;
  auto l = tar::read_headers(bytes, limits);
  for (auto name : kTorchMembers)
    if (tar::find_last(l, name)) return true;
  return false;
}

TorchTarLayout read_torch_tar(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  return TorchTarReader(a, ctx, report).run();
}

void scan_torch_tar(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  read_torch_tar(a, ctx, report);
}

}  // namespace modelgate
