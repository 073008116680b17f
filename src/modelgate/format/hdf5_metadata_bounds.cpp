// The layouts are the HDF5 file format specification's (superblock versions 0-3, object headers
// versions 1 and 2, local heaps, version 1 B-tree group nodes, symbol table nodes, version 2
// B-tree and fractal heap headers). Two ways in, because libhdf5 reaches metadata two ways:
// - a walk from the superblock over the groups the way libhdf5 opens them (symbol tables, link
//   messages, shared messages, continuation blocks), which finds version 1 object headers (they
//   have no signature);
// - every signature of a structure with one ("OHDR", "HEAP", "BTHD", "FRHP"), wherever it is:
//   libhdf5 loads a structure wherever an address points and only checks its signature.
// Addresses are relative to the superblock (libhdf5 takes the superblock's offset as the base
// address). A structure that lies past the end of the file is a defect: a whole file has none.
#include "format/hdf5_metadata_bounds.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>
#include <vector>

#include "identify/code_format_probes.h"

namespace modelgate {

namespace {

class Hdf5MetadataWalk {
 public:
  // Objects, messages, entries and signatures visited cost a few dozen bytes of bookkeeping each.
  // Real files need about one step per 8 bytes of metadata.
  Hdf5MetadataWalk(ByteView bytes, std::uint64_t base, unsigned offsets, unsigned lengths, unsigned leaf_k,
                   unsigned internal_k, std::uint64_t max_steps)
      : bytes_(bytes), base_(base), o_(offsets), l_(lengths), leaf_k_(leaf_k), internal_k_(internal_k),
        steps_left_(std::min<std::uint64_t>(bytes.size() / 8 + 4096, max_steps)) {}

  bool root_attributes_dense() const { return root_attributes_dense_; }

  // object_headers[0] is the root group's: its attributes are the ones the Keras reader reads.
  std::optional<std::string> run(std::uint64_t superblock_end, std::vector<std::uint64_t> object_headers) {
    if (!object_headers.empty()) root_at_ = absolute(object_headers[0]).value_or(UINT64_MAX);
    for (auto relative : object_headers) queue_object_header(relative, superblock_end);
    for (const char* signature : {"OHDR", "HEAP", "BTHD", "FRHP"}) {
      const auto* data = bytes_.data();
      for (std::size_t at = 0; at + 4 <= size() && !defect_;) {
        const void* hit = memmem(data + at, size() - at, signature, 4);
        if (hit == nullptr) break;
        const std::uint64_t found = static_cast<const std::uint8_t*>(hit) - data;
        at = found + 1;
        if (!step(found)) break;
        if (std::strcmp(signature, "OHDR") == 0) pending_.push_back({Kind::object_header, found, 0, 2, false});
        else if (std::strcmp(signature, "HEAP") == 0) check_local_heap(found, found);
        else if (std::strcmp(signature, "BTHD") == 0) check_btree2_header(found);
        else check_fractal_heap_header(found);
      }
    }
    while (!pending_.empty() && !defect_) {
      Pending next = pending_.back();
      pending_.pop_back();
      if (!step(next.at)) break;
      if (!visited_.insert(next.at * 8 + static_cast<unsigned>(next.kind)).second) continue;
      switch (next.kind) {
        case Kind::object_header: walk_object_header(next.at); break;
        case Kind::chunk: walk_continuation_block(next); break;
        case Kind::btree_node: walk_group_btree_node(next.at); break;
        case Kind::symbol_node: walk_symbol_node(next.at); break;
      }
    }
    return defect_;
  }

 private:
  enum class Kind : unsigned { object_header, chunk, btree_node, symbol_node };
  struct Pending {
    Kind kind;
    std::uint64_t at;    // absolute offset
    std::uint64_t size;  // chunks: the continuation's length
    unsigned version;    // chunks: the version of the object header they continue,
    bool creation_order;  // and whether its messages carry a creation order
    bool root = false;    // chunks: of the root group's object header
  };

  std::uint64_t size() const { return bytes_.size(); }
  bool inside(std::uint64_t at, std::uint64_t length) const { return at <= size() && length <= size() - at; }

  std::optional<std::uint64_t> le(std::uint64_t at, unsigned width) const {
    if (!inside(at, width)) return std::nullopt;
    std::uint64_t value = 0;
    for (unsigned i = std::min(width, 8u); i-- > 0;) value = value << 8 | bytes_[at + i];
    return value;
  }
  bool undefined(std::uint64_t address) const { return o_ >= 8 ? address == UINT64_MAX : address == (std::uint64_t{1} << (8 * o_)) - 1; }
  // The absolute offset of a file address; nullopt for the undefined address.
  std::optional<std::uint64_t> absolute(std::uint64_t address) const {
    if (undefined(address)) return std::nullopt;
    return address > UINT64_MAX - base_ ? UINT64_MAX : base_ + address;
  }
  bool has_signature(std::uint64_t at, const char* signature) const {
    return inside(at, 4) && std::memcmp(bytes_.data() + at, signature, 4) == 0;
  }

