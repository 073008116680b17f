// SARIF 2.1.0 for code-scanning dashboards. A finding at an offset in the file itself has that byte
// as its region; any other has the whole file, and for nested artifacts (archive members, payloads,
// chat templates) the origin chain goes into a logical location.
#include <filesystem>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/escaped_text.h"
#include "core/json_text.h"
#include "modelgate/render.h"
#include "modelgate/version.h"
#include "report/information_uri.h"
#include "core/sandbox_layers_json.h"

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

// "MG-PICKLE-GLOBAL-DANGEROUS" -> "PickleGlobalDangerous": SARIF wants a name that is not the id.
std::string rule_name(std::string_view id) {
  if (id.rfind("MG-", 0) == 0) id.remove_prefix(3);
  std::string out;
  bool start = true;
  for (char c : id) {
    if (c == '-') {
      start = true;
      continue;
    }
    out += start ? c : static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    start = false;
  }
  return out;
}

// Where an origin's outermost file is. A relative path stays relative to %SRCROOT% (the directory
// the scan ran in, as GitHub code scanning expects) once normalised; one that climbs out of it
// with ".." or is absolute becomes an absolute file URI. hf:// origins keep their scheme.
nlohmann::json artifact_location(const std::string& file, const std::filesystem::path& cwd) {
  if (file.rfind("hf://", 0) == 0) return {{"uri", "hf://" + percent_encode_path(file.substr(5))}};
  std::filesystem::path p = std::filesystem::path(file).lexically_normal();
  std::string relative = p.generic_string();
  if (p.is_relative() && !relative.empty() && relative != "." && relative.rfind("..", 0) != 0) {
    if (relative.back() == '/') relative.pop_back();
    return {{"uri", percent_encode_path(relative)}, {"uriBaseId", "%SRCROOT%"}};
  }
  std::filesystem::path absolute = (cwd / p).lexically_normal();
  return {{"uri", "file://" + percent_encode_path(absolute.generic_string())}};
}

std::string directory_uri(const std::filesystem::path& cwd) {
  std::string uri = "file://" + percent_encode_path(cwd.lexically_normal().generic_string());
  if (uri.back() != '/') uri += '/';
  return uri;
}

}  // namespace

void render_sarif(const ScanResult& result, std::ostream& out) {
  nlohmann::json rules = nlohmann::json::array();
  std::map<std::string, std::size_t> rule_index;
  for (const auto& r : all_rules()) {
    rule_index[std::string(r.id)] = rules.size();
    rules.push_back({{"id", r.id},
                     {"name", rule_name(r.id)},
                     {"shortDescription", {{"text", r.summary}}},
                     {"fullDescription", {{"text", r.help}}},
                     {"help", {{"text", r.help}}},
                     {"defaultConfiguration", {{"level", level_of(r.severity)}}},
                     {"properties",
                      {{"security-severity", security_severity(r.severity)},
                       {"tags", {"security"}}}}});
  }
  std::error_code ec;
  std::filesystem::path cwd = std::filesystem::current_path(ec);
  if (ec) cwd = "/";
  // Sizes of the files on disk, for the whole-file region of findings without a byte offset in them.
  std::map<std::string, std::uint64_t> file_sizes;
  std::vector<const ArtifactReport*> pending;
  for (const auto& top : result.artifacts) pending.push_back(&top);
  while (!pending.empty()) {
    const ArtifactReport* r = pending.back();
    pending.pop_back();
    if (r->origin.find("!/") == std::string::npos) file_sizes[r->origin] = r->size;
    for (const auto& c : r->children) pending.push_back(&c);
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& top : result.artifacts) {
    for (const Finding* f : top.all_findings()) {
      if (f->status == Status::safe && f->severity == Severity::info) continue;
      std::string file = f->origin.substr(0, f->origin.find("!/"));
      bool in_file_itself = file.size() == f->origin.size();
      nlohmann::json physical = {{"artifactLocation", artifact_location(file, cwd)}};
      if (in_file_itself && f->offset)
        physical["region"] = {{"byteOffset", *f->offset}, {"byteLength", 1}};
      else
        physical["region"] = {{"byteOffset", 0}, {"byteLength", file_sizes[file]}};
      nlohmann::json location = {{"physicalLocation", physical}};
      if (!in_file_itself) {
        // An archive member, embedded payload or chat template: where inside the file, by name,
        // with the byte offset inside that member when the finding has one.
        std::string member = f->origin.substr(f->origin.rfind("!/") + 2);
        nlohmann::json logical = {{"fullyQualifiedName", f->origin}, {"name", member}, {"kind", "resource"}};
        if (f->offset) logical["properties"] = {{"byteOffset", *f->offset}};
        location["logicalLocations"] = {logical};
      }
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
  nlohmann::json driver = {{"name", "modelgate"},      {"version", kVersion},
                            {"semanticVersion", kVersion}, {"informationUri", kInformationUri},
                            {"rules", rules}};
  nlohmann::json sarif = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       {{{"tool", {{"driver", driver}}},
         {"originalUriBaseIds", {{"%SRCROOT%", {{"uri", directory_uri(cwd)}}}}},
         {"results", results},
         {"columnKind", "unicodeCodePoints"},
         {"properties", {{"sandbox", sandbox_layers_json(result.sandbox)}}}}}}};
  out << json_text(sarif, 2) << '\n';
}

}  // namespace modelgate
