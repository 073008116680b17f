#include "template/chat_template.h"

#include "modelgate/rules.h"
#include "template/analyse.h"
#include "template/lexer.h"
#include "template/parser.h"

namespace modelgate {

namespace {

// The template text at `offset`, up to the end of its line, for the finding's evidence.
std::string snippet(std::string_view text, std::size_t offset) {
  if (offset >= text.size()) return {};
  std::string_view rest = text.substr(offset, 100);
  std::size_t nl = rest.find('\n');
  std::string out(rest.substr(0, nl));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return out;
}

std::string where(std::string_view text, std::size_t offset) {
  std::size_t line = 0, col = 0;
  jinja::line_col(text, offset, line, col);
  return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

}  // namespace

void analyse_chat_template(std::string_view text, const std::string& origin, const Limits& limits,
                           ArtifactReport& report, std::optional<std::uint64_t> base_offset) {
  auto at = [&](std::size_t offset) -> std::optional<std::uint64_t> {
    if (!base_offset) return std::nullopt;
    return *base_offset + offset;
  };
  jinja::ParseLimits pl;
  pl.max_bytes = limits.max_template_bytes;
  pl.max_tokens = limits.max_template_tokens;
  pl.max_depth = limits.max_template_depth;
  jinja::ParseResult parsed = jinja::parse_template(text, pl);
  if (!parsed.ok) {
    std::string msg = "chat template " + (parsed.limit ? std::string("exceeds a limit") : std::string("does not parse")) +
                      " at " + where(text, parsed.error_offset) + ": " + parsed.error;
    report.add(make_finding(rule(parsed.limit ? "MG-LIMIT-EXCEEDED" : "MG-TEMPLATE-SYNTAX"), origin,
                            at(parsed.error_offset), std::move(msg), snippet(text, parsed.error_offset)));
    return;
  }
  for (const jinja::Issue& issue : jinja::analyse_template(parsed.ast)) {
    report.add(make_finding(rule(issue.rule), origin, at(issue.offset),
                            issue.message + " (" + where(text, issue.offset) + ")", snippet(text, issue.offset)));
  }
}

ArtifactReport chat_template_report(std::string_view text, std::string origin, const Limits& limits) {
  ArtifactReport r;
  r.origin = std::move(origin);
  r.format = "chat-template";
  r.size = text.size();
  analyse_chat_template(text, r.origin, limits, r);
  r.finalize();
  return r;
}

void analyse_recorded_chat_templates(ArtifactReport& report, const Limits& limits) {
  auto it = report.facts.find("chat_templates");
  if (it == report.facts.end() || !it->is_object() || report.format == "chat-template") return;
  for (const auto& child : report.children)
    if (child.format == "chat-template") return;
  for (const auto& [name, text] : it->items()) {
    if (text.is_string()) {
      report.children.push_back(chat_template_report(text.get<std::string>(), report.origin + "!/" + name, limits));
    } else {
      ArtifactReport r;
      r.origin = report.origin + "!/" + name;
      r.format = "chat-template";
      r.add(make_finding(rule("MG-TEMPLATE-SYNTAX"), r.origin, std::nullopt, "chat template is not a string"));
      r.finalize();
      report.children.push_back(std::move(r));
    }
  }
}

}  // namespace modelgate