  bool fail(std::uint64_t offset, const std::string& why) {
    if (!defect_) defect_ = "offset " + std::to_string(offset) + ": " + why;
    return false;
  }
  bool step(std::uint64_t offset) {
    if (steps_left_ == 0)
      return fail(offset, "more HDF5 metadata than this check walks for a file of this size (max_hdf5_metadata_steps)");
    --steps_left_;
    return true;
  }
  // A block of `length` bytes at file address `address`, declared by the field at `field`.
  bool check_block(std::uint64_t field, const char* what, std::uint64_t address, std::uint64_t length) {
    auto at = absolute(address);
    if (at && inside(*at, length)) return true;
    return fail(field, std::string(what) + " declares " + std::to_string(length) + " bytes at address " +
                           std::to_string(address) + ", past the end of the file (" + std::to_string(size()) + " bytes)");
  }

  void queue_object_header(std::uint64_t address, std::uint64_t field) {
    auto at = absolute(address);
    if (!at) return;
    if (!inside(*at, 16)) {
      fail(field, "an object header at address " + std::to_string(address) + " lies past the end of the file");
      return;
    }
    pending_.push_back({Kind::object_header, *at, 0, 0, false});
  }

  void walk_object_header(std::uint64_t at) {
    in_root_ = at == root_at_;
    if (bytes_[at] == 1) {  // version 1: version, reserved, messages (2), references (4), size (4), padding
      auto length = le(at + 8, 4);
      if (!length || !inside(at + 16, *length)) {
        fail(at + 8, "an object header declares " + std::to_string(length.value_or(0)) +
                         " bytes of messages, past the end of the file (" + std::to_string(size()) + " bytes)");
        return;
      }
      walk_messages(at + 16, *length, 1, false);
      return;
    }
    if (!has_signature(at, "OHDR") || !inside(at, 6) || bytes_[at + 4] != 2) return;  // libhdf5 refuses it
    const std::uint8_t flags = bytes_[at + 5];
    std::uint64_t p = at + 6 + ((flags & 0x20) ? 16 : 0) + ((flags & 0x10) ? 4 : 0);
    const unsigned width = 1u << (flags & 3);
    auto length = le(p, width);
    p += width;
    if (!length || !inside(p, *length) || size() - p - *length < 4) {
      fail(p - width, "an object header declares " + std::to_string(length.value_or(0)) +
                          " bytes of messages, past the end of the file (" + std::to_string(size()) + " bytes)");
      return;
    }
    walk_messages(p, *length, 2, (flags & 0x04) != 0);
  }

  // A version 1 continuation block is messages; a version 2 one starts with "OCHK" and ends with
  // a checksum.
  void walk_continuation_block(const Pending& block) {
    in_root_ = block.root;
    if (block.version == 1) return walk_messages(block.at, block.size, 1, false);
    if (block.size < 8 || !has_signature(block.at, "OCHK")) return;  // libhdf5 refuses it
    walk_messages(block.at + 4, block.size - 8, 2, block.creation_order);
  }

  // The messages of one object header chunk, [at, at + length).
  void walk_messages(std::uint64_t at, std::uint64_t length, unsigned version, bool creation_order) {
    const std::uint64_t end = at + length;
    const unsigned header = version == 1 ? 8 : 4 + (creation_order ? 2 : 0);
    for (std::uint64_t p = at; end - p >= header && !defect_;) {
      if (!step(p)) return;
      const auto type = version == 1 ? *le(p, 2) : bytes_[p];
      const std::uint64_t message_size = *le(p + (version == 1 ? 2 : 1), 2);
      const std::uint8_t flags = bytes_[p + (version == 1 ? 4 : 3)];
      const std::uint64_t data = p + header;
      if (message_size > end - data) return;  // libhdf5 refuses the chunk
      // libhdf5 follows a continuation by its type, whatever its flags say (a fuzzed one flagged
      // as shared made it allocate a chunk of 0xc000000000000 bytes).
      if (type == 0x10) walk_continuation(data, message_size, version, creation_order);
      else if ((flags & 0x02) && type == 0x0C && in_root_)
        fail(p, "an attribute of the root group is a shared message, which this check does not follow");
      else if (flags & 0x02) walk_shared_message(data, message_size);
      else if (type == 0x0C) walk_attribute(data, message_size);
      else if (type == 0x15 && in_root_) walk_attribute_info(data, message_size);
      else if (type == 0x11) walk_symbol_table(data, message_size);
      else if (type == 0x06) walk_link(data, message_size);
      else if (type == 0x02) walk_dense_links(data, message_size);
      p = data + message_size;
    }
  }

