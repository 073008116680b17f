#include "pickle/tensor_object_state.h"

namespace modelgate::pickle {

namespace tensor_object_state {

// Attributes of torch.Tensor whose setters change the tensor or what runs with it.
constexpr std::string_view kTensorAttributes[] = {
    "data", "grad", "_grad", "real", "imag", "names", "requires_grad", "retains_grad", "_backward_hooks",
    "_post_accumulate_grad_hooks", "_base", "_cdata", "_version", "grad_fn", "_grad_fn", "is_leaf", "output_nr",
    "T", "H", "mT", "mH", "shape", "dtype", "device", "layout", "itemsize", "nbytes", "ndim", "is_sparse"};

std::optional<std::string> dict_write(const ValueGraph& g, const Value& part) {
  if (part.kind == Kind::none) return std::nullopt;
  if (part.kind != Kind::dict) return "a state that is not a dict (" + g.describe(part, 80) + ")";
  if (!part.has_node()) return std::nullopt;
  const Node& n = g.node(static_cast<std::uint32_t>(part.u));
  for (std::size_t k = 0; k < n.items.size(); k += 2) {
    if (n.items[k].kind != Kind::string) return "the key " + g.describe(n.items[k], 60) + ", made at load time";
    const std::string_view key = g.text_of(n.items[k]);
    if (key.starts_with("__")) return "the key '" + std::string(key.substr(0, 60)) + "'";
    for (std::string_view a : kTensorAttributes)
      if (key == a) return "the key '" + std::string(key) + "', an attribute of torch.Tensor";
  }
  return std::nullopt;
}

}  // namespace tensor_object_state

std::optional<std::string> tensor_state_write(const ValueGraph& g, const Value& state) {
  using tensor_object_state::dict_write;
  if (state.kind != Kind::tuple) return dict_write(g, state);
  // (dict_state, slots_state): torch raises on any other length.
  if (!state.has_node()) return std::nullopt;
  const Node& n = g.node(static_cast<std::uint32_t>(state.u));
  if (n.items.size() != 2) return std::nullopt;
  if (auto w = dict_write(g, n.items[0])) return w;
  return dict_write(g, n.items[1]);
}

}  // namespace modelgate::pickle
