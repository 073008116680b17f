#pragma once
// An upper bound on how large a value can be at render time: an integer's magnitude, a string's or
// a list's length. Constant folding (fold.h) gives up on values it cannot hold (range(100000)|sum,
// 'a' * 99999), but their size is still known from the template text; sizes that come from the
// context's data are linear in it, and the rest (a product of data sizes, a sum over data, a
// replacement by the subject itself) has no bound at all. The resource checks report sizes that
// are known and large, and sizes without a bound where a size decides the work (a repetition
// count, a padding width, a range() bound).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "template/ast.h"
#include "template/fold.h"

namespace modelgate::jinja {

struct SizeBound {
  // data: grows with the context's data (one message, the number of messages), linearly.
  enum class Kind : std::uint8_t { known, data, unbounded };
  Kind kind = Kind::unbounded;
  double value = 0;             // known: the bound
  bool sequence = false;        // a string or a list (a repetition of it builds something)
  Kind item_kind = Kind::data;  // a list's items, a string's characters
  double item = 0;              // item_kind known: the largest item, or anything inside it
  // A number or a boolean, never a string or a list: a product of numbers repeats nothing. A size
  // that is neither a sequence nor a number (a name from the context) may be either.
  bool number = false;
};

class SizeBounds {
 public:
  // Names resolve through the folder's bindings of the moment, so the analysis calls of() in
  // document order, as it calls Folder::fold.
  SizeBounds(const Ast& ast, Folder& folder);

  SizeBound of(NodeId id);

 private:
  SizeBound compute(NodeId id);
  SizeBound name(const std::string& n);
  SizeBound macro_output(const Node& call, NodeId macro);
  SizeBound printed(NodeId body);
  SizeBound filter(const Node& n);
  SizeBound call(const Node& n);
  SizeBound binary(const Node& n);
  SizeBound method(const Node& n, const std::string& m, NodeId self);
  SizeBound replace(NodeId subject, NodeId old_text, NodeId new_text);
  SizeBound percent_format(NodeId format, const std::vector<NodeId>& args);
  NodeId arg(const Node& n, std::size_t first, std::size_t index, const char* keyword) const;

  const Ast& ast_;
  Folder& folder_;
  std::vector<std::uint8_t> busy_;
  std::vector<std::optional<SizeBound>> memo_;
  // The parameters of the macro calls being evaluated, innermost last: a macro's output is bounded
  // per call, with what that call passes (f(f(f(x))) with f(x) = x * 1000 is x * 10^9).
  std::vector<std::unordered_map<std::string, SizeBound>> frames_;
  std::vector<NodeId> running_;  // macros being evaluated: a recursion is the recursion check's
  unsigned macro_work_ = 0;
  unsigned depth_ = 0;
};

// Whether a format text takes widths from its arguments: '%*s', or a field nested in a str.format
// spec ('{:>{}}').
bool format_takes_widths(std::string_view text);

// Largest bound that is still a bound; anything past it is as good as unbounded.
inline constexpr double kSizeCap = 1e18;

}  // namespace modelgate::jinja
