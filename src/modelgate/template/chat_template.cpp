#include "template/chat_template.h"

#include <algorithm>
#include <vector>

#include "core/rule_catalog.h"
#include "modelgate/rules.h"
#include "template/analyse.h"
#include "template/lexer.h"
#include "template/parser.h"
#include "template/vocabulary.h"

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

// Line starts, so that many findings in a large template do not rescan it each time.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) {
    starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') starts_.push_back(i + 1);
  }
  std::string where(std::size_t offset) const {
    auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
    std::size_t line = static_cast<std::size_t>(it - starts_.begin());
    std::size_t col = offset - starts_[line - 1] + 1;
    return "line " + std::to_string(line) + ", column " + std::to_string(col);
  }

 private:
  std::vector<std::size_t> starts_;
};

}  // namespace

void analyse_chat_template(std::string_view text, const std::string& origin, const Limits& limits,
                           ArtifactReport& report, std::optional<std::uint64_t> base_offset) {
  auto at = [&](std::size_t offset) -> std::optional<std::uint64_t> {
    if (!base_offset) return std::nullopt;
    return *base_offset + offset;
  };
  auto parsed = jinja::parse_template(text, jinja::parse_limits(limits));
  bool over_limit = !parsed && parsed.error().rule == RuleId("MG-LIMIT-EXCEEDED");
  LineIndex lines(over_limit && text.size() > limits.max_template_bytes ? std::string_view() : text);
  auto where = [&](std::size_t offset) { return lines.where(offset); };
  if (!parsed) {
    const Error& e = parsed.error();
    std::string msg = "chat template " + (over_limit ? std::string("exceeds a limit") : std::string("does not parse")) +
                      " at " + where(e.offset) + ": " + e.reason;
    report.add(make_finding(rule(e.rule), origin, at(e.offset), std::move(msg), snippet(text, e.offset)));
    return;
  }
  for (const jinja::Issue& issue : jinja::analyse_template(*parsed, limits)) {
    report.add(make_finding(rule(issue.rule), origin, at(issue.offset),
                            issue.message + " (" + where(issue.offset) + ")", snippet(text, issue.offset)));
  }
}

void check_jinja_in_value(std::string_view text, const std::string& origin, std::string_view key,
                          const Limits& limits, ArtifactReport& report) {
  if (text.find("{{") == std::string_view::npos && text.find("{%") == std::string_view::npos) return;
  std::string k(key.substr(0, 120));
  for (char& c : k)
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  auto parsed = jinja::parse_template(text, jinja::parse_limits(limits));
  if (!parsed) {
    // modelgate's parser refuses some templates Jinja accepts (non-ASCII identifiers, limits), so
    // a value it cannot parse is judged by its text: a dunder is a sandbox-escape primitive.
    if (jinja::contains_dunder(text))
      report.add(make_finding(rule("MG-TEMPLATE-IN-VALUE"), origin, std::nullopt,
                              "value of \"" + k + "\" has Jinja tags that modelgate cannot parse (" + parsed.error().reason +
                                  ") and names a dunder attribute",
                              snippet(text, 0)));
    return;
  }
  for (const jinja::Issue& issue : jinja::analyse_template(*parsed, limits)) {
    if (rule(issue.rule).status != Status::unsafe) continue;
    report.add(make_finding(rule("MG-TEMPLATE-IN-VALUE"), origin, std::nullopt,
                            "value of \"" + k + "\" is Jinja that " + issue.message + " (" + std::string(issue.rule.view()) + ")",
                            snippet(text, issue.offset)));
    return;
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
  if (report.parsed.chat_templates.empty() || report.format == "chat-template") return;
  for (const auto& child : report.children)
    if (child.format == "chat-template") return;
  for (const auto& [name, text] : report.parsed.chat_templates)
    report.children.push_back(chat_template_report(text, report.origin + "!/" + name, limits));
}

}  // namespace modelgate
