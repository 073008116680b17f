#include "core/format_details_json.h"

#include <cmath>

#include "core/format_detail_fields.h"
#include "core/json_fields.h"
#include "core/sandbox_layers_json.h"

namespace modelgate {

namespace {

using nlohmann::json;

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

template <class T>
concept DetailStruct = requires(T& d) { each_detail_field(d, [](const char*, auto&, auto...) {}); };

// Whether a field is shown: an optional when it holds a value, a flag when it is true (or always,
// when the table says so), anything else always.
template <class T>
bool shown(const T&) { return true; }
template <class T>
bool shown(const std::optional<T>& v) { return v.has_value(); }
bool shown(bool b) { return b; }

// Declared first: the templates call each other.
template <class T>
json value_json(const std::optional<T>& v);
template <class T>
json value_json(const std::vector<T>& items);
template <class V>
json value_json(const std::map<std::string, V>& items);
template <class T>
bool read(const nlohmann::json& v, std::optional<T>& out);
template <class T>
bool read(const nlohmann::json& v, std::vector<T>& out);
template <class V>
bool read(const nlohmann::json& v, std::map<std::string, V>& out);
template <DetailStruct S>
bool read(const nlohmann::json& v, S& out);

json value_json(const std::string& s) { return s; }
json value_json(std::uint64_t n) { return n; }
json value_json(std::int64_t n) { return n; }
json value_json(bool b) { return b; }
json value_json(const FileValue& v) { return file_value_json(v); }
template <class T>
json value_json(const std::optional<T>& v) { return value_json(*v); }
template <class T>
json value_json(const std::vector<T>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back(value_json(item));
  return out;
}
template <class V>
json value_json(const std::map<std::string, V>& items) {
  json out = json::object();
  for (const auto& [key, item] : items) out[key] = value_json(item);
  return out;
}

void add_fields(const DetailStruct auto& d, json& out) {
  each_detail_field(d, [&out](const char* key, const auto& field, auto... always) {
    if (sizeof...(always) > 0 || shown(field)) out[key] = value_json(field);
  });
}

// Strict reads: each says whether `v` has the field's type.
bool read(const json& v, std::string& out) {
  if (!v.is_string()) return false;
  out = v.get<std::string>();
  return true;
}
bool read(const json& v, std::uint64_t& out) {
  auto n = json_count(v);
  if (n) out = *n;
  return n.has_value();
}
bool read(const json& v, std::int64_t& out) {
  if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<std::uint64_t>() > INT64_MAX)) return false;
  out = v.get<std::int64_t>();
  return true;
}
bool read(const json& v, bool& out) {
  if (!v.is_boolean()) return false;
  out = v.get<bool>();
  return true;
}
bool read(const json& v, FileValue& out) {
  out = file_value_of(v);
  return true;
}
template <class T>
bool read(const json& v, std::optional<T>& out) {
  return read(v, out.emplace());
}
template <class T>
bool read(const json& v, std::vector<T>& out) {
  if (!v.is_array()) return false;
  for (const auto& item : v)
    if (!read(item, out.emplace_back())) return false;
  return true;
}
template <class V>
bool read(const json& v, std::map<std::string, V>& out) {
  if (!v.is_object()) return false;
  for (const auto& [key, item] : v.items())
    if (!read(item, out[key])) return false;
  return true;
}

// A struct from an object that holds its fields and nothing else: every field that is always shown,
// and a flag shown only when true only as true.
template <DetailStruct S>
bool read(const json& v, S& out) {
  if (!v.is_object()) return false;
  std::size_t known = 0;
  bool ok = true;
  each_detail_field(out, [&](const char* key, auto& field, auto... always) {
    using F = std::decay_t<decltype(field)>;
    constexpr bool may_be_absent = IsOptional<F>::value || (std::is_same_v<F, bool> && sizeof...(always) == 0);
    if (!ok) return;
    auto it = v.find(key);
    if (it == v.end()) {
      ok = may_be_absent;
      return;
    }
    ++known;
    ok = read(*it, field) && (sizeof...(always) > 0 || shown(field));
  });
  return ok && known == v.size();
}

