#include "container/pytorch_zip.h"

#include "container/tensor_archive_code.h"

#include <cctype>
#include <map>
#include <set>

#include "container/checkpoint_reading.h"
#include "container/checkpoint_tensor_facts.h"
#include "container/pickle_member.h"
#include "container/torch_storage.h"
#include "core/rule_catalog.h"
#include "identify/identify.h"

namespace modelgate {

namespace {

std::string top_folder(std::string_view name) {
  auto slash = name.find('/');
  return slash == std::string_view::npos ? std::string() : std::string(name.substr(0, slash));
}

// The record a name stands for in torch's reader (the part after "<prefix>/"), or nullopt.
std::optional<std::string_view> record_of(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() + 1 || name.substr(0, prefix.size()) != prefix ||
      name[prefix.size()] != '/')
    return std::nullopt;
  return name.substr(prefix.size() + 1);
}

// The storage records are tensor bytes, never parsed, but members all the same: when the run
// hashes contents (the bill of materials lists and hashes every member), each is opened (its CRC
// checked) and becomes a child. A plain scan does not read them.
void add_storage_records(const Artifact& a, const zip::Archive& ar, const std::map<std::string, StorageRef>& referenced,
                         NestedScan& ctx, ArtifactReport& report) {
  if (!ctx.hashes_contents()) return;
  for (const auto& m : ar.members) {
    if (!referenced.count(m.name)) continue;
    auto child = open_zip_member(a, m, ctx, report);
    if (!child) continue;
    ArtifactReport storage;
    storage.format = "pytorch-storage";
    storage.origin = child->origin;
    storage.size = child->bytes.size();
    ctx.hash_content(*child, storage);
    report.children.push_back(std::move(storage));
  }
}

}  // namespace

bool is_torch_zip(const zip::Archive& ar) {
  for (const auto& m : ar.members) {
    auto slash = m.name.find('/');
    if (slash == std::string::npos) continue;
    std::string_view rest = std::string_view(m.name).substr(slash + 1);
    if (rest == "data.pkl" || rest == "constants.pkl") return true;
  }
  return false;
}

