#include "container/state_dict_reconstruction.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>

#include "container/torch_storage.h"
#include "container/torch_tar.h"
#include "container/python_repr.h"
#include "container/tensor_dtype.h"

#include "pickle/text_operands.h"
#include "core/utf8.h"

namespace modelgate {

namespace {

using pickle::Kind;
using pickle::Node;
using pickle::Value;
using pickle::ValueList;

class Reconstructor {
 public:
  Reconstructor(const pickle::StreamResult& r, const ReconstructOptions& o) : r_(r), g_(*r.graph), o_(o) {}

  Expected<StateDict> run() {
    Value root = r_.root;
    std::string where = "the checkpoint's root";
    if (!o_.key.empty()) {
      auto sel = select(root, o_.key);
      if (!sel) return sel.error();
      root = *sel;
      where = "--key '" + o_.key + "'";
    }
    auto items = mapping_items(root);
    if (!items) return parse_error(offset_of(root), where + " is " + g_.describe(root, 80) + ", not a state dict");
    walk_mapping(*items, "", 0);
    if (error_) return *error_;
    if (out_.tensors.empty()) return parse_error(offset_of(root), where + " holds no tensors");
    return std::move(out_);
  }

 private:
  struct Items {
    const ValueList* v;
    std::size_t begin;
  };
  const Node* node(const Value& v) const { return v.has_node() ? &g_.node(static_cast<std::uint32_t>(v.u)) : nullptr; }
  std::uint64_t offset_of(const Value& v) const {
    const Node* n = node(v);
    return n ? n->offset : 0;
  }
  std::string global_name(const Value& v) const {
    const Node* n = node(v);
    if (!n || n->kind != Kind::global) return {};
    return n->module() + "." + n->name();
  }

  // The key/value pairs of a dict or OrderedDict (contents after the call's fixed slots).
  std::optional<Items> mapping_items(const Value& v) const {
    const Node* n = node(v);
    if (v.kind == Kind::dict) {
      if (!n) return v.len == 0 ? std::optional<Items>(Items{&empty_, 0}) : std::nullopt;
      return Items{&n->items, 0};
    }
    if (v.kind != Kind::call || !n || n->items.size() < 2) return std::nullopt;
    std::string callable = global_name(n->items[0]);
    if (callable != "collections.OrderedDict") return std::nullopt;
    const Node* args = node(n->items[1]);
    if (n->items[1].kind != Kind::tuple || (args && !args->items.empty()) || (!args && n->items[1].len != 0))
      return std::nullopt;
    if (n->items.size() <= 4) return Items{&empty_, 0};
    return Items{&n->items, 4};
  }

  std::optional<std::string> key_text(const Value& k) const {
    if (k.kind == Kind::string) return std::string(g_.text_of(k));
    if (k.kind == Kind::integer) return std::to_string(k.i);
    return std::nullopt;
  }

  Expected<Value> select(const Value& root, std::string_view path) const {
    Value cur = root;
    std::string_view rest = path;
    std::string walked;
    for (int depth = 0; !rest.empty(); ++depth) {
      auto items = mapping_items(cur);
      if (!items || depth > 64)
        return parse_error(offset_of(cur), "--key '" + std::string(path) + "': '" + walked + "' is not a mapping");
      std::optional<Value> next;
      std::size_t best = 0;
      std::string keys;
      for (std::size_t i = items->begin; i + 1 < items->v->size(); i += 2) {
        auto k = key_text((*items->v)[i]);
        if (!k) continue;
        if (keys.size() < 200) keys += (keys.empty() ? "" : ", ") + *k;
        bool whole = rest == *k;
        bool prefix = rest.size() > k->size() && rest.substr(0, k->size()) == *k && rest[k->size()] == '.';
        if ((whole || prefix) && k->size() >= best) {
          best = k->size();
          next = (*items->v)[i + 1];
        }
      }
      if (!next)
        return parse_error(offset_of(cur), "--key '" + std::string(path) + "' is not in the checkpoint (keys" +
                                               (walked.empty() ? "" : " under '" + walked + "'") + ": " + keys + ")");
      walked += (walked.empty() ? "" : ".") + std::string(rest.substr(0, best));
      rest = rest.size() > best ? rest.substr(best + 1) : std::string_view();
      cur = *next;
    }
    return cur;
  }