bool read(const json& v, SandboxLayers& out) {
  if (!v.is_object() || !v.contains("mode") || !v["mode"].is_string()) return false;
  auto mode = parse_sandbox_mode(v["mode"].get<std::string>());
  if (!mode) return false;
  out.mode = *mode;
  if (out.mode == SandboxMode::off) return v.size() == 1;
  std::uint64_t abi = 0;
  const bool ok = v.size() == 5 && v.contains("layers") && json_strings(v["layers"], out.layers) &&
                  v.contains("missing") && json_strings(v["missing"], out.missing) && v.contains("landlock_abi") &&
                  read(v["landlock_abi"], abi) && abi <= 1024 && v.contains("memory_limit") &&
                  read(v["memory_limit"], out.memory_limit);
  out.landlock_abi = static_cast<int>(abi);
  return ok;
}

}  // namespace

json file_value_json(const FileValue& v) {
  return std::visit(
      [](const auto& x) -> json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return nullptr;
        } else if constexpr (std::is_same_v<T, FileValue::Array>) {
          json out = json::array();
          for (const auto& item : x) out.push_back(file_value_json(item));
          return out;
        } else if constexpr (std::is_same_v<T, FileValue::Object>) {
          json out = json::object();
          for (const auto& m : x) out[m.key] = file_value_json(m.value);
          return out;
        } else {
          return x;
        }
      },
      v.value);
}

FileValue file_value_of(const json& v) {
  switch (v.type()) {
    case json::value_t::boolean: return {v.get<bool>()};
    case json::value_t::number_unsigned: return {v.get<std::uint64_t>()};
    case json::value_t::number_integer: {
      const std::int64_t n = v.get<std::int64_t>();
      if (n >= 0) return {static_cast<std::uint64_t>(n)};
      return {n};
    }
    case json::value_t::number_float: {
      const double d = v.get<double>();
      if (!std::isfinite(d)) return {};
      return {d};
    }
    case json::value_t::string: return {v.get<std::string>()};
    case json::value_t::array: {
      FileValue::Array items;
      items.reserve(v.size());
      for (const auto& item : v) items.push_back(file_value_of(item));
      return {std::move(items)};
    }
    case json::value_t::object: {
      FileValue::Object members;
      members.reserve(v.size());
      for (const auto& [key, item] : v.items()) members.push_back({key, file_value_of(item)});
      return {std::move(members)};
    }
    case json::value_t::null:
    case json::value_t::binary:
    case json::value_t::discarded: break;
  }
  return {};
}

void add_format_details(const FormatDetails& details, json& facts) {
  each_format_detail(details, [&facts](const char* key, const auto& detail) {
    using T = std::decay_t<decltype(detail)>;
    if (!detail) return;
    if constexpr (DetailStruct<typename T::value_type>)
      add_fields(*detail, facts);
    else
      facts[key] = value_json(*detail);
  });
  if (details.sandbox) facts["sandbox"] = sandbox_layers_json(*details.sandbox);
}

json format_details_json(const FormatDetails& details) {
  json out = json::object();
  each_format_detail(details, [&out](const char* key, const auto& detail) {
    using T = std::decay_t<decltype(detail)>;
    if (!detail) return;
    if constexpr (DetailStruct<typename T::value_type>)
      add_fields(*detail, out[key] = json::object());
    else
      out[key] = value_json(*detail);
  });
  if (details.sandbox) out["sandbox"] = sandbox_layers_json(*details.sandbox);
  return out;
}

Expected<FormatDetails> format_details_from_json(const json& j) {
  if (!j.is_object()) return parse_error(0, "format details are not a JSON object");
  FormatDetails details;
  std::size_t known = 0;
  std::string failed;
  each_format_detail(details, [&](const char* key, auto& detail) {
    auto it = j.find(key);
    if (it == j.end() || !failed.empty()) return;
    ++known;
    if (!read(*it, detail)) failed = key;
  });
  if (auto it = j.find("sandbox"); it != j.end() && failed.empty()) {
    ++known;
    if (!read(*it, details.sandbox.emplace())) failed = "sandbox";
  }
  if (!failed.empty()) return parse_error(0, "format detail \"" + failed + "\" has the wrong shape");
  if (known != j.size()) return parse_error(0, "format details carry a key modelgate does not write");
  return details;
}

}  // namespace modelgate
