#include "hf/chat_template_source.h"

#include "modelgate/rules.h"
#include "template/chat_template.h"

namespace modelgate {

void extract_chat_templates(const nlohmann::json& doc, const std::string& origin, const Limits& limits,
                            ArtifactReport& report) {
  if (!doc.is_object() || !doc.contains("chat_template")) return;
  const auto& ct = doc["chat_template"];
  auto malformed = [&](const std::string& why) {
    report.add(make_finding(rule("MG-HF-CHAT-TEMPLATE-MALFORMED"), origin, std::nullopt, why));
  };
  nlohmann::json facts = nlohmann::json::object();
  auto add = [&](const std::string& name, const std::string& text, const std::string& child_origin) {
    if (facts.contains(name)) return malformed("two chat templates are named '" + name + "'");
    facts[name] = text;
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
  if (!facts.empty()) report.facts["chat_templates"] = std::move(facts);
}

}  // namespace modelgate
