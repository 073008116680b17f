#include "convert/checkpoint_source.h"


#include "container/torch_storage.h"
#include "container/torch_tar.h"
#include "container/torch_tar_tensors.h"

namespace modelgate::convert {

namespace {

Expected<const pickle::StreamResult*> complete(const pickle::StreamResult& r, const char* what) {
  if (!r.complete) {
    std::string why = r.error ? r.error->reason : "no STOP";
    return parse_error(r.error ? r.error->offset : r.end, std::string("the ") + what + " pickle cannot be read: " + why);
  }
  // A stream the scan ran without retaining its containers has nothing to rebuild a state dict from.
  if (!r.retained_data || !r.graph) return parse_error(r.start, std::string("the scan kept no data of the ") + what + " pickle");
  return &r;
}

// The kept stream was run over `bytes` (the record torch.load unpickles), not over other bytes.
bool runs_over(const pickle::StreamResult& r, ByteView bytes) {
  return r.graph && r.graph->input().data() == bytes.data() && r.graph->input().size() == bytes.size();
}

// The zip reading's data pickle was run over the record `pkl`: a view of the file where it is stored,
// or the inflated bytes the reading holds.
bool is_record(const TorchZipReading& read, const zip::Member& pkl, ByteView file) {
  if (!read.data.graph) return false;
  ByteView in = read.data.graph->input();
  if (read.data_owner && runs_over(read.data, read.data_owner->bytes())) return true;
  return pkl.data_offset <= file.size() && in.data() == file.data() + pkl.data_offset &&
         in.size() <= file.size() - pkl.data_offset;
}

const pickle::Node* node_of(const pickle::ValueGraph& g, const pickle::Value& v) {
  return v.has_node() ? &g.node(static_cast<std::uint32_t>(v.u)) : nullptr;
}

Expected<CheckpointSource> not_read(const char* layout) {
  return parse_error(0, std::string("the scan kept no ") + layout + " reading of this checkpoint, which torch.load reads as one");
}

}  // namespace

Expected<CheckpointSource> CheckpointSource::from_reading(ByteView file, const CheckpointReadingSlot& read,
                                                          const Limits& limits) {
  if (read.ambiguous()) return parse_error(0, "the scan read this checkpoint twice the same way; neither reading is used");
  if (!read.all_of(file)) return parse_error(0, "the scan's reading of this checkpoint is of other bytes");
  if (zip::looks_like_zip(file)) return read.zip() ? from_zip(file, *read.zip(), limits) : not_read("zip");
  // The scan reads a file as a tar checkpoint exactly when looks_like_torch_tar() holds.
  if (read.tar()) return from_tar(file, *read.tar(), limits);
  if (looks_like_torch_tar(file, limits)) return not_read("tar");
  return read.legacy() ? from_legacy(file, *read.legacy()) : not_read("legacy");
}

Expected<CheckpointSource> CheckpointSource::from_zip(ByteView file, const TorchZipReading& read, const Limits& limits) {
  if (!read.archive) return not_read("zip");
  CheckpointSource s;
  s.file_ = file;
  s.limits_ = &limits;
  s.budget_ = std::make_shared<UnpackBudget>(limits);
  s.layout_ = "pytorch-zip";
  s.archive_ = read.archive;
  const auto& members = s.archive_->members;
  if (members.empty()) return parse_error(0, "the archive is empty");
  auto slash = members[0].name.find('/');
  if (slash == std::string::npos) return parse_error(0, "the first member is not in a folder; torch.load refuses this archive");
  s.prefix_ = members[0].name.substr(0, slash);
  if (s.archive_->find_as_miniz(s.prefix_ + "/constants.pkl"))
    return parse_error(0, "a TorchScript archive is code, not a checkpoint; it is not converted");
  const zip::Member* pkl = s.archive_->find_as_miniz(s.prefix_ + "/data.pkl");
  if (pkl == nullptr) return parse_error(0, "no '" + s.prefix_ + "/data.pkl' in the archive");
  if (read.data_member != pkl->index)
    return parse_error(pkl->local_header_offset, "the scan did not read '" + pkl->name + "', the record torch.load unpickles");
  if (!is_record(read, *pkl, file))
    return parse_error(pkl->local_header_offset, "the scan's data pickle is not the bytes of '" + pkl->name + "'");
  auto r = complete(read.data, "data");
  if (!r) return r.error();
  s.data_ = *r;
  if (const zip::Member* bo = s.archive_->find_as_miniz(s.prefix_ + "/byteorder")) {
    std::vector<Finding> ignored;
    auto b = zip::open_member(file, *bo, "checkpoint", limits, s.budget_, ignored);
    if (!b) return parse_error(bo->local_header_offset, "byteorder: " + b.error().reason);
    std::string_view order = as_chars(b->bytes);
    // torch before 2.1 has no notion of the record and reads every storage as little-endian;
    // 2.1 and later swap a "big" one: the file's tensors depend on the torch that loads it.
    if (order == "big")
      return parse_error(bo->local_header_offset,
                         "the byteorder record says 'big': torch before 2.1 reads the storages as little-endian and "
                         "later versions swap them, so the tensors depend on the torch version; not converted");
    if (order != "little")
      return parse_error(bo->local_header_offset, "the byteorder record is neither 'little' nor 'big'");
  }
  return s;
}

// legacy_load fills one dict, deserialized_objects, with the storages, then the storage views, then
// the tensors, each record looking up the ones before it; the `pickle` member's persistent ids look
// up the result. A key written twice makes that order matter, so it is refused here (the scan
// already refuses a storage written twice).
Expected<CheckpointSource> CheckpointSource::from_tar(ByteView file, const TorchTarReading& read, const Limits& limits) {
  const TorchTarLayout& layout = read.layout;
  if (!layout.complete) return parse_error(0, "the tar checkpoint cannot be read: it was not read completely");
  if (!read.data || layout.pickle_offset > file.size() || layout.pickle_size > file.size() - layout.pickle_offset ||
      !runs_over(*read.data, file.subspan(layout.pickle_offset, layout.pickle_size)))
    return parse_error(layout.pickle_offset, "the scan did not read the `pickle` member torch.load unpickles");
  CheckpointSource s;
  s.file_ = file;
  s.limits_ = &limits;
  s.layout_ = "pytorch-legacy-tar";
  auto r = complete(*read.data, "`pickle` member's");
  if (!r) return parse_error(layout.pickle_offset + r.error().offset, r.error().reason);
  s.data_ = *r;

  auto records = torch_tar_tensor_records(layout);
  if (!records) return records.error();
  s.tar_tensors_ = std::move(*records);
  for (const TorchTarStorage& st : layout.storages)  // keys are unique: torch_tar_tensor_records checked
    s.raw_storages_[st.key] = {st.data_offset, st.numel * st.element_size};  // the reader bounded it by the member
  return s;
}

Expected<CheckpointSource> CheckpointSource::from_legacy(ByteView file, const TorchLegacyReading& read) {
  static const char* const names[] = {"magic number", "protocol version", "system info", "data", "storage keys"};
  CheckpointSource s;
  s.file_ = file;
  s.layout_ = "pytorch-legacy";
  const pickle::StreamResult* streams[5];
  std::size_t pos = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    if (i >= read.streams.size() || read.streams[i].start != pos || !runs_over(read.streams[i], file))
      return parse_error(pos, std::string("the scan did not read the ") + names[i] + " pickle");
    auto r = complete(read.streams[i], names[i]);
    if (!r) return r.error();
    streams[i] = *r;
    pos = streams[i]->end;
  }
  if (streams[0]->root.kind != pickle::Kind::big_integer)
    return parse_error(0, "not a torch checkpoint: the first pickle is not torch's magic number");
  if (streams[1]->root.kind != pickle::Kind::integer || streams[1]->root.i != 1001)
    return parse_error(streams[1]->start, "protocol version is not 1001");
  // sys_info: {'protocol_version': 1001, 'little_endian': bool, 'type_sizes': {...}}
  const auto& sg = *streams[2]->graph;
  if (const auto* info = node_of(sg, streams[2]->root); info && streams[2]->root.kind == pickle::Kind::dict) {
    for (std::size_t i = 0; i + 1 < info->items.size(); i += 2)
      if (info->items[i].kind == pickle::Kind::string && sg.text_of(info->items[i]) == "little_endian" &&
          info->items[i + 1].kind == pickle::Kind::boolean && info->items[i + 1].i == 0)
        return parse_error(streams[2]->start, "big-endian legacy checkpoints are not supported for conversion");
  }
  s.data_ = streams[3];
  // The element size of each storage comes from its first persistent id, as in torch's loader.
  std::map<std::string, std::uint64_t> element_size;
  for (const auto& pid : s.data_->persistent_ids) {
    auto ref = decode_storage_ref(*s.data_->graph, pid);
    if (!ref) return parse_error(s.data_->start, ref.error().reason);
    if (ref->element_size == 0) return parse_error(ref->offset, "storage '" + ref->key + "' has unknown type " + ref->type);
    element_size.emplace(ref->key, ref->element_size);
  }
  const auto& kg = *streams[4]->graph;
  const auto* keys = node_of(kg, streams[4]->root);
  if (streams[4]->root.kind != pickle::Kind::list || (keys == nullptr && streams[4]->root.len != 0))
    return parse_error(streams[4]->start, "the storage keys pickle is not a list");
  if (keys != nullptr) {
    for (const auto& k : keys->items) {
      if (k.kind != pickle::Kind::string) return parse_error(streams[4]->start, "a storage key is not a string");
      std::string key(kg.text_of(k));
      auto es = element_size.find(key);
      if (es == element_size.end()) return parse_error(pos, "storage key '" + key + "' is not referenced by the data pickle");
      if (file.size() - pos < 8) return parse_error(pos, "storage '" + key + "' is truncated");
      std::uint64_t numel = 0;
      for (int b = 7; b >= 0; --b) numel = (numel << 8) | file[pos + b];
      pos += 8;
      if (numel > UINT64_MAX / es->second || numel * es->second > file.size() - pos)
        return parse_error(pos, "storage '" + key + "' runs past the end of the file");
      if (!s.raw_storages_.emplace(key, std::make_pair(pos, numel * es->second)).second)
        return parse_error(pos, "storage key '" + key + "' is listed twice");
      pos += numel * es->second;
    }
  }
  return s;
}

