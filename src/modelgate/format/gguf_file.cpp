// A GGUF file: header, metadata, tensor infos and data layout validated; tensor data never read.
// Facts keep the metadata a model card or BOM needs and every chat template in full, under
// parsed.chat_templates = {name: text}, for the chat-template analyser.
#include <cmath>
#include <map>

#include "readers/ggml_types.h"
#include "core/rule_catalog.h"
#include "readers/gguf.h"
#include "format/suspicious_text.h"
#include "format/scanners.h"
#include "template/chat_template.h"
#include "core/utf8.h"

namespace modelgate {

namespace {


// A long or non-UTF-8 string, and an array, are shown by their type and size.
FileValue value_fact(const gguf::Value& v, std::uint64_t max_fact_string) {
  if (const auto* u = std::get_if<std::uint64_t>(&v.data)) return {*u};
  if (const auto* i = std::get_if<std::int64_t>(&v.data)) return *i >= 0 ? FileValue{static_cast<std::uint64_t>(*i)} : FileValue{*i};
  if (const auto* d = std::get_if<double>(&v.data)) return std::isfinite(*d) ? FileValue{*d} : FileValue{};
  if (const auto* b = std::get_if<bool>(&v.data)) return {*b};
  if (const auto* s = v.string()) {
    if (s->size() <= max_fact_string && is_utf8(*s)) return {std::string(*s)};
    return {FileValue::Object{{"bytes", {std::uint64_t{s->size()}}}, {"type", {std::string("string")}}}};
  }
  const gguf::Array& a = *v.array();
  return {FileValue::Object{{"count", {std::uint64_t{a.count}}},
                            {"element_type", {std::string(gguf::value_type_name(a.element))}},
                            {"type", {std::string("array")}}}};
}

// Chat templates are analysed as Jinja elsewhere; URLs are what the spec's *url / *link keys hold.
bool expected_url_key(std::string_view key) {
  auto last = key.substr(key.rfind('.') + 1);
  return last.find("url") != std::string_view::npos || last == "link" || last == "repository" || last == "doi";
}

// Every string element of an array (and of nested arrays), under "key[i]...".
void check_array_for_jinja(const gguf::Array& array, const std::string& key, const std::string& origin,
                           const Limits& limits, ArtifactReport& report) {
  std::size_t i = 0;
  if (array.element == gguf::ValueType::string) {
    for (std::string_view element : gguf::string_elements(array))
      check_jinja_in_value(element, origin, key + "[" + std::to_string(i++) + "]", limits, report);
  } else if (array.element == gguf::ValueType::array) {
    for (const gguf::Value& nested : array.arrays)
      if (const gguf::Array* inner = nested.array())
        check_array_for_jinja(*inner, key + "[" + std::to_string(i++) + "]", origin, limits, report);
  }
}

void check_metadata_text(const Artifact& a, const gguf::File& file, const Limits& limits, ArtifactReport& report) {
  for (const auto& kv : file.metadata) {
    if (gguf::is_chat_template_key(kv.key)) continue;  // analysed as templates
    if (const gguf::Array* array = kv.value.array()) check_array_for_jinja(*array, std::string(kv.key), a.origin, limits, report);
    const auto* s = kv.value.string();
    if (s == nullptr) continue;
    check_jinja_in_value(*s, a.origin, kv.key, limits, report);
    auto hit = find_suspicious_text(*s);
    if (!hit || (hit->kind == "a URL" && expected_url_key(kv.key))) continue;
    report.add(make_finding(rule("MG-GGUF-METADATA-SUSPICIOUS"), a.origin, std::nullopt,
                            "metadata value of \"" + text_snippet(kv.key, 60) + "\" looks like " +
                                std::string(hit->kind) + " (contains \"" + std::string(hit->pattern) + "\")",
                            text_snippet(*s)));
  }
}

// llama.cpp's `llama_ftype` values (llama.h), the quantisation a GGUF file declares for its
// tensors as a whole; retired values keep their number.
std::string gguf_file_type_name(std::uint64_t t) {
  static const std::map<std::uint64_t, const char*> names = {
      {0, "F32"},     {1, "F16"},     {2, "Q4_0"},    {3, "Q4_1"},    {7, "Q8_0"},    {8, "Q5_0"},
      {9, "Q5_1"},    {10, "Q2_K"},   {11, "Q3_K_S"}, {12, "Q3_K_M"}, {13, "Q3_K_L"}, {14, "Q4_K_S"},
      {15, "Q4_K_M"}, {16, "Q5_K_S"}, {17, "Q5_K_M"}, {18, "Q6_K"},   {19, "IQ2_XXS"}, {20, "IQ2_XS"},
      {21, "Q2_K_S"}, {22, "IQ3_XS"}, {23, "IQ3_XXS"}, {24, "IQ1_S"}, {25, "IQ4_NL"}, {26, "IQ3_S"},
      {27, "IQ3_M"},  {28, "IQ2_S"},  {29, "IQ2_M"},  {30, "IQ4_XS"}, {31, "IQ1_M"},  {32, "BF16"},
      {36, "TQ1_0"},  {37, "TQ2_0"}};
  auto it = names.find(t);
  return it != names.end() ? it->second : "file_type " + std::to_string(t);
}

std::optional<std::uint64_t> unsigned_value(const gguf::File& file, std::string_view key) {
  const gguf::Value* v = file.find(key);
  if (v == nullptr) return std::nullopt;
  if (const auto* u = std::get_if<std::uint64_t>(&v->data)) return *u;
  if (const auto* i = std::get_if<std::int64_t>(&v->data); i != nullptr && *i >= 0) return static_cast<std::uint64_t>(*i);
  return std::nullopt;
}

// The typed facts a model card needs, from the metadata keys the GGUF spec defines.
void read_gguf_model_facts(const gguf::File& file, std::uint64_t max_fact_string, ModelFacts& model) {
  auto text = [&](std::string_view key) {
    auto s = file.string(key);
    return s && is_utf8(*s) && s->size() <= max_fact_string ? std::string(*s) : std::string();
  };
  std::string arch = text("general.architecture");
  if (!arch.empty()) {
    model.model_type = arch;
    model.context_length = unsigned_value(file, arch + ".context_length");
  }
  model.name = text("general.name");
  model.license = text("general.license");
  if (auto t = unsigned_value(file, "general.file_type")) model.quantization = gguf_file_type_name(*t);
}

}  // namespace

void scan_gguf_file(const Artifact& a, NestedScan& ctx, ArtifactReport& report) {
  auto parsed = gguf::parse(a.bytes, ctx.limits());
  if (!parsed.ok()) {
    const Error& e = parsed.error();
    report.add(make_finding(rule(e.rule), a.origin, e.offset, e.reason));
    return;
  }
  const gguf::File& file = *parsed;
  for (const auto& an : file.anomalies) report.add(make_finding(rule(an.rule), a.origin, an.offset, an.message));

  GgufDetails& details = report.details.gguf.emplace();
  details.version = file.version;
  details.tensor_count = file.tensors.size();
  details.metadata_count = file.metadata.size();
  details.alignment = file.alignment;
  auto general = [&](const char* key) -> std::optional<FileValue> {
    if (const gguf::Value* v = file.find(key)) return value_fact(*v, ctx.limits().max_fact_string);
    return std::nullopt;
  };
  details.architecture = general("general.architecture");
  details.name = general("general.name");
  details.license = general("general.license");
  details.basename = general("general.basename");
  details.size_label = general("general.size_label");
  details.file_type = general("general.file_type");
  for (const auto& kv : file.metadata) details.metadata[std::string(kv.key)] = value_fact(kv.value, ctx.limits().max_fact_string);
  check_metadata_text(a, file, ctx.limits(), report);

  std::uint64_t parameters = 0;
  std::map<std::string, std::uint64_t> types;
  const bool listed = file.tensors.size() <= ctx.limits().max_listed_tensors;
  for (const auto& t : file.tensors) {
    parameters += t.elements;
    const std::string type(gguf::ggml_type(t.type)->name);
    ++types[type];
    const std::uint64_t begin = file.data_start + t.offset;  // inside the file: the parse checked it
    if (listed) report.model.tensors.push_back({std::string(t.name), type, t.dims, {}, begin, begin + t.bytes});  // UTF-8: checked
  }
  report.model.tensor_count = file.tensors.size();
  details.parameters = parameters;
  details.tensor_types = types;
  read_gguf_model_facts(file, ctx.limits().max_fact_string, report.model);
  report.model.parameters = parameters;
  report.model.dtypes = types;

  for (const auto& t : gguf::chat_templates(file)) {
    if (!t.text_value)
      report.add(make_finding(rule("MG-GGUF-CHAT-TEMPLATE-TYPE"), a.origin, t.offset,
                              "chat template \"" + t.name + "\" is neither a string nor a list of strings"));
    else if (is_utf8(t.text))
      report.parsed.chat_templates[t.name] = std::string(t.text);  // a later duplicate wins, as in llama.cpp's map
  }
}

}  // namespace modelgate