  void fail(std::uint64_t offset, std::string why) {
    if (!error_) error_ = parse_error(offset, std::move(why));
  }

  // Every name and text the reading keeps or builds is charged before it is built: the memo lets a
  // small pickle reuse one long key at every level and one long string in every entry.
  bool charge(std::uint64_t bytes, std::uint64_t offset) {
    text_ += bytes;
    if (text_ <= o_.max_text) return true;
    fail(offset, "the state dict's names and values take more than max_convert_text (" + std::to_string(o_.max_text) +
                     " bytes)");
    return false;
  }

  // The integer a number key equals in Python (1 == True == 1.0), where it equals one.
  static std::optional<std::int64_t> numeric_key(const Value& k) {
    if (k.kind == Kind::integer || k.kind == Kind::boolean) return k.i;
    if (k.kind == Kind::floating && std::trunc(k.f) == k.f && std::fabs(k.f) < 9.2e18)
      return static_cast<std::int64_t>(k.f);
    return std::nullopt;
  }

  void walk_mapping(const Items& items, const std::string& path, std::uint32_t depth) {
    if (depth > o_.max_depth) return fail(0, "'" + path + "': dicts nested deeper than " + std::to_string(o_.max_depth));
    // A dict keeps the first of two equal keys with the last value: torch.load would give another
    // entry than the one written under the first key's name.
    std::set<std::int64_t> numbers;
    for (std::size_t i = items.begin; i + 1 < items.v->size(); i += 2)
      if (auto n = numeric_key((*items.v)[i]); n && !numbers.insert(*n).second)
        return fail(offset_of((*items.v)[i]), "'" + path + "': two keys equal " + std::to_string(*n) +
                                                   " in Python (an int, a bool or a float), so the dict keeps one "
                                                   "key with the last value");
    for (std::size_t i = items.begin; i + 1 < items.v->size() && !error_; i += 2) {
      const Value& k = (*items.v)[i];
      const Value& v = (*items.v)[i + 1];
      auto key = key_text(k);
      if (!key || !is_utf8(*key)) {
        if (o_.keep_metadata && charge(path.size() + 100, offset_of(v)))
          out_.dropped.push_back((path.empty() ? "" : path + ": ") + "entry with key " + g_.describe(k, 60) +
                                 " (not a string or integer)");
        continue;
      }
      if (!charge(path.size() + 1 + key->size(), offset_of(v))) return;  // the path built below
      walk_value(v, path.empty() ? *key : path + "." + *key, depth + 1);
    }
  }

  void walk_value(const Value& v, const std::string& path, std::uint32_t depth) {
    if (++visits_ > o_.max_visits)
      return fail(offset_of(v), "the checkpoint's dicts expand to more than max_convert_visits (" +
                                    std::to_string(o_.max_visits) + ") values");
    switch (v.kind) {
      case Kind::none: return scalar(path, "None");
      case Kind::boolean: return scalar(path, v.i ? "True" : "False");
      case Kind::integer: return scalar(path, std::to_string(v.i));
      case Kind::floating: return scalar(path, python_repr(v.f));
      case Kind::string: {
        std::string_view t = g_.text_of(v);
        if (is_utf8(t)) return scalar(path, t);
        drop(path, "a string that is not valid UTF-8", offset_of(v));
        return;
      }
      default: break;
    }
    if (auto items = mapping_items(v)) {
      // The memo lets a dict contain itself, or the same sub-dict twice at every level: refuse
      // cycles, and bound the total work so that shared sub-dicts cannot blow it up.
      if (!v.has_node()) return;  // an empty dict
      auto id = static_cast<std::uint32_t>(v.u);
      if (!active_.insert(id).second) return fail(offset_of(v), "'" + path + "': a dict contains itself");
      walk_mapping(*items, path, depth);
      active_.erase(id);
      return;
    }
    if (v.kind == Kind::persistent && o_.persistent_tensors) {
      if (auto t = persistent_tensor(v, path)) add_tensor(std::move(*t));
      return;
    }
    if (v.kind == Kind::call) {
      if (auto t = tensor(v, path, 0)) {
        add_tensor(std::move(*t));
        return;
      }
      if (error_) return;
    }
    drop(path, g_.describe(v, 80), offset_of(v));
  }