  // Attribute message: version (1-3), flags, name, datatype and dataspace sizes (2 each), [name
  // encoding (v3)], the name, datatype and dataspace (each padded to 8 bytes in version 1), the data.
  // libhdf5 reads a variable-length value by allocating its declared length (4 bytes before the
  // global heap ID) times the element size before it looks at the heap object: a 13 KB file can
  // declare 4 GiB. Every such value must fit in the file.
  void walk_attribute(std::uint64_t data, std::uint64_t message_size) {
    const std::uint64_t end = data + message_size;
    auto malformed = [&](const std::string& why) { fail(data, "an attribute message " + why); };
    if (short_message(data, message_size, 8, "attribute")) return;
    const unsigned version = bytes_[data], flags = bytes_[data + 1];
    if (version < 1 || version > 3) return;  // libhdf5 refuses it
    if (flags & 0x03) {
      // A shared datatype or dataspace lives elsewhere: only the root's attributes are read.
      if (in_root_) malformed("of the root group has a shared datatype or dataspace, which this check does not follow");
      return;
    }
    auto pad = [&](std::uint64_t n) { return version == 1 ? (n + 7) / 8 * 8 : n; };
    const std::uint64_t p = data + 8 + (version == 3 ? 1 : 0);
    if (p > end) return malformed("ends before its name");
    const std::uint64_t name = pad(*le(data + 2, 2)), type_size = *le(data + 4, 2), space_size = *le(data + 6, 2);
    if (name > end - p) return malformed("declares a name longer than the message");
    const std::uint64_t type_at = p + name;
    if (pad(type_size) > end - type_at) return malformed("declares a datatype longer than the message");
    const std::uint64_t space_at = type_at + pad(type_size);
    if (pad(space_size) > end - space_at) return malformed("declares a dataspace longer than the message");
    const std::uint64_t values_at = space_at + pad(space_size);
    if (in_root_ && read_by_keras(p, *le(data + 2, 2)) && !is_string_type(type_at, type_size))
      return malformed("of the root group that the Keras reader reads is not a string: libhdf5 1.10 copies some "
                       "datatypes (an enumeration larger than its base type) past their buffers when it opens them");
    if (type_size < 8) return;  // libhdf5 refuses a datatype shorter than its header
    // Dataspace: version, rank, flags, then (version 1) 5 reserved bytes or (version 2) the type.
    if (space_size < 4) return malformed("has a dataspace without its header");
    const unsigned space_version = bytes_[space_at], rank = bytes_[space_at + 1];
    if (space_version == 2 && bytes_[space_at + 3] == 2) return;  // null dataspace: no values
    const std::uint64_t dims_at = space_at + (space_version == 1 ? 8 : 4);
    if (dims_at + std::uint64_t{rank} * l_ > space_at + space_size)
      return malformed("declares more dimensions than its dataspace holds");
    std::uint64_t count = 1;
    for (unsigned d = 0; d < rank; ++d) {
      const std::uint64_t extent = *le(dims_at + std::uint64_t{d} * l_, l_);
      count = extent != 0 && count > UINT64_MAX / extent ? UINT64_MAX : count * extent;
    }
    // libhdf5 1.10 copies count x element bytes from the message when it decodes it (H5Aexists
    // decodes every attribute of the object) without comparing them with the message's size.
    const bool variable = (bytes_[type_at] & 0x0f) == 9;
    const std::uint64_t element = variable ? 4 + o_ + 4 : *le(type_at + 4, 4);  // a vlen value: length, heap ID
    // libhdf5 1.10 keeps count x the declared size of each value, but reads a variable-length one
    // as a length and a heap ID: a smaller declared size makes it copy past what it kept.
    if (variable && *le(type_at + 4, 4) != element)
      return malformed("declares a variable-length datatype of " + std::to_string(*le(type_at + 4, 4)) +
                       " bytes, not the " + std::to_string(element) + " of a length and a global heap ID");
    if (element != 0 && count > (end - values_at) / element) return malformed("declares more values than the message holds");
    if (!variable) return;
    if (type_size < 16) return malformed("has a variable-length datatype without its base type");
    const std::uint64_t base_size = std::max<std::uint64_t>(*le(type_at + 12, 4), 1);
    for (std::uint64_t i = 0; i < count && !defect_; ++i) {
      const std::uint64_t at = values_at + i * element;
      if (!step(at)) return;
      const std::uint64_t length = *le(at, 4);
      if (length > size() / base_size)
        return (void)fail(at, "an attribute declares a variable-length value of " + std::to_string(length) + " elements of " +
                                  std::to_string(base_size) + " bytes, more than the file holds (" +
                                  std::to_string(size()) + " bytes): libhdf5 allocates it before reading");
      if (length == 0) continue;
      // libhdf5 1.10 indexes the collection's object table by the ID unchecked (only an assertion)
      // and copies the whole object into the buffer sized by the declared length.
      const std::uint64_t collection = *le(at + 4, o_), index = *le(at + 4 + o_, 4);
      auto object = global_heap_object(collection, index);
      if (!object)
        return (void)fail(at, "an attribute's variable-length value names object " + std::to_string(index) +
                                  " of the global heap collection at address " + std::to_string(collection) +
                                  ", which holds no such object");
      if (*object > length * base_size)
        return (void)fail(at, "an attribute's variable-length value declares " + std::to_string(length * base_size) +
                                  " bytes but its global heap object holds " + std::to_string(*object));
    }
  }

