// SARIF 2.1.0 for code-scanning dashboards. Byte regions are only attached when the finding's
// offset is in the file itself; for nested artifacts the origin chain goes into a logical location.
#include <map>

#include <nlohmann/json.hpp>

#include "core/json_text.h"
#include "modelgate/render.h"
#include "modelgate/version.h"

namespace modelgate {

namespace {

const char* level_of(Severity s) {
  switch (s) {
    case Severity::critical:
    case Severity::high: return "error";
    case Severity::medium: return "warning";
    default: return "note";
  }
}

const char* security_severity(Severity s) {
  switch (s) {
    case Severity::critical: return "9.5";
    case Severity::high: return "8.0";
    case Severity::medium: return "5.5";
    case Severity::low: return "3.0";
    default: return "1.0";
  }
}

std::string uri_of(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '/' || c == '-' || c == '_' || c == '.' || c == '~';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789ABCDEF";
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (out.rfind("./", 0) == 0) out.erase(0, 2);
  // Absolute paths become file URIs; relative ones stay relative to the scan root.
  if (!out.empty() && out[0] == '/') out = "file://" + out;
  return out;
}

}  // namespace

void render_sarif(const ScanResult& result, std::ostream& out) {
  nlohmann::json rules = nlohmann::json::array();
  std::map<std::string, std::size_t> rule_index;
  for (const auto& r : all_rules()) {
    rule_index[std::string(r.id)] = rules.size();
    rules.push_back({{"id", r.id},
                     {"name", r.id},
                     {"shortDescription", {{"text", r.summary}}},
                     {"fullDescription", {{"text", r.help}}},
                     {"help", {{"text", r.help}}},
                     {"defaultConfiguration", {{"level", level_of(r.severity)}}},
                     {"properties",
                      {{"security-severity", security_severity(r.severity)},
                       {"tags", {"security"}}}}});
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& top : result.artifacts) {
    for (const Finding* f : top.all_findings()) {
      if (f->status == Status::safe && f->severity == Severity::info) continue;
      std::string file = f->origin.substr(0, f->origin.find("!/"));
      bool in_file_itself = file.size() == f->origin.size();
      nlohmann::json physical = {{"artifactLocation", {{"uri", uri_of(file)}}}};
      if (in_file_itself && f->offset) physical["region"] = {{"byteOffset", *f->offset}, {"byteLength", 1}};
      nlohmann::json location = {{"physicalLocation", physical}};
      if (!in_file_itself)
        location["logicalLocations"] = {{{"fullyQualifiedName", f->origin}, {"kind", "module"}}};
      std::string text = f->message;
      if (!in_file_itself) text += " (in " + f->origin + (f->offset ? "@" + std::to_string(*f->offset) : "") + ")";
      if (!f->evidence.empty()) text += ": " + f->evidence;
      auto idx = rule_index.find(f->rule);
      nlohmann::json res = {{"ruleId", f->rule},
                            {"level", level_of(f->severity)},
                            {"message", {{"text", text}}},
                            {"locations", {location}},
                            {"properties", {{"status", to_string(f->status)}}}};
      if (idx != rule_index.end()) res["ruleIndex"] = idx->second;
      results.push_back(std::move(res));
    }
  }
  nlohmann::json sarif = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       {{{"tool",
          {{"driver",
            {{"name", "modelgate"},
             {"version", kVersion},
             {"semanticVersion", kVersion},
             {"rules", rules}}}}},
         {"results", results},
         {"columnKind", "unicodeCodePoints"}}}}};
  out << json_text(sarif, 2) << '\n';
}

}  // namespace modelgate