Expected<StorageBytes> CheckpointSource::storage(const std::string& key, std::uint64_t nbytes) const {
  StorageBytes out;
  if (archive_) {
    std::string name = prefix_ + "/data/" + key;
    const zip::Member* m = archive_->find_as_miniz(name);
    if (m == nullptr) return parse_error(0, "storage '" + key + "' has no record '" + name + "'");
    if (m->method == 0 && !m->encrypted()) {
      if (m->data_offset > file_.size() || m->uncompressed_size > file_.size() - m->data_offset ||
          m->compressed_size != m->uncompressed_size)
        return parse_error(m->local_header_offset, "record '" + name + "' is not inside the file");
      out.bytes = file_.subspan(m->data_offset, m->uncompressed_size);
      out.file_offset = m->data_offset;
    } else {
      std::vector<Finding> ignored;
      auto b = zip::open_member(file_, *m, "checkpoint", *limits_, budget_, ignored);
      if (!b) return parse_error(b.error().offset, "record '" + name + "': " + b.error().reason);
      out.bytes = b->bytes;
      out.owner = b->owner;
      if (!out.owner) out.file_offset = static_cast<std::uint64_t>(b->bytes.data() - file_.data());
    }
  } else {
    auto it = raw_storages_.find(key);
    if (it == raw_storages_.end()) return parse_error(0, "storage '" + key + "' is not in the checkpoint's storages");
    out.bytes = file_.subspan(it->second.first, it->second.second);
    out.file_offset = it->second.first;
  }
  if (out.bytes.size() < nbytes)
    return parse_error(out.file_offset.value_or(0), "storage '" + key + "' holds " + std::to_string(out.bytes.size()) +
                                                        " bytes, its persistent id needs " + std::to_string(nbytes));
  return out;
}

}  // namespace modelgate::convert