  // The root attributes keras/saving/legacy/hdf5_format.py reads (and so does scan_hdf5), whose
  // names are `length` bytes at `at` with their NUL.
  bool read_by_keras(std::uint64_t at, std::uint64_t length) const {
    for (std::string_view name : {"keras_version", "backend", "model_config", "training_config"})
      if (length == name.size() + 1 && std::memcmp(bytes_.data() + at, name.data(), name.size()) == 0 &&
          bytes_[at + name.size()] == 0)
        return true;
    return false;
  }

  // A datatype message of class 3 (a fixed-length string) or 9 with type 1 (a variable-length string).
  bool is_string_type(std::uint64_t at, std::uint64_t length) const {
    if (length < 8) return false;
    const unsigned type_class = bytes_[at] & 0x0f;
    return type_class == 3 || (type_class == 9 && (bytes_[at + 1] & 0x0f) == 1);
  }

  // The size of object `index` of the global heap collection at `address`: "GCOL", version,
  // reserved (3), collection size (length), then objects: index (2), references (2), reserved (4),
  // size (length), data padded to 8 bytes; index 0 is the free space that ends the list.
  std::optional<std::uint64_t> global_heap_object(std::uint64_t address, std::uint64_t index) {
    auto at = absolute(address);
    if (index == 0 || !at || !inside(*at, 8 + l_) || !has_signature(*at, "GCOL")) return std::nullopt;
    const std::uint64_t collection_size = *le(*at + 8, l_);
    if (collection_size < 8 + l_ || !inside(*at, collection_size)) return std::nullopt;
    const std::uint64_t end = *at + collection_size;
    for (std::uint64_t p = *at + 8 + l_; end - p >= 8 + l_ && step(p);) {
      const std::uint64_t id = *le(p, 2), object_size = *le(p + 8, l_);
      const std::uint64_t data = p + 8 + l_;
      if (id == 0 || object_size > end - data) return std::nullopt;
      if (id == index) return object_size;
      const std::uint64_t padded = (object_size + 7) / 8 * 8;
      if (padded > end - data) return std::nullopt;
      p = data + padded;
    }
    return std::nullopt;
  }

  // Attribute info message: version 0, flags, [maximum creation index (2)], the fractal heap and the
  // version 2 B-tree (type 8, attribute names) of densely stored attributes. Each record of the
  // B-tree's leaves starts with a heap ID (8 bytes) naming the heap object that holds one attribute
  // message, walked like a compact one. Where this walk cannot follow the root group's storage, the
  // reader is told and reads no variable-length value from it.
  void walk_attribute_info(std::uint64_t data, std::uint64_t message_size) {
    const bool root = in_root_;
    auto unchecked = [&] { root_attributes_dense_ = root_attributes_dense_ || root; };
    if (message_size < 2 || bytes_[data] != 0) return unchecked();
    const std::uint64_t heap_field = data + 2 + ((bytes_[data + 1] & 0x01) ? 2 : 0);
    if (message_size < heap_field - data + 2ull * o_) return unchecked();
    if (undefined(*le(heap_field, o_))) return;  // compact: the messages are in the object header
    auto heap = absolute(*le(heap_field, o_)), btree = absolute(*le(heap_field + o_, o_));
    if (!heap || !btree) return unchecked();
    auto dense = dense_heap(*heap, 8);
    if (!dense || !inside(*btree, 18 + o_) || !has_signature(*btree, "BTHD") || bytes_[*btree + 5] != 8)
      return unchecked();
    const std::uint64_t node_size = *le(*btree + 6, 4), record = *le(*btree + 10, 2), depth = *le(*btree + 12, 2);
    auto node = absolute(*le(*btree + 16, o_));
    if (!node || record != 17 || depth != 0 || !inside(*node, node_size) || !has_signature(*node, "BTLF"))
      return unchecked();
    const std::uint64_t records = *le(*btree + 16 + o_, 2), end = *node + node_size;
    for (std::uint64_t i = 0; i < records && !defect_; ++i) {
      const std::uint64_t id = *node + 6 + record * i;
      if (id + record > end || !step(id) || bytes_[id] != 0) return unchecked();
      const std::uint64_t offset = *le(id + 1, static_cast<unsigned>(std::min<std::uint64_t>(dense->offset_bytes, 6)));
      auto object = heap_object(*dense, offset);
      if (!object) return unchecked();
      walk_attribute(object->first, object->second);
    }
  }

