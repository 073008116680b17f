#include "report/json_report.h"

#include "core/escaped_text.h"
#include "core/json_text.h"
#include "core/model_facts_json.h"
#include "core/parsed_facts_json.h"
#include "modelgate/render.h"
#include "modelgate/version.h"
#include "core/sandbox_layers_json.h"

namespace modelgate {

namespace {

// The report is written as it is walked, with no JSON tree built for it first: a tree per report
// was most of the time of rendering. core/json_text.h's layout, keys in std::map order, gives the
// text json_text(tree, 2) gave; facts and model facts, which are trees already, go through it.
constexpr int kIndent = 2;

class ObjectText : public JsonObjectText {
 public:
  ObjectText(std::string& out, int depth) : JsonObjectText(out, kIndent, depth) {}
  void string(std::string_view k, std::string_view v) { append_json_string(key(k), v); }
  void number(std::string_view k, std::uint64_t v) { key(k) += std::to_string(v); }
  void tree(std::string_view k, const nlohmann::json& v) { append_json_text(key(k), v, kIndent, depth() + 1); }
};

template <class Items, class Write>
void append_array(std::string& out, const Items& items, int depth, Write write) {
  append_json_array(out, items, kIndent, depth, write);
}

void append_finding(std::string& out, const Finding& f, int depth) {
  ObjectText o(out, depth);
  if (!f.evidence.empty()) o.string("evidence", f.evidence);
  o.string("message", f.message);
  if (f.offset) o.number("offset", *f.offset);
  o.string("origin", f.origin);
  o.string("rule", f.rule);
  o.string("severity", to_string(f.severity));
  o.string("status", to_string(f.status));
  o.end();
}

void append_report(std::string& out, const ArtifactReport& r, int depth) {
  ObjectText o(out, depth);
  if (!r.children.empty()) append_array(o.key("children"), r.children, depth + 1, append_report);
  if (auto facts = facts_json(r); !facts.empty()) o.tree("facts", facts);
  append_array(o.key("findings"), r.findings, depth + 1, append_finding);
  o.string("format", r.format);
  if (auto model = model_facts_json(r.model); !model.empty()) o.tree("model", model);
  o.string("origin", r.origin);
  if (!r.sha256.empty()) o.string("sha256", r.sha256);
  if (!r.sha512.empty()) o.string("sha512", r.sha512);
  o.number("size", r.size);
  o.string("status", to_string(r.status));
  o.end();
}

}  // namespace

std::string report_json_text(const ArtifactReport& r) {
  std::string out;
  append_report(out, r, 0);
  return out;
}

void render_json(const ScanResult& result, std::ostream& out) {
  std::string text;
  ObjectText o(text, 0);
  append_array(o.key("artifacts"), result.artifacts, 1, append_report);
  {
    ObjectText decision(o.key("decision"), 1);
    decision.key("allow") += result.decision.allow ? "true" : "false";
    append_array(decision.key("reasons"), result.decision.reasons, 2,
                 [](std::string& s, const std::string& reason, int) { append_json_string(s, reason); });
    decision.end();
  }
  o.tree("sandbox", sandbox_layers_json(result.sandbox));
  o.string("schema", kScanSchema);
  {
    ObjectText tool(o.key("tool"), 1);
    tool.string("name", "modelgate");
    tool.string("version", kVersion);
    tool.end();
  }
  o.end();
  text += '\n';
  out << text;
}

}  // namespace modelgate
