#include "core/rule_catalog.h"
#include "format/scanners.h"
#include "readers/yaml_tags.h"

namespace modelgate {

namespace {

// PyYAML's multi-constructors under the Python prefix: each imports or calls what the tag names.
bool constructs_python_object(std::string_view suffix) {
  for (std::string_view p : {"name:", "module:", "object:", "object/apply:", "object/new:"})
    if (suffix.substr(0, p.size()) == p) return true;
  return false;
}

// PyYAML's constructors of plain data under the Python prefix.
bool plain_data(std::string_view suffix) {
  for (std::string_view t : {"none", "bool", "str", "unicode", "bytes", "int", "long", "float", "complex", "list",
                             "tuple", "dict"})
    if (suffix == t) return true;
  return false;
}

}  // namespace

// YAML whose tags ask PyYAML for Python objects. A configuration loaded with the unsafe loader
// (yaml.unsafe_load, yaml.load with yaml.Loader or yaml.UnsafeLoader, as detectron2, fvcore and
// OpenMMLab do) constructs them: `!!python/object/apply:os.system [cmd]` runs the command.
void scan_yaml_python_tags(const Artifact& a, NestedScan&, ArtifactReport& report) {
  for (const auto& tag : yaml::python_tags(as_chars(a.bytes))) {
    const std::string_view suffix = std::string_view(tag.resolved).substr(yaml::kPythonTagPrefix.size());
    if (plain_data(suffix)) continue;
    const bool object = constructs_python_object(suffix);
    report.add(make_finding(object ? rule("MG-YAML-PYTHON-OBJECT") : rule("MG-YAML-PYTHON-TAG"), a.origin, tag.offset,
                            "YAML tag " + tag.resolved +
                                (object ? ": PyYAML's unsafe loader imports or calls what it names when it loads the file"
                                        : ": a Python tag PyYAML has no constructor for")));
  }
}

}  // namespace modelgate
