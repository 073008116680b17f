#include <algorithm>

#include "format/scanners.h"
#include "core/rule_catalog.h"
#include "template/chat_template.h"

namespace modelgate {

namespace {

// The names under which loaders read a standalone file as a template (transformers'
// chat_template.jinja and additional_chat_templates/*.jinja; the usual Jinja suffixes).
bool named_like_a_template(std::string_view name) {
  auto slash = name.find_last_of('/');
  auto base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  for (std::string_view suffix : {".jinja", ".jinja2", ".j2"})
    if (base.ends_with(suffix)) return true;
  return base.find("template") != std::string_view::npos;
}

}  // namespace

// Text with Jinja tags that no other format claims: chat_template.jinja and friends.
void scan_jinja_file(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  std::string_view text = as_chars(a.bytes);
  ArtifactReport analysis;
  analyse_chat_template(text, a.origin, ctx.limits(), analysis, 0);
  bool parses = std::none_of(analysis.findings.begin(), analysis.findings.end(),
                             [](const Finding& f) { return f.rule == "MG-TEMPLATE-SYNTAX"; });
  if (!parses && !named_like_a_template(a.name.empty() ? a.origin : a.name)) {
    // Jinja could not compile it either, and no loader reads it as a template under this name.
    report.format = "text";
    report.add(make_finding(rule("MG-TEXT-TEMPLATE-LIKE"), a.origin, std::nullopt,
                            "has '{{' or '{%' but is not a Jinja template; treated as text"));
    return;
  }
  for (auto& f : analysis.findings) report.add(std::move(f));
  if (text.size() <= ctx.limits().max_template_bytes)
    report.parsed.chat_templates["default"] = std::string(text);
}

}  // namespace modelgate
