#include "pickle/estimator_parameters.h"

#include <cstdint>
#include <initializer_list>
#include <string>

namespace modelgate::pickle {

namespace {

// What sklearn's _parameter_constraints allow for a parameter (and what fit derives from it).
struct Constraint {
  enum class Type { boolean, integer, text, degree } type;
  std::int64_t low = 0, high = INT64_MAX;       // integer: closed range
  std::initializer_list<std::string_view> options = {};  // text: the allowed strings
};

struct TrustedParameter {
  std::string_view cls;  // the last part of the defining class's name
  std::string_view key;
  Constraint constraint;
};

constexpr std::int64_t kInt32Max = 2147483647;
// OpenMP is asked for this many threads (num_threads of a prange): at least one, and not a count
// that makes the runtime fail to start them.
constexpr std::int64_t kThreadsMax = 4096;

const TrustedParameter kParameters[] = {
    // PolynomialFeatures: transform of a csr matrix hands interaction_only and each degree from
    // _min_degree to _max_degree to _csr_polynomial_expansion, which offsets column indices by the
    // former; the dense path allocates _n_out_full columns.
    {"PolynomialFeatures", "interaction_only", {Constraint::Type::boolean}},
    {"PolynomialFeatures", "include_bias", {Constraint::Type::boolean}},
    {"PolynomialFeatures", "degree", {Constraint::Type::degree}},
    {"PolynomialFeatures", "order", {Constraint::Type::text, 0, 0, {"C", "F"}}},
    {"PolynomialFeatures", "_min_degree", {Constraint::Type::integer, 0}},
    {"PolynomialFeatures", "_max_degree", {Constraint::Type::integer, 0}},
    {"PolynomialFeatures", "n_output_features_", {Constraint::Type::integer, 0}},
    {"PolynomialFeatures", "_n_out_full", {Constraint::Type::integer, 0}},
    // FeatureHasher and HashingVectorizer: _hashing_transform takes each hash modulo n_features.
    {"FeatureHasher", "n_features", {Constraint::Type::integer, 1, kInt32Max}},
    {"FeatureHasher", "alternate_sign", {Constraint::Type::boolean}},
    {"FeatureHasher", "input_type", {Constraint::Type::text, 0, 0, {"dict", "pair", "string"}}},
    {"HashingVectorizer", "n_features", {Constraint::Type::integer, 1, kInt32Max}},
    {"HashingVectorizer", "alternate_sign", {Constraint::Type::boolean}},
    {"HashingVectorizer", "binary", {Constraint::Type::boolean}},
    // The k-means family: predict runs its Cython kernels with _n_threads OpenMP threads.
    {"KMeans", "_n_threads", {Constraint::Type::integer, 1, kThreadsMax}},
    {"MiniBatchKMeans", "_n_threads", {Constraint::Type::integer, 1, kThreadsMax}},
    {"BisectingKMeans", "_n_threads", {Constraint::Type::integer, 1, kThreadsMax}},
};

std::string_view last_part(std::string_view class_name) { return class_name.substr(class_name.rfind('.') + 1); }

bool is_sklearn_class(std::string_view class_name) {
  return class_name.starts_with("sklearn.preprocessing.") || class_name.starts_with("sklearn.feature_extraction.") ||
         class_name.starts_with("sklearn.cluster.");
}

const Value* dict_item(const ValueGraph& g, const Node& dict, std::string_view key) {
  const Value* found = nullptr;  // a later pair wins, as in Python's dict
  for (std::size_t k = 0; k + 1 < dict.items.size(); k += 2)
    if (dict.items[k].kind == Kind::string && g.text_of(dict.items[k]) == key) found = &dict.items[k + 1];
  return found;
}

bool int_in(const Value& v, std::int64_t low, std::int64_t high) {
  return v.kind == Kind::integer && v.i >= low && v.i <= high;
}

// Why `v` breaks `c`, empty when it keeps it; nullopt when it is not a literal the scan can judge.
std::optional<std::string> violation(const ValueGraph& g, const Value& v, const Constraint& c) {
  switch (c.type) {
    case Constraint::Type::boolean:
      if (v.kind == Kind::boolean) return std::string();
      if (v.kind == Kind::integer || v.kind == Kind::big_integer || v.kind == Kind::floating || v.is_text_or_bytes() ||
          v.kind == Kind::none)
        return "is " + g.describe(v, 40) + ", not a bool";
      return std::nullopt;
    case Constraint::Type::integer:
      if (int_in(v, c.low, c.high)) return std::string();
      if (v.kind == Kind::integer || v.kind == Kind::big_integer || v.kind == Kind::floating || v.kind == Kind::boolean ||
          v.is_text_or_bytes() || v.kind == Kind::none)
        return "is " + g.describe(v, 40) + ", not an int in " + std::to_string(c.low) + ".." + std::to_string(c.high);
      return std::nullopt;
    case Constraint::Type::text:
      if (v.kind == Kind::string) {
        for (std::string_view o : c.options)
          if (g.text_of(v) == o) return std::string();
        return "is " + g.describe(v, 40) + ", not one of the values sklearn allows";
      }
      return std::nullopt;
    case Constraint::Type::degree: {  // an int >= 0 or a (min_degree, max_degree) pair
      if (int_in(v, 0, INT64_MAX)) return std::string();
      if (v.kind == Kind::tuple && v.has_node()) {
        const Node& t = g.node(static_cast<std::uint32_t>(v.u));
        if (t.items.size() == 2 && int_in(t.items[0], 0, INT64_MAX) && int_in(t.items[1], 0, INT64_MAX) &&
            t.items[0].i <= t.items[1].i)
          return std::string();
        return "is " + g.describe(v, 40) + ", not a degree or a rising pair of degrees";
      }
      if (v.kind == Kind::integer || v.kind == Kind::floating || v.kind == Kind::boolean || v.is_text_or_bytes())
        return "is " + g.describe(v, 40) + ", not a degree";
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

bool has_trusted_parameters(std::string_view class_name) {
  if (!is_sklearn_class(class_name)) return false;
  for (const TrustedParameter& p : kParameters)
    if (p.cls == last_part(class_name)) return true;
  return false;
}

IndexStateCheck check_trusted_parameters(const ValueGraph& graph, std::string_view class_name, const Node& state) {
  const std::string_view cls = last_part(class_name);
  for (const TrustedParameter& p : kParameters) {
    if (p.cls != cls) continue;
    const Value* v = dict_item(graph, state, p.key);
    if (!v) continue;  // sklearn's default (class attribute) or a fit that never set it
    auto bad = violation(graph, *v, p.constraint);
    if (!bad)
      return {IndexStateCheck::Outcome::unchecked,
              "its parameter " + std::string(p.key) + ", which compiled code trusts after load, is not a literal "
              "the scan can check against sklearn's constraints"};
    if (!bad->empty())
      return {IndexStateCheck::Outcome::out_of_range,
              "its parameter " + std::string(p.key) + " " + *bad + " (sklearn checks it only in fit())"};
  }
  // fit sets _min_degree <= _max_degree; transform walks the degrees between them.
  if (cls == "PolynomialFeatures") {
    const Value* low = dict_item(graph, state, "_min_degree");
    const Value* high = dict_item(graph, state, "_max_degree");
    if (low && high && low->i > high->i)
      return {IndexStateCheck::Outcome::out_of_range,
              "its _min_degree " + std::to_string(low->i) + " is above its _max_degree " + std::to_string(high->i)};
  }
  return {IndexStateCheck::Outcome::valid, {}};
}

}  // namespace modelgate::pickle