  void scalar(const std::string& path, std::string_view text) {
    if (o_.keep_metadata && charge(path.size() + text.size(), 0)) out_.metadata[path] = std::string(text);
  }
  void drop(const std::string& path, std::string_view what, std::uint64_t offset) {
    if (o_.keep_metadata && charge(path.size() + what.size() + 2, offset)) out_.dropped.push_back(path + ": " + std::string(what));
  }

  void add_tensor(TensorRecord t) {
    if (!charge(t.name.size(), t.pickle_offset)) return;
    if (t.name == "__metadata__") return fail(t.pickle_offset, "a tensor is named '__metadata__', which safetensors reserves");
    if (!is_utf8(t.name)) return fail(t.pickle_offset, "a tensor name is not valid UTF-8");
    if (!names_.insert(t.name).second)
      return fail(t.pickle_offset, "two tensors get the name '" + t.name + "' once nested keys are joined with '.'");
    if (out_.tensors.size() >= o_.max_tensors)
      return fail(t.pickle_offset, "more than " + std::to_string(o_.max_tensors) + " tensors");
    out_.tensors.push_back(std::move(t));
  }

  const ValueList* tuple_items(const Value& v) const {
    if (v.kind != Kind::tuple) return nullptr;
    const Node* n = node(v);
    return n ? &n->items : (v.len == 0 ? &empty_ : nullptr);
  }

  std::optional<std::vector<std::uint64_t>> int_tuple(const Value& v) const {
    const auto* items = tuple_items(v);
    if (!items) {  // torch.Size((...))
      const Node* n = node(v);
      if (v.kind == Kind::call && n && n->items.size() >= 2 && global_name(n->items[0]) == "torch.Size") {
        const auto* a = tuple_items(n->items[1]);
        if (a && a->size() == 1) return int_tuple((*a)[0]);
      }
      return std::nullopt;
    }
    std::vector<std::uint64_t> out;
    for (const auto& x : *items) {
      if (x.kind != Kind::integer || x.i < 0) return std::nullopt;
      out.push_back(static_cast<std::uint64_t>(x.i));
    }
    return out;
  }

  // The tensor a call builds; nullopt (and no error) when the call is not a tensor at all.
  std::optional<TensorRecord> tensor(const Value& v, const std::string& path, int depth) {
    const Node* n = node(v);
    if (!n || n->kind != Kind::call || n->items.size() < 2) return std::nullopt;
    auto t = tensor_call(global_name(n->items[0]), n->items[1], n->offset, path, depth);
    if (t && built_with_state(*n)) return refuse_state(n->offset, path);
    return t;
  }

  // Tensor.__setstate__ replaces a rebuilt tensor's data (a 5-tuple state) or its storage and view
  // (a 4-tuple): torch.save never writes BUILD on one, and the data it would load is not the view
  // the rebuild call names.
  static bool built_with_state(const Node& call) { return call.items.size() >= 4 && call.items[3].kind != Kind::none; }
  std::optional<TensorRecord> refuse_state(std::uint64_t at, const std::string& path) {
    fail(at, "'" + path + "': BUILD gives the tensor a state, which replaces its data or view when torch loads it");
    return std::nullopt;
  }