  // libhdf5 1.10 decodes a message's fixed fields without comparing them with the message's declared
  // size: a continuation of size 0 is read from the bytes after it (a fuzzed file made libhdf5
  // allocate a chunk by a length read there). A message shorter than the fields libhdf5 reads is a
  // defect; libhdf5 never writes one.
  bool short_message(std::uint64_t data, std::uint64_t message_size, std::uint64_t needed, const char* what) {
    if (message_size >= needed) return false;
    fail(data, std::string("a ") + what + " message of " + std::to_string(message_size) + " bytes is shorter than the " +
                   std::to_string(needed) + " bytes of fields libhdf5 reads from it");
    return true;
  }

  void walk_continuation(std::uint64_t data, std::uint64_t message_size, unsigned version, bool creation_order) {
    if (short_message(data, message_size, o_ + l_, "continuation")) return;
    const std::uint64_t address = *le(data, o_), length = *le(data + o_, l_);
    if (!check_block(data, "an object header continuation", address, length)) return;
    pending_.push_back({Kind::chunk, *absolute(address), length, version, creation_order, in_root_});
  }

  // A shared message names the object header that holds the message (a committed datatype),
  // which libhdf5 opens to read it.
  void walk_shared_message(std::uint64_t data, std::uint64_t message_size) {
    if (short_message(data, message_size, 2, "shared")) return;
    const std::uint8_t version = bytes_[data], type = bytes_[data + 1];
    const std::uint64_t field = version == 1 ? data + 8 : data + 2;
    if ((version == 3 && type != 2) || version == 0 || version > 3) return;
    if (short_message(data, message_size, field - data + o_, "shared")) return;
    queue_object_header(*le(field, o_), field);
  }

  void walk_symbol_table(std::uint64_t data, std::uint64_t message_size) {
    if (short_message(data, message_size, 2ull * o_, "symbol table")) return;
    const std::uint64_t btree = *le(data, o_), heap = *le(data + o_, o_);
    if (auto at = absolute(heap)) check_local_heap(*at, data + o_);
    if (auto at = absolute(btree)) pending_.push_back({Kind::btree_node, *at, 0, 0, false});
  }

  // "HEAP", version 0, reserved (3), data segment size (length), free list head (length), data
  // segment address (offset). A data segment apart from its prefix is allocated by its size.
  void check_local_heap(std::uint64_t at, std::uint64_t field) {
    if (!inside(at, 8 + 2 * l_ + o_)) {
      if (at != field) fail(field, "a local heap lies past the end of the file");
      return;
    }
    if (!has_signature(at, "HEAP") || bytes_[at + 4] != 0) return;
    check_block(at + 8, "a local heap's data segment", *le(at + 8 + 2 * l_, o_), *le(at + 8, l_));
  }

  // A group's version 1 B-tree node: "TREE", type (0), level, entries used (2), siblings, then keys
  // (lengths) and children (addresses) alternating. libhdf5 sizes the node by the superblock's K.
  void walk_group_btree_node(std::uint64_t at) {
    const std::uint64_t node = 8 + 2ull * o_ + 2ull * internal_k_ * o_ + (2ull * internal_k_ + 1) * l_;
    if (!inside(at, node)) {
      fail(at, "a group B-tree node of " + std::to_string(node) + " bytes lies past the end of the file");
      return;
    }
    if (!has_signature(at, "TREE") || bytes_[at + 4] != 0) return;
    const unsigned level = bytes_[at + 5], entries = *le(at + 6, 2);
    if (entries > 2 * internal_k_) return;
    for (unsigned i = 0; i < entries; ++i) {
      const std::uint64_t field = at + 8 + 2 * o_ + l_ + i * std::uint64_t{o_ + l_};
      auto child = absolute(*le(field, o_));
      if (!child) continue;
      pending_.push_back({level > 0 ? Kind::btree_node : Kind::symbol_node, *child, 0, 0, false});
    }
  }