void scan_torch_zip(const Artifact& a, std::shared_ptr<const zip::Archive> archive, NestedScan& ctx,
                    ArtifactReport& report) {
  const zip::Archive& ar = *archive;
  TorchZipReading kept;
  auto add = [&](RuleId id, std::optional<std::uint64_t> off, std::string msg, std::string ev = {}) {
    report.add(make_finding(rule(id), a.origin, off, std::move(msg), std::move(ev)));
  };
  // torch's reader takes the folder of the first directory entry as the archive name and looks
  // every record up under it; a member outside that folder makes torch.load fail.
  const std::string prefix = ar.members.empty() ? std::string() : top_folder(ar.members[0].name);
  details_of(report.details.torch).archive_name = prefix;
  if (prefix.empty()) {
    add("MG-TORCH-LAYOUT", std::nullopt,
        "the first member is not in a folder; torch.load refuses this archive, but it holds torch records");
  }
  std::set<std::string> records;
  for (const auto& m : ar.members) {
    auto rec = record_of(m.name, prefix);
    if (!rec) {
      add("MG-TORCH-LAYOUT", m.local_header_offset,
          "member '" + m.name + "' is outside the archive folder '" + prefix +
              "' that torch reads (torch.load fails on it; other readers may not)");
      continue;
    }
    records.insert(std::string(*rec));
  }
  const bool torchscript = records.count("constants.pkl") > 0;
  report.format = torchscript ? "torchscript" : "pytorch-zip";

  // torch.jit.load's C++ unpickler imports nothing from Python: `__torch__.` names resolve to the
  // classes compiled from code/ in this archive, and torch.jit._pickle helpers are built in.
  std::vector<std::string> script_globals;
  if (torchscript) {
    script_globals = {"torch.jit._pickle.build_intlist", "torch.jit._pickle.build_tensorlist",
                      "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist",
                      "torch.jit._pickle.build_complexlist", "torch.jit._pickle.restore_type_tag"};
    for (const auto& m : ar.members) {
      auto rec = record_of(m.name, prefix);
      if (!rec || rec->substr(0, 5) != "code/" || rec->size() < 8 || rec->substr(rec->size() - 3) != ".py")
        continue;
      std::string module(rec->substr(5, rec->size() - 8));
      for (auto& c : module)
        if (c == '/') c = '.';
      auto text = zip::peek_member(a.bytes, m, 1u << 20);
      std::string_view t(reinterpret_cast<const char*>(text.data()), text.size());
      for (std::size_t pos = 0; pos < t.size();) {
        std::size_t eol = t.find('\n', pos);
        if (eol == std::string_view::npos) eol = t.size();
        std::string_view line = t.substr(pos, eol - pos);
        if (line.substr(0, 6) == "class ") {
          std::size_t end = 6;
          while (end < line.size() && (std::isalnum(static_cast<unsigned char>(line[end])) || line[end] == '_')) ++end;
          if (end > 6) script_globals.push_back(module + "." + std::string(line.substr(6, end - 6)));
        }
        pos = eol + 1;
      }
    }
  }

  // Pickles torch.load would unpickle, and the storage folder each one's persistent ids refer to.
  struct Pkl {
    const zip::Member* member;
    std::string storage_dir;
  };
  std::vector<Pkl> loaded;
  auto add_loaded = [&](const std::string& rec, std::string dir) {
    if (const zip::Member* m = ar.find_as_miniz(prefix + "/" + rec)) loaded.push_back({m, std::move(dir)});
  };
  add_loaded("data.pkl", "data/");
  if (torchscript) add_loaded("constants.pkl", "constants/");
  if (loaded.empty() || (!torchscript && loaded[0].member->name != prefix + "/data.pkl"))
    add("MG-TORCH-LAYOUT", std::nullopt, "torch.load finds no '" + prefix + "/data.pkl' in this archive");

  std::set<std::size_t> handled;
  std::map<std::string, StorageRef> referenced;  // member name -> reference
  for (const auto& p : loaded) {
    auto child = open_zip_member(a, *p.member, ctx, report);
    handled.insert(p.member->index);
    if (!child) continue;
    ArtifactReport cr;
    cr.origin = child->origin;
    cr.size = child->bytes.size();
    ctx.hash_content(*child, cr);
    PickleMemberOptions o;
    o.persistent_load = true;
    o.loader_globals = script_globals;
    // The data pickle runs with its values kept, for the tensor list and for a converter.
    const bool data_pickle = &p == &loaded.front() && p.storage_dir == "data/";
    const bool keep_for_converter = data_pickle && a.checkpoint_reading;
    pickle::StreamResult retained;
    if (keep_for_converter || (data_pickle && !torchscript)) o.keep_retained = &retained;
    auto r = scan_pickle_member(*child, ctx, cr, o);
    if (data_pickle && !torchscript) list_state_dict_tensors(retained, {prefix + "/data/"}, ctx.limits(), cr.model);
    if (keep_for_converter) {
      kept.data = std::move(retained);
      kept.data_member = p.member->index;
      kept.data_owner = child->owner;
    }
    std::vector<std::string> malformed;
    auto refs = storage_refs(r, malformed);
    for (const auto& why : malformed)
      cr.add(make_finding(rule("MG-TORCH-PERSISTENT-ID"), cr.origin, std::nullopt, why));
    for (auto& s : refs) {
      std::string name = prefix + "/" + p.storage_dir + s.key;
      const zip::Member* sm = ar.find_as_miniz(name);
      if (sm == nullptr && p.storage_dir != "data/") sm = ar.find_as_miniz(prefix + "/data/" + s.key);
      if (sm == nullptr) {
        cr.add(make_finding(rule("MG-TORCH-STORAGE-MISSING"), cr.origin, s.offset,
                            "storage '" + s.key + "' (" + s.type + ", " + std::to_string(s.numel) +
                                " elements) has no record '" + name + "'"));
        continue;
      }
      handled.insert(sm->index);
      if (s.element_size == 0) {
        cr.add(make_finding(rule("MG-TORCH-PERSISTENT-ID"), cr.origin, s.offset,
                            "storage '" + s.key + "' has an unknown storage type " + s.type));
        continue;
      }
      if (s.numel > UINT64_MAX / s.element_size ||
          s.numel * s.element_size > sm->uncompressed_size) {
        cr.add(make_finding(rule("MG-TORCH-STORAGE-SIZE"), cr.origin, s.offset,
                            "storage '" + s.key + "' needs " + std::to_string(s.numel) + " x " +
                                std::to_string(s.element_size) + " bytes but its record holds " +
                                std::to_string(sm->uncompressed_size)));
      } else if (s.numel * s.element_size < sm->uncompressed_size &&
                 referenced.find(sm->name) == referenced.end()) {
        cr.add(make_finding(rule("MG-TORCH-STORAGE-EXTRA"), cr.origin, s.offset,
                            "record '" + sm->name + "' holds " +
                                std::to_string(sm->uncompressed_size - s.numel * s.element_size) +
                                " bytes more than storage '" + s.key + "' uses"));
      }
      // The pickle is the model (the archive is its container): the storages it loads are its tensors.
      if (referenced.emplace(sm->name, s).second) add_storage_facts(s.type, s.numel, cr.model);
    }
    details_of(cr.details.torch).storages = refs.size();
    report.children.push_back(std::move(cr));
  }
  details_of(report.details.torch).storages = referenced.size();
  add_storage_records(a, ar, referenced, ctx, report);

  std::vector<std::string> code;
  for (const auto& m : ar.members) {
    auto rec = record_of(m.name, prefix);
    if (rec && rec->substr(0, 5) == "code/" && !m.is_directory()) code.push_back(std::string(*rec));
    if (rec && rec->substr(0, 5) == "data/" && !m.is_directory() && referenced.count(m.name) == 0)
      add("MG-TORCH-STORAGE-EXTRA", m.local_header_offset,
          "record '" + m.name + "' is under data/ but no persistent id refers to it");
  }
  if (torchscript) {
    details_of(report.details.torch).torchscript_code = code;
    // A libtorch OutputArchive (tch-rs VarStore::save): its one code file only declares tensors.
    const zip::Member* declarations = nullptr;
    bool only_declarations = true;
    for (const auto& m : ar.members) {
      auto rec = record_of(m.name, prefix);
      // The lite interpreter (torch.jit.mobile) never reads code/: it runs the methods in bytecode.pkl.
      if (rec && (*rec == "bytecode.pkl" || rec->substr(0, 9) == "bytecode/")) only_declarations = false;
      if (!rec || rec->substr(0, 5) != "code/" || m.is_directory() || *rec == "code/__torch__.py.debug_pkl") continue;
      if (*rec != "code/__torch__.py" || declarations != nullptr || m.uncompressed_size > (1u << 20)) {
        only_declarations = false;
        continue;
      }
      auto text = zip::peek_member(a.bytes, m, 1u << 20);
      std::string_view t(reinterpret_cast<const char*>(text.data()), text.size());
      if (text.size() == m.uncompressed_size && is_tensor_declarations_code(t)) declarations = &m;
      else only_declarations = false;
    }
    if (only_declarations && declarations != nullptr) {
      handled.insert(declarations->index);
      add("MG-TORCH-TENSOR-ARCHIVE", std::nullopt,
          "TorchScript archive of named tensors (libtorch OutputArchive, as tch-rs VarStore::save writes "
          "rust_model.ot): its only code declares tensor attributes and defines no method");
    } else {
      add("MG-TORCH-TORCHSCRIPT", std::nullopt,
          "TorchScript archive with " + std::to_string(code.size()) +
              " code files; torch.load hands it to torch.jit.load, which runs that code");
    }
  }

  // Every other member is read by content: a pickle under any name is analysed the way torch's
  // unpickler would read it (with persistent_load), everything else goes through identify.
  for (const auto& m : ar.members) {
    if (m.is_directory() || m.is_symlink() || handled.count(m.index)) continue;
    auto child = open_zip_member(a, m, ctx, report);
    if (!child) continue;
    if (identify(child->bytes) == Format::pickle) {
      ArtifactReport cr;
      cr.origin = child->origin;
      cr.size = child->bytes.size();
      ctx.hash_content(*child, cr);
      PickleMemberOptions o;
      o.persistent_load = true;
      o.loader_globals = script_globals;
      scan_pickle_member(*child, ctx, cr, o);
      report.children.push_back(std::move(cr));
    } else {
      report.children.push_back(ctx.scan(*child));
    }
  }
  if (a.checkpoint_reading) {
    kept.archive = std::move(archive);
    a.checkpoint_reading->keep(a.bytes, std::move(kept));
  }
}

}  // namespace modelgate
