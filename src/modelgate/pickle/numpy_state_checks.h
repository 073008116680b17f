#pragma once
// The BUILD states numpy copies in without checking them: a dtype's flags, item size and field
// layout, and the read positions of the random generators. numpy's own writer produces only
// consistent states; any other one forges objects from raw bytes or reads outside memory when the
// object is used, with nothing but allowlisted names. Every such state is checked here.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modelgate/rule_id.h"
#include "pickle/value.h"

namespace modelgate::pickle {

// Which numpy object a call of `callable_name` makes, when its state is checked here.
NumpyObject numpy_object_of(std::string_view callable_name);

// A dtype as numpy's writer spells it: kind ('i', 'f', 'V', ...), item size in bytes, and whether
// its items are stored big-endian (from the code, or from the byte order its BUILD gave it).
struct NumpyItemType {
  char kind = 0;
  std::uint64_t size = 0;
  bool big_endian = false;
};
// nullopt when `dtype` is not a numpy.dtype call made from a type code numpy writes.
std::optional<NumpyItemType> numpy_item_type(const ValueGraph& graph, const Value& dtype);

struct NumpyStateProblem {
  RuleId rule;
  std::string message;  // what numpy's writer never produces, and what it does to the loader
};

struct NumpyStateCheck {
  std::vector<NumpyStateProblem> problems;
  // The state holds containers this run did not keep (a scan that keeps only what naming needs):
  // read the stream again keeping them, then check.
  bool needs_retained_data = false;
  // Containers numpy keeps a reference to (a dtype's fields dict): changing them later changes it.
  std::vector<std::uint32_t> kept_by_numpy;
};

// `target` is the BUILD's object, a call node whose `numpy` is set; `state` what BUILD gives it.
// `fields_left` is the stream's budget of dtype fields to check, shared by all its BUILDs.
NumpyStateCheck check_numpy_build_state(const ValueGraph& graph, const Node& target, const Value& state,
                                        bool data_retained, std::uint64_t& fields_left);

}  // namespace modelgate::pickle
