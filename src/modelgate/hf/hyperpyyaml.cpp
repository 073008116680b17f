#include "hf/hyperpyyaml.h"

#include <map>
#include <optional>
#include <set>

#include "core/rule_catalog.h"
#include "hf/library_paths.h"
#include "hf/loader_routes.h"
#include "readers/yaml_document.h"
#include "readers/yaml_tags.h"

namespace modelgate {

namespace {

struct Resolution {
  std::string_view prefix;
  const char* what;
};

// The multi-constructors load_hyperpyyaml registers, and the tag resolve_references calls.
constexpr Resolution kCallingTags[] = {
    {"!new:", "instantiates it with the node's arguments"},
    {"!name:", "wraps it in functools.partial with the node's arguments (called later)"},
    {"!module:", "imports it (the module's top-level code runs)"},
    {"!apply:", "calls it with the node's arguments while the file loads"},
    {"!applyref:", "calls it with the node's arguments while references are resolved"},
};

// pydoc.locate: the path split at dots with empty parts dropped.
std::string located_path(std::string_view path) {
  std::string out;
  for (std::size_t p = 0; p <= path.size();) {
    std::size_t dot = path.find('.', p);
    if (dot == std::string_view::npos) dot = path.size();
    if (dot > p) out += (out.empty() ? "" : ".") + std::string(path.substr(p, dot - p));
    p = dot + 1;
  }
  return out;
}

// The names this scan reads as YAML configurations (and so as HyperPyYAML): a .yaml or .yml
// extension in any case, also before another extension.
bool yaml_named(std::string_view file) {
  std::string l(file.substr(file.find_last_of("/\\") == std::string_view::npos ? 0 : file.find_last_of("/\\") + 1));
  for (char& c : l) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
  return l.ends_with(".yaml") || l.ends_with(".yml") || l.find(".yaml.") != std::string::npos ||
         l.find(".yml.") != std::string::npos;
}

void calling_tag(std::string_view tag, const Resolution& r, std::uint64_t offset, const std::string& origin,
                 ArtifactReport& report) {
  const std::string path = located_path(tag.substr(r.prefix.size()));
  if (path.empty()) return;  // pydoc.locate finds nothing: load_hyperpyyaml raises
  const bool module_tag = r.prefix == "!module:";
  if (library_own_path(path, LibraryRoute::hyperpyyaml)) return;
  const bool bare = path.find('.') == std::string::npos;
  const std::string shown = std::string(tag.substr(0, 200));
  report.add(make_finding(rule("MG-HYPERPYYAML-CALL"), origin, offset,
                          "HyperPyYAML tag " + shown + ": load_hyperpyyaml resolves '" + path.substr(0, 200) +
                              "' with pydoc.locate" + (bare && !module_tag ? " (a bare name is looked up in builtins)" : "") +
                              " and " + r.what,
                          shown));
  grade_config_callable(bare && !module_tag ? "builtins." + path : path, origin, offset, report);
}

// `!tuple` text: HyperPyYAML's _make_tuple loads "[" + text[1:-1] + "]" with yaml.Loader.
void tuple_text(std::string_view scalar, std::uint64_t offset, const std::string& origin, ArtifactReport& report) {
  if (scalar.size() < 2) return;
  const std::string list = "[" + std::string(scalar.substr(1, scalar.size() - 2)) + "]";
  for (const auto& tag : yaml::python_tags(list)) {
    const std::string_view suffix = std::string_view(tag.resolved).substr(yaml::kPythonTagPrefix.size());
    bool data = false;
    for (std::string_view t : {"none", "bool", "str", "unicode", "bytes", "int", "long", "float", "complex", "list",
                               "tuple", "dict"})
      data = data || suffix == t;
    if (data) continue;
    report.add(make_finding(rule("MG-YAML-PYTHON-OBJECT"), origin, offset,
                            "YAML tag " + tag.resolved.substr(0, 200) +
                                " inside a tuple value: HyperPyYAML's _make_tuple parses the value again with PyYAML's "
                                "unsafe yaml.Loader, which constructs it"));
  }
}

// resolve_references: a reference <a.b> is getattr(value of a, "b") (deref tags it
// !apply:getattr), any attribute, so a chain of them walks from an allowed module to os.system; an
// expression around references is evaluated by parse_arithmetic, where ** makes numbers of any size.
void reference(std::string_view scalar, std::uint64_t offset, const std::string& origin, ArtifactReport& report) {
  const std::string shown(scalar.substr(0, 200));
  for (std::size_t open = scalar.find('<'); open != std::string_view::npos; open = scalar.find('<', open + 1)) {
    const std::size_t close = scalar.find('>', open);
    if (close == std::string_view::npos) break;
    const std::string_view name = scalar.substr(open + 1, close - open - 1);
    if (name.find('.') == std::string_view::npos) continue;
    report.add(make_finding(rule("MG-HYPERPYYAML-CALL"), origin, offset,
                            "HyperPyYAML reference !ref " + shown + ": load_hyperpyyaml resolves <" +
                                std::string(name.substr(0, 200)) +
                                "> with getattr (any attribute of the referenced object, modules included)",
                            shown));
    return;
  }
  if (scalar.find("**") != std::string_view::npos || scalar.find("<<") != std::string_view::npos)
    report.add(make_finding(rule("MG-HYPERPYYAML-CALL"), origin, offset,
                            "HyperPyYAML reference !ref " + shown +
                                ": load_hyperpyyaml evaluates the expression while the file loads (parse_arithmetic), "
                                "and ** or << make numbers of any size",
                            shown));
}

}  // namespace

void analyse_hyperpyyaml(std::string_view text, const std::string& origin, const Limits& limits,
                         ArtifactReport& report) {
  // Every tag, first as libyaml reports it, then those only the text search finds.
  std::multimap<std::uint64_t, std::string> tags;
  std::vector<std::pair<std::uint64_t, std::string>> tuples;
  std::vector<std::pair<std::uint64_t, std::string>> refs;
  auto nodes = yaml::read_node_tags(text, '(', 1u << 20, limits.max_json_depth);
  if (nodes) {
    for (const auto& n : *nodes) {
      if (!n.tag.empty()) tags.emplace(n.offset, n.tag);
      // The implicit resolver: a plain scalar matching ^\(.*\)$; the explicit tag: any scalar.
      const bool implicit = n.tag.empty() && n.plain && n.scalar->ends_with(")") &&
                            n.scalar->find('\n') == std::string::npos;
      if (n.scalar && (implicit || n.tag == "!tuple")) tuples.emplace_back(n.offset, *n.scalar);
      if (n.scalar && (n.tag == "!ref" || n.tag == "!copy") && refs.size() < 1000) refs.emplace_back(n.offset, *n.scalar);
    }
  } else if (nodes.error().rule == RuleId("MG-LIMIT-EXCEEDED")) {
    report.add(make_finding(rule("MG-LIMIT-EXCEEDED"), origin, nodes.error().offset, nodes.error().reason));
  }
  std::set<std::string> known;
  for (const auto& entry : tags) known.insert(entry.second);
  for (const auto& t : yaml::find_tags(text))
    if (!known.count(t.resolved)) tags.emplace(t.offset, t.resolved);
  std::set<std::string> reported;
  for (const auto& [offset, tag] : tags) {
    if (reported.size() >= 100) break;
    for (const auto& r : kCallingTags)
      if (tag.starts_with(r.prefix) && reported.insert(tag).second) calling_tag(tag, r, offset, origin, report);
    if (tag.starts_with("!include:") && reported.insert(tag).second) {
      const std::string file = tag.substr(9, 200);
      if (outside_path(file) || file.find("://") != std::string::npos)
        report.add(make_finding(rule("MG-HF-UNSCANNED-DEPENDENCY"), origin, offset,
                                "HyperPyYAML tag " + tag.substr(0, 200) + " names '" + file +
                                    "', outside the repository: load_hyperpyyaml reads it as more HyperPyYAML "
                                    "(whose tags import and call), and it is not part of this scan",
                                file));
      else if (!yaml_named(file))
        report.add(make_finding(rule("MG-HF-UNSCANNED-DEPENDENCY"), origin, offset,
                                "HyperPyYAML tag " + tag.substr(0, 200) + " names '" + file +
                                    "': load_hyperpyyaml reads it as more HyperPyYAML (whose tags import and call) "
                                    "whatever its name, and this scan reads a file without a YAML name by its "
                                    "name, not as HyperPyYAML",
                                file));
    }
  }
  for (const auto& [offset, scalar] : tuples) tuple_text(scalar, offset, origin, report);
  for (const auto& [offset, scalar] : refs) reference(scalar, offset, origin, report);
}

}  // namespace modelgate