  std::optional<TensorRecord> tensor_call(const std::string& fn, const Value& args_value, std::uint64_t at,
                                          const std::string& path, int depth) {
    auto refuse = [&](std::string why) -> std::optional<TensorRecord> {
      fail(at, "'" + path + "': " + why);
      return std::nullopt;
    };
    if (depth > 4) return refuse("tensor rebuilds nested too deeply");
    const auto* args = tuple_items(args_value);
    static const std::string u = "torch._utils.";
    if (fn == u + "_rebuild_tensor_v2" || fn == u + "_rebuild_tensor" || fn == u + "_rebuild_tensor_v3") {
      bool v3 = fn == u + "_rebuild_tensor_v3";
      if (!args || args->size() < (v3 ? 7u : 4u)) return refuse(fn + " with unexpected arguments");
      return view(*args, v3, at, path);
    }
    if (fn == u + "_rebuild_parameter" || fn == u + "_rebuild_parameter_with_state") {
      if (!args || args->empty()) return refuse(fn + " with unexpected arguments");
      if ((*args)[0].kind == Kind::persistent && o_.persistent_tensors) return persistent_tensor((*args)[0], path);
      const Node* d = node((*args)[0]);
      if (!d || d->kind != Kind::call || d->items.size() < 2) return refuse(fn + " of something that is not a tensor");
      if (built_with_state(*d)) return refuse_state(d->offset, path);
      return tensor_call(global_name(d->items[0]), d->items[1], d->offset, path, depth + 1);
    }
    if (fn == "torch._tensor._rebuild_from_type_v2") {
      // (func, new_type, args, state): a Tensor or Parameter rebuilt by func(*args).
      if (!args || args->size() < 4) return refuse(fn + " with unexpected arguments");
      std::string type = global_name((*args)[1]);
      if (type != "torch.Tensor" && type != "torch.nn.parameter.Parameter")
        return refuse("tensor subclass " + type + " is not converted");
      const Value& state = (*args)[3];
      auto st = mapping_items(state);
      if (state.kind != Kind::none && !(st && st->begin >= st->v->size()))
        return refuse("a tensor with Python attributes (" + g_.describe(state, 60) + ") is not converted");
      return tensor_call(global_name((*args)[0]), (*args)[2], at, path, depth + 1);
    }
    if (fn == u + "_rebuild_qtensor") return refuse("quantized tensors are not converted (safetensors has no quantization parameters)");
    if (fn == u + "_rebuild_sparse_tensor" || fn == u + "_rebuild_sparse_csr_tensor")
      return refuse("sparse tensors are not converted (safetensors holds dense tensors only)");
    if (fn == u + "_rebuild_meta_tensor_no_storage") return refuse("meta tensors have no data to convert");
    if (fn.rfind(u + "_rebuild", 0) == 0 || fn.rfind("torch._tensor._rebuild", 0) == 0 ||
        fn.rfind("torch.nested", 0) == 0)
      return refuse(fn + " builds a tensor kind that is not converted");
    return std::nullopt;
  }

  // A tar checkpoint's tensor: the record its persistent id names. A class saved with its source
  // (a tuple id) is dropped; an id that names no tensor is refused.
  std::optional<TensorRecord> persistent_tensor(const Value& v, const std::string& path) {
    const Node* n = node(v);
    if (!n || n->items.empty()) {
      fail(offset_of(v), "'" + path + "': a persistent id without its value");
      return std::nullopt;
    }
    const Value& pid = n->items[0];
    if (pid.kind == Kind::tuple) {
      drop(path, g_.describe(pid, 80), n->offset);
      return std::nullopt;
    }
    auto key = torch_tar_pid_key(g_, pid);
    auto it = key ? o_.persistent_tensors->find(*key) : o_.persistent_tensors->end();
    if (it == o_.persistent_tensors->end()) {
      fail(n->offset, "'" + path + "': persistent id " + g_.describe(pid, 60) + " names no tensor of the checkpoint");
      return std::nullopt;
    }
    TensorRecord t = it->second;
    t.name = path;
    t.pickle_offset = n->offset;
    return t;
  }