  // "SNOD", version 1, reserved, symbols (2), then symbol table entries (link name offset, object
  // header address, cache type, reserved, scratch).
  void walk_symbol_node(std::uint64_t at) {
    const std::uint64_t entry = 2ull * o_ + 24, node = 8 + 2ull * leaf_k_ * entry;
    if (!inside(at, node)) {
      fail(at, "a symbol table node of " + std::to_string(node) + " bytes lies past the end of the file");
      return;
    }
    if (!has_signature(at, "SNOD")) return;
    const unsigned symbols = *le(at + 6, 2);
    if (symbols > 2 * leaf_k_) return;
    for (unsigned i = 0; i < symbols && step(at); ++i) {
      const std::uint64_t field = at + 8 + i * entry + o_;
      queue_object_header(*le(field, o_), field);
    }
  }

  // Link message: version 1, flags, [type], [creation order (8)], [charset], name length (1, 2, 4
  // or 8 bytes by flags), name, then the target: a hard link's object header address, a soft
  // link's path or a user-defined link's data, each after a 2-byte length. libhdf5 1.10 decodes it
  // without checking the lengths against the message, allocates the name by its declared length,
  // and when a group's link message fails to decode it frees the unset entries of the table it was
  // filling (a wild free): every link message must decode.
  void walk_link(std::uint64_t data, std::uint64_t message_size) {
    const std::uint64_t end = data + message_size;
    auto malformed = [&](const char* why) { fail(data, std::string("a link message ") + why); };
    if (message_size < 3 || bytes_[data] != 1) return malformed("has an unknown version or no fields");
    const std::uint8_t flags = bytes_[data + 1];
    if (flags & ~0x1Fu) return malformed("has unknown flags");
    std::uint64_t p = data + 2;
    std::uint8_t type = 0;
    if (flags & 0x08) type = bytes_[p++];
    if (type > 1 && type < 64) return malformed("has an unknown link type");
    if (flags & 0x04) p += 8;
    if ((flags & 0x10) && (p >= end || bytes_[p++] > 1)) return malformed("has an unknown character set");
    const unsigned width = 1u << (flags & 3);
    if (p > end || end - p < width) return malformed("ends inside its name length");
    const std::uint64_t name = *le(p, width);
    p += width;
    if (name == 0 || name > end - p) return malformed("declares a name longer than the message");
    p += name;
    if (type == 0) {
      if (end - p < o_) return malformed("ends inside its object address");
      return queue_object_header(*le(p, o_), p);
    }
    if (end - p < 2) return malformed("ends inside its target length");
    const std::uint64_t target = *le(p, 2);
    if ((type == 1 && target == 0) || target > end - p - 2) return malformed("declares a target longer than the message");
  }

  // Link info message: version 0, flags, [maximum creation index (8)], the fractal heap that holds
  // the group's link messages and the version 2 B-tree that indexes them by name. Each record of
  // the B-tree's leaves names a heap object (a 7-byte heap ID) holding one link message. Walked:
  // B-trees of depth 0 and 1, unfiltered heaps, objects in the root block's direct rows; objects
  // elsewhere (deeper trees, nested indirect blocks, huge objects) are not, and neither are the
  // objects they link to, unless found by signature.
  void walk_dense_links(std::uint64_t data, std::uint64_t message_size) {
    if (short_message(data, message_size, 2, "link info") || bytes_[data] != 0) return;
    const std::uint64_t heap_field = data + 2 + ((bytes_[data + 1] & 1) ? 8 : 0);
    if (message_size < heap_field - data + 2ull * o_) return;
    auto heap = absolute(*le(heap_field, o_)), btree = absolute(*le(heap_field + o_, o_));
    if (!heap || !btree) return;
    auto dense = dense_heap(*heap);
    // "BTHD", version 0, type 5 (link names), node size, record size 11, depth, percents, root.
    if (!dense || !inside(*btree, 18 + o_) || !has_signature(*btree, "BTHD") || bytes_[*btree + 5] != 5) return;
    const std::uint64_t node_size = *le(*btree + 6, 4), record = *le(*btree + 10, 2), depth = *le(*btree + 12, 2);
    auto root = absolute(*le(*btree + 16, o_));
    if (!root || record != 11 || depth > 1 || node_size < 10) return;
    const std::uint64_t root_records = *le(*btree + 16 + o_, 2);
    if (depth == 0) return walk_link_leaf(*dense, *root, root_records, node_size);
    // An internal node: its records, then per child its address and its record count in as many
    // bytes as the largest count a leaf can hold needs.
    if (!inside(*root, node_size) || !has_signature(*root, "BTIN")) return;
    const std::uint64_t leaf_max = (node_size - 10) / record;
    unsigned count_width = 0;
    for (std::uint64_t v = leaf_max; v > 0; v >>= 8) ++count_width;
    walk_link_records(*dense, *root + 6, root_records, *root + node_size);
    for (std::uint64_t i = 0, p = *root + 6 + root_records * record; i <= root_records && step(p); ++i, p += o_ + count_width) {
      if (!inside(p, o_ + count_width)) return;
      auto child = absolute(*le(p, o_));
      if (child) walk_link_leaf(*dense, *child, *le(p + o_, count_width), node_size);
    }
  }

