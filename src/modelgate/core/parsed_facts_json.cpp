#include "core/parsed_facts_json.h"

#include "core/format_details_json.h"
#include "core/json_fields.h"

namespace modelgate {

namespace {

using nlohmann::json;

// An object with exactly the keys `keys`.
bool exactly(const json& v, std::initializer_list<const char*> keys) {
  if (!v.is_object() || v.size() != keys.size()) return false;
  for (const char* k : keys)
    if (!v.contains(k)) return false;
  return true;
}

}  // namespace

json facts_json(const ArtifactReport& report) {
  json out = json::object();
  add_format_details(report.details, out);
  add_parsed_facts(report.parsed, out);
  return out;
}

void add_parsed_facts(const ParsedFacts& p, json& out) {
  if (!p.chat_templates.empty()) out["chat_templates"] = p.chat_templates;
  if (p.python_imports) out["python_imports"] = *p.python_imports;
  for (const auto& c : p.code_files) out["code_files"].push_back({{"file", c.file}, {"route", c.route}});
  if (p.remote_code)
    out["remote_code"] = {{"classes", p.remote_code->classes},
                          {"files", p.remote_code->files},
                          {"repositories", p.remote_code->repositories}};
  if (p.sharded_checkpoint)
    out["sharded_checkpoint"] = {{"shards", p.sharded_checkpoint->shards},
                                 {"shards_compared", p.sharded_checkpoint->shards_compared},
                                 {"tensors", p.sharded_checkpoint->tensors}};
  if (!p.external_data_files.empty()) out["external_data_files"] = p.external_data_files;
  for (const auto& read : p.external_data_reads) {
    json r = {{"tensor", read.tensor}, {"location", read.location}, {"offset", read.offset}};
    if (read.length) r["length"] = *read.length;
    out["external_data_reads"].push_back(std::move(r));
  }
  if (p.pickle_reading) {
    out["complete"] = p.pickle_reading->complete;
    out["end"] = p.pickle_reading->end;
  }
  if (p.first_raw_array_at) out["first_raw_array_at"] = *p.first_raw_array_at;
  if (p.pickle_imports) {
    json imports = {{"count", p.pickle_imports->count}};
    if (p.pickle_imports->listed) {
      imports["globals"] = json::array();
      for (const auto& g : p.pickle_imports->globals)
        imports["globals"].push_back(
            {{"module", g.module}, {"name", g.name}, {"count", g.count}, {"first_offset", g.first_offset}});
    }
    out["pickle_imports"] = std::move(imports);
  }
  if (p.pickle_calls) {
    json calls = {{"count", p.pickle_calls->count}, {"indirect", p.pickle_calls->indirect}};
    if (p.pickle_calls->listed) {
      calls["callables"] = json::array();
      for (const auto& c : p.pickle_calls->callables)
        calls["callables"].push_back({{"callable", c.callable}, {"count", c.count}});
    }
    out["pickle_calls"] = std::move(calls);
  }
}

Expected<ParsedFacts> take_parsed_facts(json& facts) {
  ParsedFacts p;
  if (!facts.is_object()) return parse_error(0, "facts are not an object");
  auto take = [&](const char* key) -> std::optional<json> {
    auto it = facts.find(key);
    if (it == facts.end()) return std::nullopt;
    json v = std::move(*it);
    facts.erase(it);
    return v;
  };
  auto bad = [](const char* key) { return parse_error(0, std::string("facts.") + key + " has the wrong shape"); };
  if (auto v = take("chat_templates")) {
    if (!v->is_object() || v->empty()) return bad("chat_templates");
    for (const auto& [name, text] : v->items()) {
      if (!text.is_string()) return bad("chat_templates");
      p.chat_templates.emplace(name, text.get<std::string>());
    }
  }
  if (auto v = take("python_imports")) {
    p.python_imports.emplace();
    if (!json_strings(*v, *p.python_imports)) return bad("python_imports");
  }
  if (auto v = take("code_files")) {
    if (!v->is_array() || v->empty()) return bad("code_files");
    for (const auto& c : *v) {
      if (!exactly(c, {"file", "route"}) || !c["file"].is_string() || !c["route"].is_string()) return bad("code_files");
      p.code_files.push_back({c["file"].get<std::string>(), c["route"].get<std::string>()});
    }
  }
  if (auto v = take("remote_code")) {
    RemoteCode r;
    if (!exactly(*v, {"classes", "files", "repositories"}) || !json_strings((*v)["classes"], r.classes) ||
        !json_strings((*v)["files"], r.files) || !json_strings((*v)["repositories"], r.repositories))
      return bad("remote_code");
    p.remote_code = std::move(r);
  }
  if (auto v = take("sharded_checkpoint")) {
    if (!exactly(*v, {"shards", "shards_compared", "tensors"})) return bad("sharded_checkpoint");
    auto shards = json_count((*v)["shards"]), compared = json_count((*v)["shards_compared"]), tensors = json_count((*v)["tensors"]);
    if (!shards || !compared || !tensors) return bad("sharded_checkpoint");
    p.sharded_checkpoint = ShardedIndexCheck{*shards, *compared, *tensors};
  }
  if (auto v = take("external_data_files")) {
    if (!json_strings(*v, p.external_data_files) || p.external_data_files.empty()) return bad("external_data_files");
  }
  if (auto v = take("external_data_reads")) {
    if (!v->is_array() || v->empty()) return bad("external_data_reads");
    for (const auto& r : *v) {
      const bool with_length = r.is_object() && r.contains("length");
      if (!(with_length ? exactly(r, {"tensor", "location", "offset", "length"}) : exactly(r, {"tensor", "location", "offset"})) ||
          !r["tensor"].is_string() || !r["location"].is_string())
        return bad("external_data_reads");
      auto offset = json_count(r["offset"]);
      std::optional<std::uint64_t> length;
      if (with_length && !(length = json_count(r["length"]))) return bad("external_data_reads");
      if (!offset) return bad("external_data_reads");
      p.external_data_reads.push_back({r["tensor"].get<std::string>(), r["location"].get<std::string>(), *offset, length});
    }
  }
  {
    auto complete = take("complete");
    auto end = take("end");
    if (complete || end) {
      std::optional<std::uint64_t> at;
      if (!complete || !end || !complete->is_boolean() || !(at = json_count(*end))) return bad("complete");
      p.pickle_reading = PickleReadingExtent{complete->get<bool>(), *at};
    }
  }
  if (auto v = take("first_raw_array_at")) {
    if (!(p.first_raw_array_at = json_count(*v))) return bad("first_raw_array_at");
  }
  if (auto v = take("pickle_imports")) {
    PickleImports imports;
    const bool listed = v->is_object() && v->contains("globals");
    if (!(listed ? exactly(*v, {"count", "globals"}) : exactly(*v, {"count"}))) return bad("pickle_imports");
    auto count = json_count((*v)["count"]);
    if (!count) return bad("pickle_imports");
    imports.count = *count;
    imports.listed = listed;
    if (listed) {
      const json& globals = (*v)["globals"];
      if (!globals.is_array()) return bad("pickle_imports");
      std::uint64_t sum = 0;
      for (const auto& g : globals) {
        if (!exactly(g, {"module", "name", "count", "first_offset"}) || !g["module"].is_string() || !g["name"].is_string())
          return bad("pickle_imports");
        auto n = json_count(g["count"]), at = json_count(g["first_offset"]);
        if (!n || *n == 0 || !at || *n > imports.count - sum) return bad("pickle_imports");
        sum += *n;
        imports.globals.push_back({g["module"].get<std::string>(), g["name"].get<std::string>(), *n, *at});
      }
      if (sum != imports.count) return bad("pickle_imports");
    }
    p.pickle_imports = std::move(imports);
  }
  if (auto v = take("pickle_calls")) {
    PickleCalls calls;
    const bool listed = v->is_object() && v->contains("callables");
    if (!(listed ? exactly(*v, {"count", "indirect", "callables"}) : exactly(*v, {"count", "indirect"})))
      return bad("pickle_calls");
    auto count = json_count((*v)["count"]), indirect = json_count((*v)["indirect"]);
    if (!count || !indirect || *indirect > *count) return bad("pickle_calls");
    calls.count = *count;
    calls.indirect = *indirect;
    calls.listed = listed;
    if (listed) {
      const json& callables = (*v)["callables"];
      if (!callables.is_array()) return bad("pickle_calls");
      std::uint64_t sum = calls.indirect;
      for (const auto& c : callables) {
        if (!exactly(c, {"callable", "count"}) || !c["callable"].is_string()) return bad("pickle_calls");
        auto n = json_count(c["count"]);
        if (!n || *n == 0 || *n > calls.count - sum) return bad("pickle_calls");
        sum += *n;
        calls.callables.push_back({c["callable"].get<std::string>(), *n});
      }
      if (sum != calls.count) return bad("pickle_calls");
    }
    p.pickle_calls = std::move(calls);
  }
  return p;
}

}  // namespace modelgate
