#include "hf/chat_template_source.h"

#include "core/rule_catalog.h"
#include "modelgate/rules.h"
#include "template/chat_template.h"

namespace modelgate {

namespace {

void check_value_for_jinja(const nlohmann::json& v, const std::string& path,
                           const std::map<std::string, std::string>* analysed,
                           const std::string& origin, const Limits& limits, ArtifactReport& report) {
  if (v.is_string()) {
    const auto& text = v.get_ref<const std::string&>();
    if (analysed != nullptr)
      for (const auto& [name, t] : *analysed)
        if (t == text) return;
    check_jinja_in_value(text, origin, path, limits, report);
  } else if (v.is_object()) {
    for (const auto& [k, item] : v.items())
      check_value_for_jinja(item, path.empty() ? k : path + "." + k, analysed, origin, limits, report);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i)
      check_value_for_jinja(v[i], path + "[" + std::to_string(i) + "]", analysed, origin, limits, report);
  }
}

}  // namespace

void check_config_values_for_jinja(const nlohmann::json& doc, const std::string& origin, const Limits& limits,
                                   ArtifactReport& report) {
  if (!doc.is_object()) return check_value_for_jinja(doc, "", nullptr, origin, limits, report);
  // Only strings under the top-level chat_template can be the templates analysed as such.
  const auto* analysed = report.parsed.chat_templates.empty() ? nullptr : &report.parsed.chat_templates;
  for (const auto& [k, item] : doc.items())
    check_value_for_jinja(item, k, k == "chat_template" ? analysed : nullptr, origin, limits, report);
}

void extract_chat_templates(const nlohmann::json& doc, const std::string& origin, const Limits& limits,
                            ArtifactReport& report) {
  if (!doc.is_object() || !doc.contains("chat_template")) return;
  const auto& ct = doc["chat_template"];
  auto malformed = [&](const std::string& why) {
    report.add(make_finding(rule("MG-HF-CHAT-TEMPLATE-MALFORMED"), origin, std::nullopt, why));
  };
  std::map<std::string, std::string> templates;
  auto add = [&](const std::string& name, const std::string& text, const std::string& child_origin) {
    if (!templates.emplace(name, text).second) return malformed("two chat templates are named '" + name + "'");
    report.children.push_back(chat_template_report(text, child_origin, limits));
  };
  if (ct.is_string()) {
    add("default", ct.get<std::string>(), origin + "!/chat_template");
  } else if (ct.is_array()) {
    for (const auto& item : ct) {
      if (!item.is_object() || !item.contains("name") || !item.contains("template") || !item["name"].is_string() ||
          !item["template"].is_string()) {
        malformed("chat_template list entry is not {\"name\": string, \"template\": string}");
        continue;
      }
      std::string name = item["name"].get<std::string>();
      add(name, item["template"].get<std::string>(), origin + "!/chat_template/" + name);
    }
  } else if (!ct.is_null()) {
    malformed("chat_template is neither a string nor a list of named templates");
  }
  if (!templates.empty()) report.parsed.chat_templates = std::move(templates);
}

}  // namespace modelgate
