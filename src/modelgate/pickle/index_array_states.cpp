#include "pickle/index_array_states.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>
#include <vector>

#include "pickle/class_identity.h"
#include "pickle/estimator_parameters.h"
#include "pickle/numpy_state_checks.h"

namespace modelgate::pickle {

namespace {

using Outcome = IndexStateCheck::Outcome;

const Node* node_at(const ValueGraph& g, const Value& v) {
  return v.has_node() ? &g.node(static_cast<std::uint32_t>(v.u)) : nullptr;
}

const Value* dict_value(const ValueGraph& g, const Node& dict, std::string_view key) {
  const Value* found = nullptr;  // a later pair wins, as in Python's dict
  for (std::size_t k = 0; k + 1 < dict.items.size(); k += 2)
    if (dict.items[k].kind == Kind::string && g.text_of(dict.items[k]) == key) found = &dict.items[k + 1];
  return found;
}

std::optional<std::vector<std::uint64_t>> shape_of(const ValueGraph& g, const Value& v) {
  std::vector<std::uint64_t> shape;
  if (v.kind == Kind::integer && v.i >= 0) return std::vector<std::uint64_t>{static_cast<std::uint64_t>(v.i)};
  if (v.kind != Kind::tuple) return std::nullopt;
  const Node* n = node_at(g, v);
  if (!n) return v.len == 0 ? std::optional(shape) : std::nullopt;
  for (const Value& d : n->items) {
    if (d.kind != Kind::integer || d.i < 0) return std::nullopt;
    shape.push_back(static_cast<std::uint64_t>(d.i));
  }
  return shape;
}

// A str whose code points are all below 256, as the bytes latin-1 encodes it to.
std::optional<std::string> latin1_bytes(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < utf8.size() && (static_cast<unsigned char>(utf8[i + 1]) & 0xC0) == 0x80) {
      out += static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(utf8[++i]) & 0x3F));
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// Raw bytes as the loader gets them: a view of the input (BINBYTES, BYTEARRAY8, a py2 STRING), or
// what protocol 2 writes for bytes under Python 3, _codecs.encode(<str>, 'latin1').
std::optional<ByteView> raw_bytes(const ValueGraph& g, const Value& v, std::shared_ptr<const std::string>& decoded) {
  if ((v.flags & Value::kView) && v.is_text_or_bytes()) {
    // A py2 8-bit STRING reaches numpy as the loader's encoding decodes it (torch.load: UTF-8, then
    // numpy encodes the str as latin-1): its raw bytes are the array's only when they are ASCII.
    const std::string_view raw = g.text_of(v);
    if ((v.flags & Value::kFrom8bit) &&
        std::any_of(raw.begin(), raw.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
      return std::nullopt;
    if (v.kind != Kind::string || std::none_of(raw.begin(), raw.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
      return as_byte_view(raw);
    // numpy's __setstate__ takes a str's latin-1 encoding (and refuses a character above 0xFF),
    // not the UTF-8 the pickle spells it in.
    auto bytes = latin1_bytes(raw);
    if (!bytes) return std::nullopt;
    decoded = std::make_shared<const std::string>(std::move(*bytes));
    return as_byte_view(*decoded);
  }
  const Node* n = node_at(g, v);
  if (!n || n->kind != Kind::call || n->items.size() < 2) return std::nullopt;
  const std::string callable = g.qualified_name(n->items[0]);
  if (callable != "_codecs.encode" && callable != "codecs.encode") return std::nullopt;
  const Node* args = node_at(g, n->items[1]);
  if (!args || args->items.size() != 2 || args->items[0].kind != Kind::string || args->items[1].kind != Kind::string)
    return std::nullopt;
  const std::string_view encoding = g.text_of(args->items[1]);
  if (encoding != "latin1" && encoding != "latin-1") return std::nullopt;
  auto bytes = latin1_bytes(g.text_of(args->items[0]));
  if (!bytes) return std::nullopt;
  decoded = std::make_shared<const std::string>(std::move(*bytes));
  return as_byte_view(*decoded);
}

// Where numpy's own array pickles keep an array's shape, dtype and data: _reconstruct + BUILD
// (1, shape, dtype, fortran, bytes), and _frombuffer(buffer, dtype, shape, order) (protocol 5).
struct ArrayParts {
  const Value& shape;
  const Value& dtype;
  const Value& data;
};
std::optional<ArrayParts> numpy_array_parts(const ValueGraph& g, const Node& call, std::string_view callable) {
  if (callable.ends_with("multiarray._reconstruct")) {
    const Node* st = call.items.size() >= 4 ? node_at(g, call.items[3]) : nullptr;
    if (!st || st->kind != Kind::tuple || st->items.size() != 5) return std::nullopt;
    return ArrayParts{st->items[1], st->items[2], st->items[4]};
  }
  if (callable.ends_with("numeric._frombuffer")) {
    const Node* args = call.items.size() >= 2 ? node_at(g, call.items[1]) : nullptr;
    if (!args || args->items.size() < 3) return std::nullopt;
    return ArrayParts{args->items[2], args->items[1], args->items[0]};
  }
  return std::nullopt;
}

// A one-dimensional array's bytes from numpy's own pickles; anything else asks `lookup`.
std::optional<ArrayBytes> array_bytes(const ValueGraph& g, const Value& v, const ArrayBytesLookup& lookup) {
  const Node* n = node_at(g, v);
  if (!n || n->kind != Kind::call || n->items.empty()) return std::nullopt;
  const std::string callable = g.qualified_name(n->items[0]);
  if (callable.ends_with("multiarray._reconstruct") || callable.ends_with("numeric._frombuffer")) {
    auto parts = numpy_array_parts(g, *n, callable);
    if (!parts) return std::nullopt;
    std::shared_ptr<const std::string> decoded;
    auto shape = shape_of(g, parts->shape);
    auto data = raw_bytes(g, parts->data, decoded);
    if (!shape || !data || shape->size() > 1) return std::nullopt;  // one dimension: no order to follow
    return ArrayBytes{*data, *shape, parts->dtype, decoded};
  }
  return lookup ? lookup(g, v) : std::nullopt;
}

// A one-dimensional array of integers, read item by item.
class IntArray {
 public:
  static std::optional<IntArray> of(const ValueGraph& g, const ArrayBytes& a) {
    auto t = numpy_item_type(g, a.dtype);
    if (!t || t->big_endian || (t->kind != 'i' && t->kind != 'u') || (t->size != 4 && t->size != 8)) return std::nullopt;
    return IntArray(a, t->size, t->kind == 'i', 0, t->size);
  }
  // The field at `offset` of each item of a structured array.
  static IntArray field(const ArrayBytes& a, std::uint64_t width, bool is_signed, std::uint64_t offset,
                        std::uint64_t stride) {
    return IntArray(a, width, is_signed, offset, stride);
  }
  std::uint64_t size() const { return count_; }
  bool complete() const {
    std::uint64_t last = 0, end = 0;
    return count_ == 0 || (!__builtin_mul_overflow(count_ - 1, stride_, &last) &&
                           !__builtin_add_overflow(last, offset_ + width_, &end) && end <= data_.size());
  }
  std::int64_t operator[](std::uint64_t i) const {
    const std::uint8_t* p = data_.data() + i * stride_ + offset_;
    if (width_ == 1) return signed_ ? static_cast<std::int8_t>(*p) : *p;
    if (width_ == 4) {
      std::uint32_t u;
      std::memcpy(&u, p, 4);
      return signed_ ? static_cast<std::int32_t>(u) : static_cast<std::int64_t>(u);
    }
    std::uint64_t u;
    std::memcpy(&u, p, 8);
    return signed_ || u <= INT64_MAX ? static_cast<std::int64_t>(u) : INT64_MAX;
  }

 private:
  IntArray(const ArrayBytes& a, std::uint64_t width, bool is_signed, std::uint64_t offset, std::uint64_t stride)
      : data_(a.data), keep_(a.decoded), count_(a.shape.empty() ? 1 : a.shape[0]), width_(width), offset_(offset),
        stride_(stride), signed_(is_signed) {}
  ByteView data_;
  std::shared_ptr<const std::string> keep_;  // owns data_ when it was decoded
  std::uint64_t count_, width_, offset_, stride_;
  bool signed_;
};

// The integer field `name` of each item of a structured array (numpy dtype with fields).
std::optional<IntArray> int_field(const ValueGraph& g, const ArrayBytes& a, std::string_view name) {
  const Node* dtype = node_at(g, a.dtype);
  const Node* dstate = dtype && dtype->built && dtype->items.size() >= 4 ? node_at(g, dtype->items[3]) : nullptr;
  const Node* fields = dstate && dstate->kind == Kind::tuple && dstate->items.size() >= 8 ? node_at(g, dstate->items[4]) : nullptr;
  auto item = numpy_item_type(g, a.dtype);
  if (!fields || fields->kind != Kind::dict || !item || item->kind != 'V' || item->size == 0) return std::nullopt;
  const Value* f = dict_value(g, *fields, name);
  const Node* entry = f ? node_at(g, *f) : nullptr;
  if (!entry || entry->items.size() < 2 || entry->items[1].kind != Kind::integer || entry->items[1].i < 0) return std::nullopt;
  auto t = numpy_item_type(g, entry->items[0]);
  if (!t || (t->kind != 'i' && t->kind != 'u') || t->big_endian || (t->size != 8 && t->size != 4 && t->size != 1))
    return std::nullopt;
  auto c = IntArray::field(a, t->size, t->kind == 'i', static_cast<std::uint64_t>(entry->items[1].i), item->size);
  return c.complete() ? std::optional(c) : std::nullopt;
}

IndexStateCheck unchecked(std::string why) { return {Outcome::unchecked, std::move(why)}; }
IndexStateCheck out_of_range(std::string why) { return {Outcome::out_of_range, std::move(why)}; }

// sklearn's Tree: every split node's children come after it (the builder adds a node before its
// children, so no path loops) and inside the node array, every node is the child of at most one
// split (so the depth counted in index order is the depth of every path to it), and its feature is
// one the model has.
IndexStateCheck check_tree(const ValueGraph& g, const Node& object, const Node& state, const ArrayBytesLookup& lookup) {
  const Node* args = object.items.size() > 1 ? node_at(g, object.items[1]) : nullptr;
  if (!args || args->items.empty() || args->items[0].kind != Kind::integer) return unchecked("the tree's feature count is not a number");
  const std::int64_t n_features = args->items[0].i;
  const Value* node_count = dict_value(g, state, "node_count");
  const Value* nodes_value = dict_value(g, state, "nodes");
  if (!node_count || node_count->kind != Kind::integer || !nodes_value) return unchecked("the tree's state lacks node_count or nodes");
  auto nodes = array_bytes(g, *nodes_value, lookup);
  if (!nodes) return unchecked("the tree's node array is not one whose bytes the scan can read");
  auto left = int_field(g, *nodes, "left_child"), right = int_field(g, *nodes, "right_child"),
       feature = int_field(g, *nodes, "feature");
  if (!left || !right || !feature) return unchecked("the tree's node array lacks readable child or feature fields");
  const std::uint64_t count = left->size();
  if (node_count->i < 0 || static_cast<std::uint64_t>(node_count->i) > count)
    return out_of_range("node_count " + std::to_string(node_count->i) + " exceeds the " + std::to_string(count) + " nodes stored");
  constexpr std::int64_t kLeaf = -1;
  // decision_path allocates (1 + max_depth) entries per sample and writes one per node on the path.
  const Value* max_depth = dict_value(g, state, "max_depth");
  if (!max_depth || max_depth->kind != Kind::integer || max_depth->i < 0)
    return unchecked("the tree's max_depth is not a number");
  std::vector<std::int64_t> depth(count, 0);
  std::vector<bool> has_parent(count, false);
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::int64_t l = (*left)[i], r = (*right)[i], f = (*feature)[i];
    const auto at = " (node " + std::to_string(i) + " of " + std::to_string(count) + ")";
    if (l == kLeaf) {
      if (r != kLeaf) return out_of_range("a leaf has a right child " + std::to_string(r) + at);
      continue;
    }
    for (std::int64_t child : {l, r})
      if (child <= static_cast<std::int64_t>(i) || static_cast<std::uint64_t>(child) >= count)
        return out_of_range("a split's child is node " + std::to_string(child) + at);
    if (l == r || has_parent[static_cast<std::uint64_t>(l)] || has_parent[static_cast<std::uint64_t>(r)])
      return out_of_range("node " + std::to_string(has_parent[static_cast<std::uint64_t>(l)] ? l : r) +
                          " is the child of more than one split" + at);
    has_parent[static_cast<std::uint64_t>(l)] = has_parent[static_cast<std::uint64_t>(r)] = true;
    if (f < 0 || f >= n_features)
      return out_of_range("a split tests feature " + std::to_string(f) + " of " + std::to_string(n_features) + at);
    depth[static_cast<std::uint64_t>(l)] = depth[static_cast<std::uint64_t>(r)] = depth[i] + 1;
    if (depth[i] + 1 > max_depth->i)
      return out_of_range("a path is deeper than the tree's max_depth " + std::to_string(max_depth->i) + at);
  }
  return {Outcome::valid, {}};
}

// The feature count a Tree was made for: its constructor's first argument.
std::optional<std::int64_t> tree_features(const ValueGraph& g, const Value& tree) {
  const Node* t = node_at(g, tree);
  if (!t || t->kind != Kind::call || t->items.size() < 2 || defining_class(g, t->items[0]) != "sklearn.tree._tree.Tree")
    return std::nullopt;
  const Node* args = node_at(g, t->items[1]);
  if (!args || args->items.empty() || args->items[0].kind != Kind::integer) return std::nullopt;
  return args->items[0].i;
}

// Gradient boosting: predict_stages adds tree (i, k) into column k of a buffer as wide as the
// loss's K, for every column of the (stages, K) estimator array, unchecked.
std::optional<IndexStateCheck> check_boosting_columns(const ValueGraph& g, const Node& state) {
  const Value* estimators = dict_value(g, state, "estimators_");
  const Node* array = estimators ? node_at(g, *estimators) : nullptr;
  if (!array || array->kind != Kind::call || array->items.empty() ||
      !g.qualified_name(array->items[0]).ends_with("multiarray._reconstruct"))
    return std::nullopt;  // forests keep lists
  const Node* st = array->items.size() >= 4 ? node_at(g, array->items[3]) : nullptr;
  auto shape = st && st->kind == Kind::tuple && st->items.size() == 5 ? shape_of(g, st->items[1]) : std::nullopt;
  const Value* loss = dict_value(g, state, "_loss");
  if (!loss) loss = dict_value(g, state, "loss_");
  const Node* ln = loss ? node_at(g, *loss) : nullptr;
  const Node* ls = ln && ln->kind == Kind::call && ln->items.size() >= 4 ? node_at(g, ln->items[3]) : nullptr;
  const Value* k = ls && ls->kind == Kind::dict ? dict_value(g, *ls, "K") : nullptr;
  if (!shape || shape->size() != 2 || !k || k->kind != Kind::integer)
    return unchecked("its estimator array's columns cannot be compared with its loss's K");
  if ((*shape)[1] != static_cast<std::uint64_t>(k->i))
    return out_of_range("the estimator array has " + std::to_string((*shape)[1]) + " columns for a loss with K " +
                        std::to_string(k->i));
  // With K > 1 the buffer is as wide as the init estimator's predict_proba.
  const Value* init = dict_value(g, state, "init_");
  if (k->i > 1 && !(init && init->kind == Kind::string && g.text_of(*init) == "zero")) {
    const Node* in = init ? node_at(g, *init) : nullptr;
    const Node* is = in && in->kind == Kind::call && in->items.size() >= 4 ? node_at(g, in->items[3]) : nullptr;
    const Node* ia = in && in->kind == Kind::call && in->items.size() >= 2 ? node_at(g, in->items[1]) : nullptr;
    const Value* classes = is && is->kind == Kind::dict ? dict_value(g, *is, "n_classes_") : nullptr;
    const bool dummy = ia && !ia->items.empty() && defining_class(g, ia->items[0]) == "sklearn.dummy.DummyClassifier";
    if (!dummy || !classes || classes->kind != Kind::integer || classes->i != k->i)
      return unchecked("its init estimator's predictions are not known to be K columns wide");
  }
  return std::nullopt;
}

// sklearn's tree estimators and forests: predict validates X against the estimator's
// n_features_in_, and a forest hands X to its trees unchecked (check_input=False); each Tree then
// indexes X with features below its own feature count. So every Tree must be made for the number
// of features its estimator (and forest) validates.
IndexStateCheck check_tree_estimator(const ValueGraph& g, const Node& state) {
  const Value* n_in = dict_value(g, state, "n_features_in_");
  const bool fitted = dict_value(g, state, "tree_") || dict_value(g, state, "estimators_");
  if (!fitted) return {Outcome::valid, {}};
  // sklearn skips its feature count check when n_features_in_ is absent and compares it with !=
  // (1 == 1.0 == numpy.int64(1)): only a literal int bounds what predict passes to the trees.
  if (!n_in || n_in->kind != Kind::integer)
    return unchecked("its n_features_in_ is not an int the pickle spells out, so nothing bounds X's width for its trees");
  auto mismatch = [&](const Value& tree, const std::string& where) -> std::optional<IndexStateCheck> {
    auto features = tree_features(g, tree);
    if (!features || *features == n_in->i) return std::nullopt;
    return out_of_range(where + " is made for " + std::to_string(*features) + " features, and predict checks X for " +
                        std::to_string(n_in->i));
  };
  if (const Value* tree = dict_value(g, state, "tree_"))
    if (auto bad = mismatch(*tree, "the tree")) return *bad;
  const Value* estimators = dict_value(g, state, "estimators_");
  const Node* list = estimators ? node_at(g, *estimators) : nullptr;
  // Gradient boosting keeps its trees in a numpy object array, whose items are its state's list
  // (predict_stages walks them with X checked only against the ensemble's n_features_in_).
  // joblib writes that array as a pickle stream of its own, whose trees this state cannot reach.
  if (list && list->kind == Kind::call && !list->items.empty() &&
      g.qualified_name(list->items[0]).ends_with("NumpyArrayWrapper"))
    return unchecked("the ensemble's estimator array is a joblib stream of its own: its trees' feature counts are "
                     "not compared with the ensemble's");
  if (list && list->kind == Kind::call && !list->items.empty() &&
      g.qualified_name(list->items[0]).ends_with("multiarray._reconstruct")) {
    const Node* st = list->items.size() >= 4 ? node_at(g, list->items[3]) : nullptr;
    list = st && st->kind == Kind::tuple && st->items.size() == 5 ? node_at(g, st->items[4]) : nullptr;
    if (!list) return unchecked("the ensemble's estimator array is not one whose items the scan can read");
  }
  if (!list || (list->kind != Kind::list && list->kind != Kind::tuple)) return {Outcome::valid, {}};
  if (auto bad = check_boosting_columns(g, state)) return *bad;
  for (std::size_t i = 0; i < list->items.size(); ++i) {
    const Node* e = node_at(g, list->items[i]);
    const Node* es = e && e->kind == Kind::call && e->items.size() >= 4 ? node_at(g, e->items[3]) : nullptr;
    const Value* tree = es && es->kind == Kind::dict ? dict_value(g, *es, "tree_") : nullptr;
    if (tree)
      if (auto bad = mismatch(*tree, "the tree of estimator " + std::to_string(i))) return *bad;
  }
  return {Outcome::valid, {}};
}

// The shape of a numpy array value as its own pickle gives it (_reconstruct's BUILD state,
// _frombuffer's argument) or as `lookup` finds it.
std::optional<std::vector<std::uint64_t>> array_shape(const ValueGraph& g, const Value& v, const ArrayBytesLookup& lookup) {
  const Node* n = node_at(g, v);
  if (!n || n->kind != Kind::call || n->items.empty()) return std::nullopt;
  const std::string callable = g.qualified_name(n->items[0]);
  if (callable.ends_with("multiarray._reconstruct") || callable.ends_with("numeric._frombuffer")) {
    auto parts = numpy_array_parts(g, *n, callable);
    return parts ? shape_of(g, parts->shape) : std::nullopt;
  }
  if (callable.ends_with("NumpyArrayWrapper") && n->items.size() >= 4) {  // joblib: its BUILD state says
    const Node* st = node_at(g, n->items[3]);
    const Value* s = st && st->kind == Kind::dict ? dict_value(g, *st, "shape") : nullptr;
    return s ? shape_of(g, *s) : std::nullopt;
  }
  auto a = lookup ? lookup(g, v) : std::nullopt;
  return a ? std::optional(a->shape) : std::nullopt;
}

// sklearn's libsvm estimators: predict hands libsvm the support vectors, the per-class support
// counts and the dual coefficients, and libsvm walks the counts over the vectors and coefficient
// columns unchecked (sklearn's own guard, against CVE-2020-28975, is skipped when there are no
// support vectors). The counts must add up to the vectors, and every array must have the size
// libsvm derives from them.
IndexStateCheck check_libsvm(const ValueGraph& g, bool classifier, const Node& state, const ArrayBytesLookup& lookup) {
  auto shape = [&](std::string_view key) -> std::optional<std::vector<std::uint64_t>> {
    const Value* v = dict_value(g, state, key);
    return v ? array_shape(g, *v, lookup) : std::nullopt;
  };
  // libsvm's model type comes from _impl, a class attribute an instance state can override: the
  // counts would be checked for another type than libsvm runs.
  if (dict_value(g, state, "_impl")) return unchecked("its state sets _impl, which decides the libsvm model type");
  const Value* counts_value = dict_value(g, state, "_n_support");
  auto counts_bytes = counts_value ? array_bytes(g, *counts_value, lookup) : std::nullopt;
  auto counts = counts_bytes ? IntArray::of(g, *counts_bytes) : std::nullopt;
  auto vectors = shape("support_vectors_"), support = shape("support_"), coef = shape("_dual_coef_"),
       intercept = shape("_intercept_");
  const bool sparse = !vectors;
  if (!vectors) {  // a model fitted on a sparse matrix keeps its vectors as one (its own indices are checked)
    const Value* v = dict_value(g, state, "support_vectors_");
    const Node* sparse = v ? node_at(g, *v) : nullptr;
    const Node* st = sparse && sparse->kind == Kind::call && sparse->items.size() >= 4 ? node_at(g, sparse->items[3]) : nullptr;
    const Value* s = st && st->kind == Kind::dict ? dict_value(g, *st, "_shape") : nullptr;
    if (s) vectors = shape_of(g, *s);
  }
  if (!coef) {  // and its coefficients as a csr matrix, whose data libsvm reads as the dense rows x vectors
    const Value* c = dict_value(g, state, "_dual_coef_");
    const Node* sparse = c ? node_at(g, *c) : nullptr;
    const Node* st = sparse && sparse->kind == Kind::call && sparse->items.size() >= 4 ? node_at(g, sparse->items[3]) : nullptr;
    const Value* s = st && st->kind == Kind::dict ? dict_value(g, *st, "_shape") : nullptr;
    const Value* data = st && st->kind == Kind::dict ? dict_value(g, *st, "data") : nullptr;
    auto sparse_shape = s ? shape_of(g, *s) : std::nullopt;
    auto data_shape = data ? array_shape(g, *data, lookup) : std::nullopt;
    std::uint64_t values = 0;
    if (sparse_shape && sparse_shape->size() == 2 && data_shape && data_shape->size() == 1) {
      if (__builtin_mul_overflow((*sparse_shape)[0], (*sparse_shape)[1], &values) || (*data_shape)[0] != values)
        return out_of_range("the sparse dual coefficients hold " + std::to_string((*data_shape)[0]) +
                            " values, which libsvm reads as " + std::to_string((*sparse_shape)[0]) + " x " +
                            std::to_string((*sparse_shape)[1]));
      coef = sparse_shape;
    }
  }
  if (!counts || !counts->complete() || !vectors || vectors->size() != 2 || !support || support->size() != 1 ||
      !coef || coef->size() != 2 || !intercept || intercept->size() != 1)
    return unchecked("the support vectors, counts or coefficients are not arrays the scan can read");
  const std::uint64_t classes = counts->size();
  std::uint64_t total = 0;
  for (std::uint64_t i = 0; i < classes; ++i) {
    if ((*counts)[i] < 0) return out_of_range("a class has " + std::to_string((*counts)[i]) + " support vectors");
    if (classifier || i == 0) total += static_cast<std::uint64_t>((*counts)[i]);
  }
  // With a precomputed (or callable) kernel libsvm reads each support vector's kernel value at
  // index support_[i] of the test kernel row, which predict checks to be shape_fit_[0] long; the
  // support vectors themselves are empty.
  const Value* kernel = dict_value(g, state, "kernel");
  const std::string_view kernel_name = kernel && kernel->kind == Kind::string ? g.text_of(*kernel) : "";
  const bool indexed = kernel_name != "linear" && kernel_name != "poly" && kernel_name != "rbf" && kernel_name != "sigmoid";
  // A callable kernel's row is as wide as what the callable returns, which nothing compares with
  // shape_fit_[0] (predict_proba does not).
  if (kernel && kernel_name != "precomputed" && indexed)
    return unchecked("its kernel is a callable, whose kernel rows libsvm indexes by support_ unchecked");
  if (indexed) {
    const Value* fit_value = dict_value(g, state, "shape_fit_");
    auto fit = fit_value ? shape_of(g, *fit_value) : std::nullopt;
    const Value* support_value = dict_value(g, state, "support_");
    auto support_bytes = support_value ? array_bytes(g, *support_value, lookup) : std::nullopt;
    auto indices = support_bytes ? IntArray::of(g, *support_bytes) : std::nullopt;
    if (!fit || fit->empty() || !indices || !indices->complete())
      return unchecked("the support indices a precomputed kernel reads are not an array the scan can read");
    for (std::uint64_t i = 0; i < indices->size(); ++i)
      if ((*indices)[i] < 0 || static_cast<std::uint64_t>((*indices)[i]) >= (*fit)[0])
        return out_of_range("support index " + std::to_string((*indices)[i]) + " is outside the " +
                            std::to_string((*fit)[0]) + " columns of a precomputed kernel row");
  }
  const std::uint64_t n = indexed ? (*support)[0] : (*vectors)[0];
  const std::uint64_t pairs = classifier ? classes * (classes - (classes > 0 ? 1 : 0)) / 2 : 1;
  // A regressor's counts are not walked (libsvm runs over all its vectors); the sparse fit leaves
  // other numbers there than the dense one.
  if (!classifier && sparse) total = n;
  if (total != n || (*support)[0] != n || (*coef)[1] != n)
    return out_of_range("the support counts add up to " + std::to_string(total) + " for " + std::to_string(n) +
                        " support vectors, " + std::to_string((*support)[0]) + " indices and " +
                        std::to_string((*coef)[1]) + " coefficient columns");
  if (classifier && ((*coef)[0] + 1 != classes || (*intercept)[0] != pairs))
    return out_of_range(std::to_string(classes) + " classes with " + std::to_string((*coef)[0]) +
                        " coefficient rows and " + std::to_string((*intercept)[0]) + " intercepts");
  for (std::string_view key : {"_probA", "_probB"})
    if (auto p = shape(key); p && p->size() == 1 && (*p)[0] != 0 && (*p)[0] != pairs)
      return out_of_range(std::string(key) + " has " + std::to_string((*p)[0]) + " entries for " + std::to_string(pairs) +
                          " class pairs");
  return {Outcome::valid, {}};
}

// Histogram gradient boosting's TreePredictor: _predict_from_raw_data walks `nodes` from node 0,
// to `left` or `right` until `is_leaf`, reading X[row, feature_idx], unchecked. The grower numbers
// a node's children after it, so every path ends. Categorical splits read bitsets by indices
// the estimator's bin mapper supplies; those are not checked, so such a predictor is not either.
// The feature index is checked against the estimator's feature count (check_hist_boosting).
IndexStateCheck check_tree_predictor(const ValueGraph& g, const Node& state, const ArrayBytesLookup& lookup,
                                     std::int64_t* max_feature = nullptr) {
  const Value* nodes_value = dict_value(g, state, "nodes");
  auto nodes = nodes_value ? array_bytes(g, *nodes_value, lookup) : std::nullopt;
  std::optional<IntArray> left, right, leaf, feature, categorical;
  if (nodes)
    left = int_field(g, *nodes, "left"), right = int_field(g, *nodes, "right"), leaf = int_field(g, *nodes, "is_leaf"),
    feature = int_field(g, *nodes, "feature_idx"), categorical = int_field(g, *nodes, "is_categorical");
  if (!left || !right || !leaf || !feature || !categorical)
    return unchecked("the predictor's node array is not one whose fields the scan can read");
  const std::uint64_t count = left->size();
  for (std::uint64_t i = 0; i < count; ++i) {
    if ((*leaf)[i] != 0) continue;
    const auto at = " (node " + std::to_string(i) + " of " + std::to_string(count) + ")";
    if ((*categorical)[i] != 0) return unchecked("a categorical split reads bitsets the scan does not check" + at);
    for (std::int64_t child : {(*left)[i], (*right)[i]})
      if (child <= static_cast<std::int64_t>(i) || static_cast<std::uint64_t>(child) >= count)
        return out_of_range("a split's child is node " + std::to_string(child) + at);
    if (max_feature) *max_feature = std::max(*max_feature, (*feature)[i]);
  }
  return {Outcome::valid, {}};
}

// HistGradientBoosting*: predict validates X against n_features_in_ and hands it to every
// predictor of `_predictors` (a list per iteration of one per class).
IndexStateCheck check_hist_boosting(const ValueGraph& g, const Node& state, const ArrayBytesLookup& lookup) {
  const Value* n_in = dict_value(g, state, "n_features_in_");
  const Value* predictors = dict_value(g, state, "_predictors");
  if (!predictors) return {Outcome::valid, {}};  // unfitted
  if (!n_in || n_in->kind != Kind::integer)
    return unchecked("its n_features_in_ is not an int the pickle spells out, so nothing bounds X's width for its "
                     "predictors");
  const Node* iterations = node_at(g, *predictors);
  if (!iterations || iterations->kind != Kind::list) return unchecked("the predictors are not a list the pickle spells out");
  for (const Value& iteration : iterations->items) {
    const Node* per_class = node_at(g, iteration);
    if (!per_class || per_class->kind != Kind::list) return unchecked("the predictors are not lists the pickle spells out");
    for (const Value& predictor : per_class->items) {
      const Node* p = node_at(g, predictor);
      const Node* st = p && p->kind == Kind::call && p->items.size() >= 4 ? node_at(g, p->items[3]) : nullptr;
      if (!st || st->kind != Kind::dict) return unchecked("a predictor's state is not a dict the pickle spells out");
      std::int64_t max_feature = -1;
      auto check = check_tree_predictor(g, *st, lookup, &max_feature);
      if (check.outcome != Outcome::valid) return check;
      if (max_feature >= n_in->i)
        return out_of_range("a predictor splits on feature " + std::to_string(max_feature) + ", and predict checks X for " +
                            std::to_string(n_in->i));
    }
  }
  return {Outcome::valid, {}};
}

// The distance metrics whose dist() reads only the two points: Euclidean, Manhattan, Chebyshev,
// and Minkowski with no weights or one weight per feature (it walks its weight vector's length
// over both points unchecked). Others keep vectors and matrices of their own sizes.
std::optional<IndexStateCheck> check_metric(const ValueGraph& g, const Value& metric, std::uint64_t features,
                                            const ArrayBytesLookup& lookup) {
  const Node* m = node_at(g, metric);
  const Node* args = m && m->kind == Kind::call && m->items.size() >= 2 ? node_at(g, m->items[1]) : nullptr;
  const std::string cls = args && !args->items.empty() ? defining_class(g, args->items[0]) : std::string();
  const std::string_view name = std::string_view(cls).substr(cls.rfind('.') + 1);
  if (!cls.starts_with("sklearn.metrics._dist_metrics.") && !cls.starts_with("sklearn.neighbors._dist_metrics.") &&
      !cls.starts_with("sklearn.neighbors.dist_metrics."))
    return unchecked("the tree's distance metric is not one the scan knows");
  if (name == "EuclideanDistance" || name == "ManhattanDistance" || name == "ChebyshevDistance") return std::nullopt;
  if (name != "MinkowskiDistance") return unchecked("the tree's " + std::string(name) + " keeps arrays that are not checked");
  const Node* st = m->items.size() >= 4 ? node_at(g, m->items[3]) : nullptr;
  auto weights = st && st->kind == Kind::tuple && st->items.size() >= 2 ? array_shape(g, st->items[1], lookup) : std::nullopt;
  if (!weights || weights->size() != 1) return unchecked("the Minkowski metric's weights are not an array the scan can read");
  if ((*weights)[0] != 0 && (*weights)[0] != features)
    return out_of_range("the Minkowski metric has " + std::to_string((*weights)[0]) + " weights for " +
                        std::to_string(features) + " features");
  return std::nullopt;
}

// An int the pickle spells out: a literal, or a numpy integer scalar (multiarray.scalar(dtype,
// bytes)), which sklearn keeps in some dicts of indices.
std::optional<std::int64_t> int_value(const ValueGraph& g, const Value& v) {
  if (v.kind == Kind::integer) return v.i;
  const Node* n = node_at(g, v);
  if (!n || n->kind != Kind::call || n->items.size() < 2 || !g.qualified_name(n->items[0]).ends_with("multiarray.scalar"))
    return std::nullopt;
  const Node* args = node_at(g, n->items[1]);
  if (!args || args->items.size() != 2) return std::nullopt;
  std::shared_ptr<const std::string> decoded;
  auto data = raw_bytes(g, args->items[1], decoded);
  if (!data) return std::nullopt;
  auto arr = IntArray::of(g, ArrayBytes{*data, {1}, args->items[0], decoded});
  if (!arr || !arr->complete()) return std::nullopt;
  return (*arr)[0];
}

// A 2-D shape of a dense array or a scipy sparse matrix (whose BUILD state holds its _shape).
std::optional<std::vector<std::uint64_t>> matrix_shape(const ValueGraph& g, const Value& v, const ArrayBytesLookup& lookup) {
  if (auto s = array_shape(g, v, lookup)) return s;
  const Node* sparse = node_at(g, v);
  const Node* st = sparse && sparse->kind == Kind::call && sparse->items.size() >= 4 ? node_at(g, sparse->items[3]) : nullptr;
  const Value* s = st && st->kind == Kind::dict ? dict_value(g, *st, "_shape") : nullptr;
  return s ? shape_of(g, *s) : std::nullopt;
}

// Column indices kept as a dict's values (a vectorizer's vocabulary_, MultiLabelBinarizer's
// _cached_dict): transform builds a csr matrix of `columns` columns with them, which scipy does
// not bound (check_format(full_check=False)).
std::optional<IndexStateCheck> check_index_dict(const ValueGraph& g, const Node& state, std::string_view key,
                                                std::optional<std::uint64_t> columns) {
  const Value* v = dict_value(g, state, key);
  if (!v || v->kind == Kind::none) return std::nullopt;
  const Node* d = node_at(g, *v);
  if (!d || d->kind != Kind::dict) return unchecked(std::string(key) + " is not a dict the pickle spells out");
  const std::uint64_t limit = columns ? *columns : d->items.size() / 2;
  for (std::size_t k = 1; k < d->items.size(); k += 2) {
    auto i = int_value(g, d->items[k]);
    if (!i) return unchecked(std::string(key) + " holds a column that is not an int the pickle spells out");
    if (*i < 0 || static_cast<std::uint64_t>(*i) >= limit)
      return out_of_range(std::string(key) + " names column " + std::to_string(*i) + " of " + std::to_string(limit));
  }
  return std::nullopt;
}

IndexStateCheck check_vectorizer(const ValueGraph& g, std::string_view cls, const Node& state,
                                 const ArrayBytesLookup& lookup) {
  if (cls == "MultiLabelBinarizer") {
    const Value* c = dict_value(g, state, "classes_");
    auto classes = c ? array_shape(g, *c, lookup) : std::nullopt;
    if (!c) return {Outcome::valid, {}};
    if (!classes || classes->size() != 1) return unchecked("its classes_ is not an array the scan can read");
    if (auto bad = check_index_dict(g, state, "_cached_dict", (*classes)[0])) return *bad;
    return {Outcome::valid, {}};
  }
  if (auto bad = check_index_dict(g, state, "vocabulary_", std::nullopt)) return *bad;
  return {Outcome::valid, {}};
}

// OneHotEncoder: transform puts feature i's category codes (below len(categories_[i]), one less
// with a dropped category) at column offsets summed from _n_features_outs, in a csr matrix of
// their total width.
IndexStateCheck check_one_hot(const ValueGraph& g, const Node& state, const ArrayBytesLookup& lookup) {
  const Value* outs_value = dict_value(g, state, "_n_features_outs");
  if (!outs_value) return {Outcome::valid, {}};
  const Value* categories_value = dict_value(g, state, "categories_");
  const Value* drop = dict_value(g, state, "drop_idx_");
  const Value* infrequent = dict_value(g, state, "_infrequent_enabled");
  if (!drop || drop->kind != Kind::none || !infrequent || infrequent->kind != Kind::boolean || infrequent->i != 0)
    return unchecked("its dropped or infrequent categories change the columns in ways the scan does not check");
  const Node* outs = node_at(g, *outs_value);
  const Node* categories = categories_value ? node_at(g, *categories_value) : nullptr;
  if (!outs || outs->kind != Kind::list || !categories || categories->kind != Kind::list ||
      outs->items.size() != categories->items.size())
    return unchecked("its _n_features_outs and categories_ are not lists of one entry per feature");
  for (std::size_t i = 0; i < outs->items.size(); ++i) {
    auto n = int_value(g, outs->items[i]);
    auto cats = array_shape(g, categories->items[i], lookup);
    if (!n || !cats || cats->size() != 1) return unchecked("a feature's category count is not one the scan can read");
    if (*n < 0 || static_cast<std::uint64_t>(*n) != (*cats)[0])
      return out_of_range("feature " + std::to_string(i) + " has " + std::to_string((*cats)[0]) + " categories and " +
                          std::to_string(*n) + " output columns");
  }
  return {Outcome::valid, {}};
}

// Brute-force neighbours hand _fit_X and a query X validated against n_features_in_ to kernels
// that read _fit_X's rows with X's width.
IndexStateCheck check_neighbors(const ValueGraph& g, const Node& state, const ArrayBytesLookup& lookup) {
  // The metric parameters reach the pairwise reductions as their metric_kwargs, whose Euclidean
  // kernel takes precomputed squared norms from there and reads one per row, unchecked; sklearn
  // never keeps norms among them.
  for (std::string_view key : {"effective_metric_params_", "metric_params"}) {
    const Value* params = dict_value(g, state, key);
    if (!params || params->kind == Kind::none) continue;
    const Node* d = node_at(g, *params);
    if (!d || d->kind != Kind::dict) {
      if (params->kind == Kind::dict && params->len == 0) continue;
      return unchecked(std::string(key) + " is not a dict the pickle spells out");
    }
    for (std::size_t k = 0; k + 1 < d->items.size(); k += 2) {
      if (d->items[k].kind != Kind::string) return unchecked(std::string(key) + " has a key made at load time");
      const std::string_view name = g.text_of(d->items[k]);
      if (name == "Y_norm_squared" || name == "X_norm_squared")
        return out_of_range(std::string(key) + " carries " + std::string(name) +
                            ", which the distance kernels read one per row without comparing its length");
    }
  }
  const Value* fit = dict_value(g, state, "_fit_X");
  if (!fit || fit->kind == Kind::none) return {Outcome::valid, {}};
  const Value* n_in = dict_value(g, state, "n_features_in_");
  auto shape = matrix_shape(g, *fit, lookup);
  if (!n_in || n_in->kind != Kind::integer || !shape || shape->size() != 2)
    return unchecked("its _fit_X or n_features_in_ is not one the scan can read");
  if ((*shape)[1] != static_cast<std::uint64_t>(n_in->i))
    return out_of_range("_fit_X has " + std::to_string((*shape)[1]) + " columns and predict checks X for " +
                        std::to_string(n_in->i));
  return {Outcome::valid, {}};
}

// The feature count predict validates X against: sklearn skips the check when n_features_in_ is
// absent and compares with != (1 == 1.0 == numpy.int64(1)), so only a literal int bounds X.
std::optional<std::int64_t> validated_features(const ValueGraph& g, const Node& state) {
  const Value* n_in = dict_value(g, state, "n_features_in_");
  if (!n_in || n_in->kind != Kind::integer || n_in->i < 0) return std::nullopt;
  return n_in->i;
}

// The centres a BisectingKMeans predicts with: _predict_recursive walks _bisecting_tree from its
// root and stacks each split node's two children's `center`s for _labels_inertia.
std::optional<IndexStateCheck> check_bisecting_tree(const ValueGraph& g, const Node& state, std::int64_t features,
                                                    const ArrayBytesLookup& lookup) {
  const Value* root = dict_value(g, state, "_bisecting_tree");
  if (!root) return unchecked("it has cluster centres but no _bisecting_tree for predict to walk");
  std::vector<const Value*> pending = {root};
  std::unordered_set<std::uint32_t> seen;
  while (!pending.empty()) {
    const Value* v = pending.back();
    pending.pop_back();
    if (v->kind == Kind::none) continue;
    const Node* node = node_at(g, *v);
    const Node* st = node && node->kind == Kind::call && node->items.size() >= 4 ? node_at(g, node->items[3]) : nullptr;
    if (!st || st->kind != Kind::dict) return unchecked("a node of its _bisecting_tree has no state the pickle spells out");
    const auto index = static_cast<std::uint32_t>(v->u);
    if (!seen.insert(index).second)
      return out_of_range("a node of its _bisecting_tree is reached twice (the tree loops)");
    const Value* center = dict_value(g, *st, "center");
    auto shape = center ? array_shape(g, *center, lookup) : std::nullopt;
    if (!shape || shape->size() != 1) return unchecked("a node's centre in its _bisecting_tree is not an array the scan can read");
    if ((*shape)[0] != static_cast<std::uint64_t>(features))
      return out_of_range("a node of its _bisecting_tree has a centre of " + std::to_string((*shape)[0]) +
                          " features, and predict checks X for " + std::to_string(features));
    const Value* left = dict_value(g, *st, "left");
    const Value* right = dict_value(g, *st, "right");
    if (!left || !right) return unchecked("a node of its _bisecting_tree lacks left or right");
    pending.push_back(left);
    pending.push_back(right);
  }
  return std::nullopt;
}

// KMeans, MiniBatchKMeans and BisectingKMeans: predict validates X against n_features_in_ and hands
// it with cluster_centers_ to _labels_inertia, whose sparse kernel reads centers[j, X.indices[k]]
// and whose dense one has BLAS read X's width of every centre, unchecked.
IndexStateCheck check_kmeans(const ValueGraph& g, bool bisecting, const Node& state, const ArrayBytesLookup& lookup) {
  const Value* centers = dict_value(g, state, "cluster_centers_");
  if (!centers) return {Outcome::valid, {}};  // unfitted
  auto features = validated_features(g, state);
  auto shape = matrix_shape(g, *centers, lookup);
  if (!features || !shape || shape->size() != 2)
    return unchecked("its cluster_centers_ or n_features_in_ is not one the scan can read");
  if ((*shape)[1] != static_cast<std::uint64_t>(*features))
    return out_of_range("cluster_centers_ has " + std::to_string((*shape)[1]) + " columns and predict checks X for " +
                        std::to_string(*features));
  if (bisecting)
    if (auto bad = check_bisecting_tree(g, state, *features, lookup)) return *bad;
  return {Outcome::valid, {}};
}

// Birch: predict hands subcluster_centers_ (checked only to be as wide as X) to the pairwise
// argmin reduction with _subcluster_norms as their squared norms, which the Euclidean kernel reads
// one per centre, unchecked.
IndexStateCheck check_birch(const ValueGraph& g, const Node& state, const ArrayBytesLookup& lookup) {
  const Value* centers = dict_value(g, state, "subcluster_centers_");
  if (!centers) return {Outcome::valid, {}};  // unfitted
  const Value* norms_value = dict_value(g, state, "_subcluster_norms");
  auto features = validated_features(g, state);
  auto shape = matrix_shape(g, *centers, lookup);
  auto norms = norms_value ? array_shape(g, *norms_value, lookup) : std::nullopt;
  if (!features || !shape || shape->size() != 2 || !norms || norms->size() != 1)
    return unchecked("its subcluster centres, their norms or n_features_in_ are not ones the scan can read");
  if ((*shape)[1] != static_cast<std::uint64_t>(*features))
    return out_of_range("subcluster_centers_ has " + std::to_string((*shape)[1]) + " columns and predict checks X for " +
                        std::to_string(*features));
  if ((*norms)[0] != (*shape)[0])
    return out_of_range("_subcluster_norms has " + std::to_string((*norms)[0]) + " entries for " +
                        std::to_string((*shape)[0]) + " subcluster centres");
  return {Outcome::valid, {}};
}

// A DistanceMetric on its own: pairwise() checks X against the size of `vec` (state (p, vec,
// mat)); Mahalanobis then reads mat as size x size.
IndexStateCheck check_metric_state(const ValueGraph& g, std::string_view cls, const Node& state,
                                   const ArrayBytesLookup& lookup) {
  if (!cls.starts_with("MahalanobisDistance")) return {Outcome::valid, {}};
  if (state.kind != Kind::tuple || state.items.size() < 3) return unchecked("its state is not the tuple sklearn writes");
  auto vec = array_shape(g, state.items[1], lookup), mat = array_shape(g, state.items[2], lookup);
  if (!vec || vec->size() != 1 || !mat || mat->size() != 2) return unchecked("its vec and mat are not arrays the scan can read");
  if ((*mat)[0] != (*vec)[0] || (*mat)[1] != (*vec)[0])
    return out_of_range("mat is " + std::to_string((*mat)[0]) + " x " + std::to_string((*mat)[1]) + " for a vec of " +
                        std::to_string((*vec)[0]));
  return {Outcome::valid, {}};
}

// sklearn's KDTree and BallTree (state: data, idx_array, node_data, node_bounds, leaf_size,
// n_levels, n_nodes, four counters, dist_metric, sample_weight). Queries walk the implicit binary
// tree (children of node i at 2i+1 and 2i+2) until a leaf, read idx_array[idx_start:idx_end] and
// the data rows those name, and node_bounds[:, i, :], all without bounds checks.
IndexStateCheck check_binary_tree(const ValueGraph& g, const Node& state, bool kd, const ArrayBytesLookup& lookup) {
  if (state.kind != Kind::tuple || state.items.size() < 12) return unchecked("the tree's state is not the tuple sklearn writes");
  auto data = array_shape(g, state.items[0], lookup), bounds = array_shape(g, state.items[3], lookup);
  auto idx_bytes = array_bytes(g, state.items[1], lookup), node_bytes = array_bytes(g, state.items[2], lookup);
  auto idx = idx_bytes ? IntArray::of(g, *idx_bytes) : std::nullopt;
  std::optional<IntArray> start, end, leaf;
  if (node_bytes)
    start = int_field(g, *node_bytes, "idx_start"), end = int_field(g, *node_bytes, "idx_end"),
    leaf = int_field(g, *node_bytes, "is_leaf");
  const Value& levels = state.items[5];
  const Value& count = state.items[6];
  if (!data || data->size() != 2 || !bounds || bounds->size() != 3 || !idx || !idx->complete() || !start || !end ||
      !leaf || levels.kind != Kind::integer || count.kind != Kind::integer)
    return unchecked("the tree's arrays are not ones the scan can read");
  const std::uint64_t samples = (*data)[0], features = (*data)[1], nodes = start->size();
  if (idx->size() != samples)
    return out_of_range("idx_array has " + std::to_string(idx->size()) + " entries for " + std::to_string(samples) + " points");
  for (std::uint64_t i = 0; i < samples; ++i)
    if ((*idx)[i] < 0 || static_cast<std::uint64_t>((*idx)[i]) >= samples)
      return out_of_range("idx_array entry " + std::to_string(i) + " is " + std::to_string((*idx)[i]) + ", outside the " +
                          std::to_string(samples) + " points");
  if (levels.i < 1 || levels.i > 62 || nodes != (std::uint64_t{1} << levels.i) - 1 || count.i < 0 ||
      static_cast<std::uint64_t>(count.i) != nodes)
    return out_of_range(std::to_string(nodes) + " nodes, n_nodes " + std::to_string(count.i) + " and n_levels " +
                        std::to_string(levels.i) + " are not the complete tree the builder makes");
  if ((*bounds)[0] != (kd ? 2u : 1u) || (*bounds)[1] != nodes || (*bounds)[2] != features)
    return out_of_range("node_bounds is not " + std::string(kd ? "2" : "1") + " x " + std::to_string(nodes) + " x " +
                        std::to_string(features));
  for (std::uint64_t i = 0; i < nodes; ++i) {
    const std::int64_t a = (*start)[i], b = (*end)[i];
    if (a < 0 || a > b || static_cast<std::uint64_t>(b) > samples)
      return out_of_range("node " + std::to_string(i) + " spans " + std::to_string(a) + ".." + std::to_string(b) +
                          " of " + std::to_string(samples) + " points");
    if ((*leaf)[i] == 0 && 2 * i + 2 >= nodes)
      return out_of_range("node " + std::to_string(i) + " is not a leaf and has no children among the " +
                          std::to_string(nodes) + " nodes");
  }
  if (auto bad = check_metric(g, state.items[11], features, lookup)) return *bad;
  if (state.items.size() > 12 && state.items[12].kind != Kind::none) {
    auto weights = array_shape(g, state.items[12], lookup);
    if (!weights || weights->size() != 1 || (*weights)[0] != samples)
      return unchecked("the tree's sample weights are not one per point");
  }
  return {Outcome::valid, {}};
}

// scipy.sparse csr/csc: row (column) pointers that rise from 0 to at most the stored entries,
// and column (row) indices inside the matrix. coo: every coordinate inside the matrix.
using StateField = std::function<const Value*(std::string_view key)>;
IndexStateCheck check_sparse(const ValueGraph& g, std::string_view cls, const StateField& field,
                             const ArrayBytesLookup& lookup) {
  const Value* shape_value = field("_shape");
  if (!shape_value) shape_value = field("shape");
  auto shape = shape_value ? shape_of(g, *shape_value) : std::nullopt;
  if (!shape || shape->size() != 2) return unchecked("the matrix's shape is not two numbers");
  auto ints = [&](std::string_view key) -> std::optional<IntArray> {
    const Value* v = field(key);
    auto a = v ? array_bytes(g, *v, lookup) : std::nullopt;
    auto arr = a ? IntArray::of(g, *a) : std::nullopt;
    return arr && arr->complete() ? arr : std::nullopt;
  };
  auto length = [&](std::string_view key) -> std::optional<std::uint64_t> {
    const Value* v = field(key);
    auto a = v ? array_bytes(g, *v, lookup) : std::nullopt;
    if (!a) return std::nullopt;
    return a->shape.empty() ? 1 : a->shape[0];
  };
  auto in_range = [](const IntArray& a, std::uint64_t limit, const char* what) -> std::optional<IndexStateCheck> {
    for (std::uint64_t i = 0; i < a.size(); ++i)
      if (a[i] < 0 || static_cast<std::uint64_t>(a[i]) >= limit)
        return out_of_range(std::string(what) + " " + std::to_string(a[i]) + " at entry " + std::to_string(i) +
                            " is outside 0.." + std::to_string(limit));
    return std::nullopt;
  };
  const bool csr = cls.starts_with("csr_"), csc = cls.starts_with("csc_");
  if (csr || csc) {
    auto indices = ints("indices"), indptr = ints("indptr");
    auto data = length("data");
    if (!indices || !indptr || !data) return unchecked("the matrix's index arrays are not ones whose bytes the scan can read");
    const std::uint64_t major = csr ? (*shape)[0] : (*shape)[1], minor = csr ? (*shape)[1] : (*shape)[0];
    if (indptr->size() != major + 1) return out_of_range("indptr has " + std::to_string(indptr->size()) + " entries for " + std::to_string(major) + " rows");
    std::int64_t previous = 0;
    for (std::uint64_t i = 0; i < indptr->size(); ++i) {
      const std::int64_t p = (*indptr)[i];
      if (p < previous || static_cast<std::uint64_t>(p) > indices->size() || static_cast<std::uint64_t>(p) > *data)
        return out_of_range("indptr " + std::to_string(p) + " at entry " + std::to_string(i) + " does not rise within the " +
                            std::to_string(indices->size()) + " stored entries");
      previous = p;
    }
    if (auto bad = in_range(*indices, minor, "index")) return *bad;
    return {Outcome::valid, {}};
  }
  if (cls.starts_with("coo_")) {
    auto row = ints("row"), col = ints("col");
    auto data = length("data");
    if (!row || !col || !data) return unchecked("the matrix's coordinates are not arrays whose bytes the scan can read");
    if (row->size() != col->size() || row->size() != *data) return out_of_range("row, col and data differ in length");
    if (auto bad = in_range(*row, (*shape)[0], "row")) return *bad;
    if (auto bad = in_range(*col, (*shape)[1], "column")) return *bad;
    return {Outcome::valid, {}};
  }
  return unchecked("its index arrays are not checked yet");
}

}  // namespace

bool has_unchecked_index_state(std::string_view name) {
  static constexpr std::string_view kClasses[] = {
      "sklearn.tree._tree.Tree",
      "sklearn.neighbors._kd_tree.KDTree",
      "sklearn.neighbors._ball_tree.BallTree",
      "sklearn.neighbors.kd_tree.KDTree",
      "sklearn.neighbors.ball_tree.BallTree",
      "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
      "sklearn.tree._classes.DecisionTreeClassifier",
      "sklearn.tree._classes.DecisionTreeRegressor",
      "sklearn.tree._classes.ExtraTreeClassifier",
      "sklearn.tree._classes.ExtraTreeRegressor",
      "sklearn.ensemble._forest.RandomForestClassifier",
      "sklearn.ensemble._forest.RandomForestRegressor",
      "sklearn.ensemble._forest.ExtraTreesClassifier",
      "sklearn.ensemble._forest.ExtraTreesRegressor",
      "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
      "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingRegressor",
      "sklearn.ensemble._gb.GradientBoostingClassifier",
      "sklearn.ensemble._gb.GradientBoostingRegressor",
      "sklearn.ensemble.gradient_boosting.GradientBoostingClassifier",
      "sklearn.ensemble.gradient_boosting.GradientBoostingRegressor",
      "sklearn.svm._classes.SVC",
      "sklearn.svm._classes.NuSVC",
      "sklearn.svm._classes.SVR",
      "sklearn.svm._classes.NuSVR",
      "sklearn.svm._classes.OneClassSVM",
      "sklearn.svm.classes.SVC",
      "sklearn.svm.classes.NuSVC",
      "sklearn.svm.classes.SVR",
      "sklearn.svm.classes.NuSVR",
      "sklearn.svm.classes.OneClassSVM",
  };
  for (std::string_view c : kClasses)
    if (name == c) return true;
  static constexpr std::string_view kIndexHolders[] = {
      "sklearn.feature_extraction.text.CountVectorizer",
      "sklearn.feature_extraction.text.TfidfVectorizer",
      "sklearn.feature_extraction._dict_vectorizer.DictVectorizer",
      "sklearn.preprocessing._label.MultiLabelBinarizer",
      "sklearn.preprocessing._encoders.OneHotEncoder",
      "sklearn.neighbors._classification.KNeighborsClassifier",
      "sklearn.neighbors._classification.RadiusNeighborsClassifier",
      "sklearn.neighbors._regression.KNeighborsRegressor",
      "sklearn.neighbors._regression.RadiusNeighborsRegressor",
      "sklearn.neighbors._unsupervised.NearestNeighbors",
      "sklearn.neighbors._lof.LocalOutlierFactor",
      "sklearn.neighbors._graph.KNeighborsTransformer",
      "sklearn.neighbors._graph.RadiusNeighborsTransformer",
      "sklearn.metrics._dist_metrics.MahalanobisDistance",
      "sklearn.cluster._kmeans.KMeans",
      "sklearn.cluster._kmeans.MiniBatchKMeans",
      "sklearn.cluster._bisect_k_means.BisectingKMeans",
      "sklearn.cluster._birch.Birch",
  };
  for (std::string_view c : kIndexHolders)
    if (name == c) return true;
  if (has_trusted_parameters(name)) return true;
  // scipy.sparse's compressed, coordinate, block and diagonal formats (matrix and array classes,
  // under every module path scipy has used); lil and dok hold Python lists and dicts of indices,
  // which tocsr() hands to the same compiled code unchecked.
  if (!name.starts_with("scipy.sparse.")) return false;
  const std::string_view cls = name.substr(name.rfind('.') + 1);
  for (std::string_view format : {"csr_", "csc_", "bsr_", "coo_", "dia_", "lil_", "dok_"})
    if (cls.starts_with(format)) return true;
  return false;
}

IndexStateCheck check_index_state(const ValueGraph& graph, std::string_view class_name, const Node& object,
                                  const Value& state, const ArrayBytesLookup& lookup) {
  const Node* st = node_at(graph, state);
  if (st && (class_name.ends_with(".KDTree") || class_name.ends_with(".BallTree")))
    return check_binary_tree(graph, *st, class_name.ends_with(".KDTree"), lookup);
  if (st && class_name.starts_with("sklearn.metrics._dist_metrics."))
    return check_metric_state(graph, class_name.substr(class_name.rfind('.') + 1), *st, lookup);
  if (!st || st->kind != Kind::dict) return unchecked("its state is not a dict the pickle spells out");
  // Python's dict keeps the last of equal keys: one made at load time (builtins.str(b'indices',
  // 'ascii')) after the literal replaces the value checked here.
  for (std::size_t k = 0; k < st->items.size(); k += 2)
    if (st->items[k].kind != Kind::string)
      return {Outcome::out_of_range, "its state has the key " + graph.describe(st->items[k], 60) +
                                         ", made at load time, which can replace a checked key's value"};
  if (has_trusted_parameters(class_name)) {
    IndexStateCheck parameters = check_trusted_parameters(graph, class_name, *st);
    if (parameters.outcome != Outcome::valid) return parameters;
  }
  if (class_name == "sklearn.tree._tree.Tree") return check_tree(graph, object, *st, lookup);
  if (class_name.ends_with(".TreePredictor")) return check_tree_predictor(graph, *st, lookup);
  if (class_name.ends_with(".HistGradientBoostingClassifier") || class_name.ends_with(".HistGradientBoostingRegressor"))
    return check_hist_boosting(graph, *st, lookup);
  const std::string_view last = class_name.substr(class_name.rfind('.') + 1);
  if (last == "CountVectorizer" || last == "TfidfVectorizer" || last == "DictVectorizer" || last == "MultiLabelBinarizer")
    return check_vectorizer(graph, last, *st, lookup);
  if (last == "OneHotEncoder") return check_one_hot(graph, *st, lookup);
  if (last == "KMeans" || last == "MiniBatchKMeans" || last == "BisectingKMeans")
    return check_kmeans(graph, last == "BisectingKMeans", *st, lookup);
  if (last == "Birch") return check_birch(graph, *st, lookup);
  if (has_trusted_parameters(class_name)) return {Outcome::valid, {}};  // no arrays of its own to check
  if (class_name.starts_with("sklearn.neighbors.")) return check_neighbors(graph, *st, lookup);
  if (class_name.starts_with("sklearn.tree.") || class_name.starts_with("sklearn.ensemble."))
    return check_tree_estimator(graph, *st);
  if (class_name.starts_with("sklearn.svm.")) {
    const std::string_view cls = class_name.substr(class_name.rfind('.') + 1);
    return check_libsvm(graph, cls == "SVC" || cls == "NuSVC", *st, lookup);
  }
  if (class_name.starts_with("scipy.sparse."))
    return check_sparse(graph, class_name.substr(class_name.rfind('.') + 1),
                        [&](std::string_view key) { return dict_value(graph, *st, key); }, lookup);
  return unchecked("its index arrays are not checked yet");
}

bool needs_state(std::string_view name) {
  return name == "sklearn.tree._tree.Tree" || name.ends_with("_kd_tree.KDTree") || name.ends_with("_ball_tree.BallTree") ||
         name.ends_with("kd_tree.KDTree") || name.ends_with("ball_tree.BallTree") || name.ends_with(".TreePredictor") ||
         (name.starts_with("scipy.sparse.") && has_unchecked_index_state(name));
}

IndexStateCheck check_unbuilt_object(const ValueGraph& graph, std::string_view class_name, const Node& object,
                                     const ArrayBytesLookup& lookup) {
  // scipy's csr/csc constructors take (data, indices, indptr) and a shape, and check neither the
  // indices nor the order of the pointers (check_format(full_check=False)).
  const Node* args = object.items.size() > 1 ? node_at(graph, object.items[1]) : nullptr;
  const std::string_view cls = class_name.substr(class_name.rfind('.') + 1);
  if (class_name.starts_with("scipy.sparse.") && (cls.starts_with("csr_") || cls.starts_with("csc_")) && args &&
      object.how == CallHow::reduce && object.items.size() == 2 && args->items.size() == 2 &&
      defining_class(graph, object.items[0]) == class_name) {
    const Node* parts = node_at(graph, args->items[0]);
    if (parts && parts->kind == Kind::tuple && parts->items.size() == 3) {
      const Value& shape = args->items[1];
      auto field = [&](std::string_view key) -> const Value* {
        if (key == "data") return &parts->items[0];
        if (key == "indices") return &parts->items[1];
        if (key == "indptr") return &parts->items[2];
        if (key == "shape") return &shape;
        return nullptr;
      };
      return check_sparse(graph, cls, field, lookup);
    }
  }
  return unchecked("it is never given a state (no BUILD): its arrays are what its constructor left, which the scan "
                   "does not check");
}

}  // namespace modelgate::pickle
