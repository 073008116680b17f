#include "hf/remote_code.h"

#include <set>

#include "core/rule_catalog.h"
#include "modelgate/rules.h"

namespace modelgate {

namespace {

struct Collected {
  std::set<std::string> classes;
  std::set<std::string> files;
  std::set<std::string> repositories;
  std::vector<std::string> malformed;
};

// "module.Class" or "owner/repo--module.Class". transformers' get_class_from_dynamic_module does
// `module_file, class_name = class_reference.split(".")`: a reference with another dot raises
// before any file is read, so it names no file (it is still a request for remote code).
void add_reference(const std::string& ref, Collected& c) {
  std::string local = ref;
  std::size_t sep = ref.find("--");
  if (sep != std::string::npos) {
    c.repositories.insert(ref.substr(0, sep));
    local = ref.substr(sep + 2);
  }
  std::size_t dot = local.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == local.size() || local.find('.') != dot) {
    c.malformed.push_back(ref);
    return;
  }
  c.classes.insert(ref);
  std::string file = local.substr(0, dot) + ".py";
  c.files.insert(sep == std::string::npos ? file : ref.substr(0, sep) + ":" + file);
}

void add_value(const nlohmann::json& v, Collected& c) {
  if (v.is_string()) {
    add_reference(v.get<std::string>(), c);
  } else if (v.is_array()) {
    for (const auto& item : v)
      if (item.is_string()) add_reference(item.get<std::string>(), c);
      else if (!item.is_null()) c.malformed.push_back(item.dump().substr(0, 80));
  } else if (!v.is_null()) {
    c.malformed.push_back(v.dump().substr(0, 80));
  }
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out;
}

}  // namespace

void analyse_remote_code(const nlohmann::json& config, const std::string& origin, ArtifactReport& report) {
  if (!config.is_object()) return;
  Collected c;
  bool any = false;
  if (config.contains("auto_map")) {
    any = true;
    const auto& m = config["auto_map"];
    if (m.is_object())
      for (const auto& [auto_class, target] : m.items()) add_value(target, c);
    else if (m.is_array())
      add_value(m, c);  // tokenization_auto's legacy format: the [slow, fast] tokenizer pair itself
    else
      c.malformed.push_back("auto_map is neither an object nor a tokenizer pair");
  }
  if (config.contains("custom_pipelines")) {
    any = true;
    const auto& p = config["custom_pipelines"];
    if (p.is_object()) {
      for (const auto& [task, spec] : p.items()) {
        if (spec.is_object() && spec.contains("impl")) add_value(spec["impl"], c);
        else c.malformed.push_back("custom_pipelines." + task);
      }
    } else {
      c.malformed.push_back("custom_pipelines is not an object");
    }
  }
  if (!any) return;
  report.add(make_finding(rule("MG-HF-REMOTE-CODE"), origin, std::nullopt,
                          "configuration loads custom Python code with trust_remote_code: files " +
                              (c.files.empty() ? std::string("(none named)") : join(c.files)),
                          join(c.classes)));
  if (!c.repositories.empty())
    report.add(make_finding(rule("MG-HF-REMOTE-CODE-EXTERNAL"), origin, std::nullopt,
                            "remote code comes from other repositories: " + join(c.repositories),
                            join(c.classes)));
  for (const auto& m : c.malformed)
    report.add(make_finding(rule("MG-HF-CONFIG-MALFORMED"), origin, std::nullopt,
                            "auto_map/custom_pipelines entry is not a module.Class reference", m));
  auto list = [](const std::set<std::string>& s) { return std::vector<std::string>(s.begin(), s.end()); };
  report.parsed.remote_code = RemoteCode{list(c.classes), list(c.files), list(c.repositories)};
}

}  // namespace modelgate
