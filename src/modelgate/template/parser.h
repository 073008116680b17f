#pragma once
// Recursive-descent parser for Jinja2 templates (the syntax real chat templates use, with the
// loopcontrols and do extensions and Hugging Face's {% generation %} block). Nothing is rendered.
#include <string>
#include <string_view>

#include "core/expected.h"
#include "modelgate/limits.h"
#include "template/ast.h"

namespace modelgate::jinja {

struct ParseLimits {
  std::size_t max_bytes = 0;
  std::size_t max_tokens = 0;
  std::size_t max_depth = 0;   // nesting of statements and expressions together
  std::size_t max_height = 0;  // longest path in the tree (attribute and filter chains too)
};
// Limits::max_template_bytes, _tokens, _depth and _height.
ParseLimits parse_limits(const Limits& limits);

// An error is under MG-TEMPLATE-SYNTAX, or MG-LIMIT-EXCEEDED when a resource bound was hit.
Expected<Ast> parse_template(std::string_view source, const ParseLimits& limits);

}  // namespace modelgate::jinja