  struct DenseHeap {
    std::uint64_t root = 0, start = 0, width = 0, rows = 0, direct_rows = 0, offset_bytes = 0;
  };
  std::optional<DenseHeap> dense_heap(std::uint64_t at, std::uint64_t id_length = 7) {
    const std::uint64_t table = at + 14 + 10ull * l_ + 2ull * o_;
    const std::uint64_t root_field = table + 6 + 2 * l_;
    if (!inside(at, root_field + o_ + 2 - at) || !has_signature(at, "FRHP") || bytes_[at + 4] != 0) return std::nullopt;
    if (*le(at + 5, 2) != id_length || *le(at + 7, 2) != 0) return std::nullopt;  // no filters
    DenseHeap h;
    h.width = *le(table, 2);
    h.start = *le(table + 2, l_);
    const std::uint64_t max_direct = *le(table + 2 + l_, l_), heap_bits = *le(table + 2 + 2 * l_, 2);
    auto root = absolute(*le(root_field, o_));
    if (!root || h.start == 0 || max_direct < h.start || heap_bits == 0 || heap_bits > 64) return std::nullopt;
    h.root = *root;
    h.rows = *le(root_field + o_, 2);
    h.offset_bytes = (heap_bits + 7) / 8;
    h.direct_rows = 2;
    for (std::uint64_t size = h.start; size < max_direct; size *= 2) ++h.direct_rows;
    return h;
  }

  void walk_link_leaf(const DenseHeap& heap, std::uint64_t at, std::uint64_t records, std::uint64_t node_size) {
    if (!inside(at, node_size) || !has_signature(at, "BTLF")) return;
    walk_link_records(heap, at + 6, records, at + node_size);
  }

  // Records of 11 bytes: the name's hash (4), the heap ID (7): a flags byte (version 0, type 0 for
  // a managed object), the object's offset in the heap, its length.
  void walk_link_records(const DenseHeap& heap, std::uint64_t at, std::uint64_t records, std::uint64_t end) {
    for (std::uint64_t i = 0; i < records && at + 11 * (i + 1) <= end && step(at); ++i) {
      const std::uint64_t id = at + 11 * i + 4;
      if (bytes_[id] != 0) continue;
      const std::uint64_t offset = *le(id + 1, static_cast<unsigned>(std::min<std::uint64_t>(heap.offset_bytes, 6)));
      if (auto object = heap_object(heap, offset)) walk_link(object->first, object->second);
    }
  }

  // Where the heap's linear offset lies in the file, and how many bytes of its block follow.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> heap_object(const DenseHeap& heap, std::uint64_t offset) {
    std::uint64_t block = heap.root, block_offset = 0, block_size = heap.start;
    if (heap.rows > 0) {
      // Row 0 and row 1 hold blocks of the starting size, each next row blocks twice as large.
      std::uint64_t row = 0, row_start = 0;
      block_size = heap.start;
      while (row + 1 < std::min(heap.rows, heap.direct_rows) && offset - row_start >= heap.width * block_size) {
        row_start += heap.width * block_size;
        if (++row > 1) block_size *= 2;
      }
      if (offset - row_start >= heap.width * block_size) return std::nullopt;
      const std::uint64_t column = (offset - row_start) / block_size;
      const std::uint64_t entry = heap.root + 5 + o_ + heap.offset_bytes + (row * heap.width + column) * o_;
      if (!has_signature(heap.root, "FHIB") || !inside(entry, o_)) return std::nullopt;
      auto child = absolute(*le(entry, o_));
      if (!child) return std::nullopt;
      block = *child;
      block_offset = row_start + column * block_size;
    }
    if (offset < block_offset || offset - block_offset >= block_size || !has_signature(block, "FHDB")) return std::nullopt;
    const std::uint64_t object = block + (offset - block_offset);
    if (!inside(block, block_size)) return std::nullopt;
    return std::make_pair(object, block + block_size - object);
  }

  // "BTHD", version, type, node size (4), record size (2), depth (2), split and merge percents,
  // root node address. libhdf5 allocates a buffer of the node size as it reads the header.
  void check_btree2_header(std::uint64_t at) {
    if (!inside(at, 16 + o_) || bytes_[at + 4] != 0) return;
    const std::uint64_t node_size = *le(at + 6, 4), root = *le(at + 16, o_);
    if (node_size > size()) {
      fail(at + 6, "a version 2 B-tree declares nodes of " + std::to_string(node_size) +
                       " bytes, more than the file holds (" + std::to_string(size()) + " bytes)");
      return;
    }
    if (!undefined(root)) check_block(at + 16, "a version 2 B-tree's root node", root, node_size);
  }

