#include "core/model_facts_json.h"

#include "core/json_fields.h"
#include "core/model_fact_fields.h"

namespace modelgate {

namespace {

using nlohmann::json;

bool fact_is_empty(const std::string& v) { return v.empty(); }
bool fact_is_empty(const std::vector<std::string>& v) { return v.empty(); }
bool fact_is_empty(const std::optional<std::uint64_t>& v) { return !v.has_value(); }
bool fact_is_empty(const std::map<std::string, std::uint64_t>& v) { return v.empty(); }
bool fact_is_empty(const std::vector<TensorFacts>& v) { return v.empty(); }

template <class T>
json fact_json(const T& v) { return json(v); }
json fact_json(const std::optional<std::uint64_t>& v) { return json(*v); }
json fact_json(const std::vector<TensorFacts>& tensors) {
  json out = json::array();
  for (const auto& t : tensors) {
    json entry = {{"name", t.name}, {"dtype", t.dtype}, {"shape", t.shape}};
    if (!t.storage.empty()) entry["storage"] = t.storage;
    entry["begin"] = t.begin;
    entry["end"] = t.end;
    out.push_back(std::move(entry));
  }
  return out;
}

struct ModelFactsReader {
  const json& object;
  std::string error;

  bool read(const json& v, std::string& out) {
    if (!v.is_string()) return false;
    out = v.get<std::string>();
    return true;
  }
  bool read(const json& v, std::vector<std::string>& out) { return json_strings(v, out); }
  bool read(const json& v, std::optional<std::uint64_t>& out) {
    out = json_count(v);
    return out.has_value();
  }
  bool read(const json& v, std::map<std::string, std::uint64_t>& out) {
    if (!v.is_object()) return false;
    for (const auto& [key, count] : v.items()) {
      auto n = json_count(count);
      if (!n) return false;
      out[key] = *n;
    }
    return true;
  }
  bool read(const json& v, std::vector<TensorFacts>& out) {
    if (!v.is_array()) return false;
    for (const json& item : v) {
      if (!item.is_object()) return false;
      TensorFacts t;
      auto storage = item.find("storage");
      if (storage != item.end() && (!read(*storage, t.storage) || t.storage.empty())) return false;
      if (item.size() != (storage == item.end() ? 5u : 6u)) return false;
      auto name = item.find("name"), dtype = item.find("dtype"), shape = item.find("shape");
      if (name == item.end() || !read(*name, t.name) || dtype == item.end() || !read(*dtype, t.dtype) ||
          shape == item.end() || !shape->is_array())
        return false;
      for (const json& d : *shape) {
        auto n = json_count(d);
        if (!n) return false;
        t.shape.push_back(*n);
      }
      auto begin = item.find("begin"), end = item.find("end");
      if (begin == item.end() || end == item.end()) return false;
      const auto b = json_count(*begin), e = json_count(*end);
      if (!b || !e || b.value() > e.value()) return false;
      t.begin = b.value();
      t.end = e.value();
      out.push_back(std::move(t));
    }
    return true;
  }
  template <class T>
  void operator()(const char* key, T& out) {
    auto it = object.find(key);
    if (it == object.end() || !error.empty()) return;
    if (!read(*it, out)) error = std::string("model fact \"") + key + "\" has the wrong type";
  }
};

}  // namespace

json model_facts_json(const ModelFacts& facts) {
  json out = json::object();
  each_model_fact(facts, [&out](const char* key, const auto& value) {
    if (!fact_is_empty(value)) out[key] = fact_json(value);
  });
  return out;
}

Expected<ModelFacts> model_facts_from_json(const json& j) {
  if (!j.is_object()) return parse_error(0, "model facts are not a JSON object");
  ModelFacts facts;
  std::size_t known = 0;
  each_model_fact(facts, [&](const char* key, const auto&) { known += j.contains(key) ? 1 : 0; });
  if (known != j.size()) return parse_error(0, "model facts carry a key modelgate does not write");
  ModelFactsReader reader{j, {}};
  each_model_fact(facts, reader);
  if (!reader.error.empty()) return parse_error(0, std::move(reader.error));
  if (!facts.tensors.empty() && facts.tensor_count != facts.tensors.size())
    return parse_error(0, "model facts list tensors but not as many as they count");
  return facts;
}

}  // namespace modelgate