  std::optional<TensorRecord> view(const ValueList& args, bool v3, std::uint64_t at, const std::string& path) {
    auto refuse = [&](std::string why) -> std::optional<TensorRecord> {
      fail(at, "'" + path + "': " + why);
      return std::nullopt;
    };
    auto ref = decode_storage_ref(g_, args[0]);
    if (!ref) return refuse(ref.error().reason);
    if (ref->has_view_metadata) return refuse("storage '" + ref->key + "' is a pre-1.0 storage view, not supported for conversion");
    auto storage_type = dtype_of_storage(ref->type);
    if (!storage_type.dtype) return refuse(storage_type.why);
    if (ref->numel > UINT64_MAX / storage_type.element_size) return refuse("storage '" + ref->key + "' size overflows");
    std::uint64_t storage_bytes = ref->numel * storage_type.element_size;
    auto [it, fresh] = storages_.emplace(ref->key, std::make_pair(ref->type, storage_bytes));
    if (!fresh && (it->second.first != ref->type || it->second.second != storage_bytes))
      return refuse("storage '" + ref->key + "' is declared as " + it->second.first + " of " +
                    std::to_string(it->second.second) + " bytes and as " + ref->type + " of " +
                    std::to_string(storage_bytes) + " bytes");
    DtypeMapping d = storage_type;
    if (v3) {
      std::string dt = global_name(args[6]);
      if (dt.rfind("torch.", 0) != 0) return refuse("_rebuild_tensor_v3 with dtype " + g_.describe(args[6], 60));
      d = dtype_of_torch_dtype(std::string_view(dt).substr(6));
      if (!d.dtype) return refuse(d.why);
    }
    TensorRecord t;
    t.name = path;
    t.dtype = *d.dtype;
    t.element_size = d.element_size;
    t.storage_key = ref->key;
    t.storage_bytes = storage_bytes;
    t.pickle_offset = at;
    if (args[1].kind != Kind::integer || args[1].i < 0) return refuse("storage offset is not a non-negative integer");
    t.offset = static_cast<std::uint64_t>(args[1].i);
    auto shape = int_tuple(args[2]);
    auto strides = int_tuple(args[3]);
    if (!shape || !strides || shape->size() != strides->size() || shape->size() > 64)
      return refuse("size " + g_.describe(args[2], 60) + " and stride " + g_.describe(args[3], 60) + " do not describe a view");
    t.shape = std::move(*shape);
    t.strides = std::move(*strides);
    auto extent = view_extent(t.shape, t.strides, t.offset, t.element_size);
    if (!extent) return refuse(extent.error().reason);
    t.byte_size = extent->byte_size;
    t.contiguous = extent->contiguous;
    if (extent->end_bytes > storage_bytes)
      return refuse("the view (offset " + std::to_string(t.offset) + ", size " + g_.describe(args[2], 60) +
                    ", stride " + g_.describe(args[3], 60) + ") runs past the end of storage '" + ref->key + "' (" +
                    std::to_string(storage_bytes) + " bytes)");
    return t;
  }

  const pickle::StreamResult& r_;
  const pickle::ValueGraph& g_;
  const ReconstructOptions& o_;
  StateDict out_;
  std::optional<Error> error_;
  std::set<std::string> names_;
  std::set<std::uint32_t> active_;  // mapping nodes on the current path
  std::uint64_t visits_ = 0;
  std::uint64_t text_ = 0;  // bytes charged by charge()
  std::map<std::string, std::pair<std::string, std::uint64_t>> storages_;  // key -> (type, bytes)
  static inline const ValueList empty_{};
};

}  // namespace

Expected<ViewExtent> view_extent(const std::vector<std::uint64_t>& shape, const std::vector<std::uint64_t>& strides,
                                 std::uint64_t offset, std::uint64_t element_size) {
  if (shape.size() != strides.size() || element_size == 0) return parse_error(0, "size and stride do not describe a view");
  std::uint64_t numel = 1;
  for (auto s : shape) {
    if (s != 0 && numel > UINT64_MAX / s) return parse_error(0, "the element count overflows");
    numel *= s;
  }
  if (numel > UINT64_MAX / element_size) return parse_error(0, "the byte size overflows");
  ViewExtent out;
  out.byte_size = numel * element_size;
  if (numel == 0) return out;
  std::uint64_t last = offset;  // index of the last element the view touches
  for (std::size_t i = 0; i < shape.size(); ++i) {
    std::uint64_t span = shape[i] - 1;
    if (strides[i] != 0 && span > (UINT64_MAX - last) / strides[i]) return parse_error(0, "the view's extent overflows");
    last += span * strides[i];
  }
  out.end_bytes = last >= UINT64_MAX / element_size ? UINT64_MAX : (last + 1) * element_size;
  std::uint64_t expect = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    if (shape[i] != 1 && strides[i] != expect) out.contiguous = false;
    expect *= shape[i];
  }
  return out;
}

Expected<StateDict> reconstruct_state_dict(const pickle::StreamResult& data, const ReconstructOptions& options) {
  if (!data.graph || !data.complete) return parse_error(data.end, "the data pickle was not read completely");
  return Reconstructor(data, options).run();
}

}  // namespace modelgate