  // "FRHP": the root block is a direct block of the starting block size (or of the size declared
  // for a filtered one) when the root indirect block has no rows, else an indirect block whose
  // rows hold direct blocks doubling in size from the starting size.
  void check_fractal_heap_header(std::uint64_t at) {
    const std::uint64_t table = at + 14 + 10ull * l_ + 2ull * o_;  // table width (2)
    const std::uint64_t start_field = table + 2, root_field = table + 6 + 2 * l_, rows_field = root_field + o_;
    if (!inside(at, rows_field + 2 + l_ - at) || bytes_[at + 4] != 0) return;
    const std::uint64_t filters = *le(at + 7, 2), width = *le(table, 2), start = *le(start_field, l_);
    const std::uint64_t max_direct = *le(start_field + l_, l_), root = *le(root_field, o_), rows = *le(rows_field, 2);
    if (start > size()) {
      fail(start_field, "a fractal heap declares a starting block size of " + std::to_string(start) +
                            " bytes, more than the file holds (" + std::to_string(size()) + " bytes)");
      return;
    }
    if (undefined(root)) return;
    if (rows == 0) {
      if (filters == 0) check_block(root_field, "a fractal heap's root direct block", root, start);
      else check_block(rows_field + 2, "a fractal heap's filtered root direct block", root, *le(rows_field + 2, l_));
      return;
    }
    // The root indirect block holds at least an address per entry of each row, and its last
    // direct row's blocks are start * 2^(row - 1) bytes.
    const std::uint64_t entries = rows * width;
    if (entries > size() / o_) {
      check_block(rows_field, "a fractal heap's root indirect block", root, entries * o_);
      return;
    }
    std::uint64_t largest = start;
    for (std::uint64_t row = 2; row < rows && largest <= max_direct / 2 && largest <= size(); ++row) largest *= 2;
    if (largest > size())
      fail(rows_field, "a fractal heap's rows declare direct blocks of " + std::to_string(largest) +
                           " bytes, more than the file holds (" + std::to_string(size()) + " bytes)");
  }

  ByteView bytes_;
  std::uint64_t base_;
  unsigned o_, l_, leaf_k_, internal_k_;
  std::uint64_t steps_left_;
  std::vector<Pending> pending_;
  std::unordered_set<std::uint64_t> visited_;
  std::optional<std::string> defect_;
  std::uint64_t root_at_ = UINT64_MAX;
  bool in_root_ = false;  // the messages being walked are the root group's
  bool root_attributes_dense_ = false;
};

}  // namespace

std::optional<std::string> hdf5_metadata_defect(ByteView bytes, std::uint64_t max_steps, bool* root_attributes_dense) {
  auto base = hdf5_superblock_offset(bytes);
  if (!base || bytes.size() - *base < 16) return std::nullopt;
  const std::uint8_t* sb = bytes.data() + *base;
  const unsigned version = sb[8];
  const bool early = version <= 1;
  const unsigned offsets = early ? sb[13] : sb[9], lengths = early ? sb[14] : sb[10];
  auto valid = [](unsigned width) { return width == 2 || width == 4 || width == 8; };
  if (version > 3 || !valid(offsets) || !valid(lengths)) return std::nullopt;  // libhdf5 refuses it
  // Versions 0 and 1: the K values, then base, free-space, end-of-file and driver addresses and the
  // root group's symbol table entry (its object header address after the link name offset).
  // Versions 2 and 3: base, superblock extension, end-of-file and root object header addresses.
  const std::uint64_t fixed = version == 0 ? 24 : version == 1 ? 28 : 12;
  const std::uint64_t root_field = early ? fixed + 5ull * offsets : fixed + 3ull * offsets;
  if (bytes.size() - *base < root_field + offsets) return std::nullopt;
  auto address = [&](std::uint64_t at) {
    std::uint64_t value = 0;
    for (unsigned i = offsets; i-- > 0;) value = value << 8 | sb[at + i];
    return value;
  };
  const unsigned leaf_k = early ? sb[16] | sb[17] << 8 : 4, internal_k = early ? sb[18] | sb[19] << 8 : 16;
  std::vector<std::uint64_t> roots = {address(root_field)};
  if (!early) roots.push_back(address(fixed + offsets));  // the superblock extension
  Hdf5MetadataWalk walk(bytes, *base, offsets, lengths, leaf_k, internal_k, max_steps);
  auto defect = walk.run(*base + root_field, roots);
  if (root_attributes_dense) *root_attributes_dense = walk.root_attributes_dense();
  return defect;
}

}  // namespace modelgate
