#include "format/keras_config.h"

#include <array>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/rule_catalog.h"
#include "marshal/marshal_reader.h"

namespace modelgate {

namespace {

using nlohmann::json;

// Modules whose members run code or reach the system. A config that names them is a payload.
constexpr std::array kDangerousModules = {
    "os", "posix", "nt", "subprocess", "sys", "builtins", "__builtin__", "importlib", "runpy",
    "shutil", "socket", "ctypes", "pickle", "_pickle", "marshal", "dill", "cloudpickle", "pty",
    "code", "codeop", "webbrowser", "urllib", "http", "requests", "tempfile", "io", "pathlib",
    "glob", "multiprocessing", "signal", "types", "inspect", "asyncio", "operator", "functools",
    "tensorflow.io", "tensorflow.python.ops.io_ops", "tensorflow.python.lib.io", "tf.io",
    "tensorflow.keras.utils.get_file", "torch.load", "numpy.load",
};

// Keras functions and layers that load or fetch other files, or switch safety off
// (CVE-2025-8747 get_file, CVE-2026-1462 TFSMLayer, nested load_model).
constexpr std::array kDangerousKerasNames = {
    "keras.utils.get_file", "keras.src.utils.file_utils", "keras.utils.file_utils",
    "keras.saving", "keras.src.saving", "keras.models.load_model", "keras.src.models.model.load_model",
    "keras.config.enable_unsafe_deserialization", "keras.src.legacy.saving",
    "keras.utils.load_img", "keras.utils.save_img", "keras.src.utils.image_utils",
    "keras.layers.TFSMLayer", "keras.src.export", "keras.export",
    "tf_keras.utils.get_file", "tf_keras.models.load_model",
};

// Keras and the Keras team's own model libraries.
constexpr std::array kKerasFamily = {"keras", "tf_keras", "tensorflow.keras", "tensorflow.python.keras",
                                     "keras_hub", "keras_nlp", "keras_cv"};

// Keys whose string value is a file or URL the layer opens at load time.
constexpr std::array kPathKeys = {"vocabulary", "origin", "filepath", "fname", "cache_dir",
                                  "file_path", "vocabulary_path", "path"};

bool in_module(std::string_view name, std::string_view module) {
  return name == module || (name.starts_with(module) && name.size() > module.size() && name[module.size()] == '.');
}

template <std::size_t N>
bool in_any(std::string_view name, const std::array<const char*, N>& modules) {
  for (const char* m : modules)
    if (in_module(name, m)) return true;
  return false;
}

bool looks_like_external_path(std::string_view s) {
  for (std::string_view scheme : {"http://", "https://", "ftp://", "file://", "gs://", "s3://", "hdfs://"})
    if (s.starts_with(scheme)) return true;
  return s.starts_with('/') || s.starts_with('~') || s.starts_with("\\\\") ||
         s.find("../") != std::string_view::npos || s.find("..\\") != std::string_view::npos ||
         (s.size() > 2 && s[1] == ':' && (s[2] == '\\' || s[2] == '/'));
}

// Nesting depth of a JSON text, ignoring brackets inside strings; checked before parsing so that
// nothing deep is ever built.
std::size_t json_depth(std::string_view text) {
  std::size_t depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') max_depth = std::max(max_depth, ++depth);
    else if ((c == '}' || c == ']') && depth > 0) --depth;
  }
  return max_depth;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text, std::size_t max_out) {
  std::vector<std::uint8_t> out;
  std::uint32_t acc = 0;
  unsigned bits = 0;
  bool padding = false;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') { padding = true; continue; }
    else if (c == '\n' || c == '\r' || c == ' ') continue;
    else return std::nullopt;
    if (padding) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (out.size() >= max_out) return std::nullopt;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  return out;
}

std::string join_limited(const std::vector<std::string>& items, std::size_t max_items) {
  std::string s;
  for (std::size_t i = 0; i < items.size() && i < max_items; ++i) {
    if (i) s += ", ";
    s += items[i].size() > 80 ? items[i].substr(0, 80) + "..." : items[i];
  }
  if (items.size() > max_items) s += ", ... (" + std::to_string(items.size()) + " in all)";
  return s;
}

class KerasConfigAnalyser {
 public:
  KerasConfigAnalyser(const std::string& origin, ArtifactReport& report, std::optional<std::uint64_t> offset,
           const Limits& limits)
      : origin_(origin), report_(report), offset_(offset), limits_(limits) {}

  void visit(const json& v, std::string& path) {
    if (v.is_object()) {
      inspect_object(v, path);
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (it.value().is_string()) inspect_string(it.key(), it.value().get_ref<const std::string&>(), path);
        std::size_t len = path.size();
        path += "/" + it.key();
        visit(it.value(), path);
        path.resize(len);
      }
    } else if (v.is_array()) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        std::size_t len = path.size();
        path += "/" + std::to_string(i);
        visit(v[i], path);
        path.resize(len);
      }
    }
  }

  std::map<std::string, std::uint64_t> class_names;

 private:
  void add(RuleId id, std::string message, std::string evidence) {
    report_.add(make_finding(rule(id), origin_, offset_, std::move(message), std::move(evidence)));
  }

  static std::string string_at(const json& o, const char* key) {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  }

  void inspect_object(const json& o, const std::string& path) {
    std::string cls = string_at(o, "class_name");
    std::string module = string_at(o, "module");
    std::string registered = string_at(o, "registered_name");
    if (cls.empty()) {
      lambda_payloads(o, path);
      return;
    }
    if (class_names.size() < 512 || class_names.count(cls)) ++class_names[cls];
    const json* config = o.contains("config") ? &o["config"] : nullptr;
    std::string where = path.empty() ? "/" : path;

    if (cls == "__lambda__") {
      const json* value = config && config->is_object() && config->contains("value") ? &(*config)["value"] : nullptr;
      if (value == nullptr && config && config->is_object() && config->contains("code")) value = &(*config)["code"];
      bytecode_finding(value, where, "a serialized Python lambda");
    } else if (cls == "Lambda" && (module.empty() || in_any(module, kKerasFamily))) {
      const json* fn = config && config->is_object() && config->contains("function") ? &(*config)["function"] : nullptr;
      bool bytecode = (fn && fn->is_object() && string_at(*fn, "class_name") == "__lambda__") ||
                      (config && config->is_object() && string_at(*config, "function_type") == "lambda");
      if (!bytecode) {
        std::string target = fn && fn->is_string() ? fn->get<std::string>()
                             : fn && fn->is_object() ? string_at(*fn, "module") + "." + config_name(*fn)
                                                     : std::string("(unspecified)");
        if (fn && fn->is_string() && config->is_object() && !string_at(*config, "module").empty())
          target = string_at(*config, "module") + "." + target;
        add("MG-KERAS-LAMBDA", "Lambda layer at " + where + " calls function " + target, target);
        if (fn && fn->is_string()) check_reference(string_at(*config, "module"), fn->get<std::string>(), where);
      }
    } else if (cls == "TorchModuleWrapper") {
      add("MG-KERAS-TORCH-MODULE",
          "TorchModuleWrapper at " + where + " unpickles a PyTorch module with torch.load when loaded",
          "class_name TorchModuleWrapper");
    } else if (cls == "TFSMLayer") {
      std::string file = config && config->is_object() ? string_at(*config, "filepath") : "";
      add("MG-KERAS-DANGEROUS-REFERENCE",
          "TFSMLayer at " + where + " loads an external SavedModel" + (file.empty() ? "" : " from '" + file + "'"),
          "TFSMLayer " + file);
    }
    lambda_payloads(o, path);

    bool keras_module = module.empty() || in_any(module, kKerasFamily);
    if (!module.empty() && cls != "TFSMLayer") {
      std::string member = cls == "function" && o.contains("config") && o["config"].is_string()
                               ? o["config"].get<std::string>()
                               : cls;
      if (!check_reference(module, member, where) && !keras_module)
        add("MG-KERAS-CUSTOM-OBJECT",
            "object at " + where + " is imported from module '" + module + "', outside Keras",
            module + "." + member);
    } else if (cls.find('>') != std::string::npos || registered.find('>') != std::string::npos) {
      // Keras 2 (no module field) and registered custom objects use "package>Name".
      std::string name = registered.find('>') != std::string::npos ? registered : cls;
      if (!name.starts_with("keras>") && !name.starts_with("keras_hub>") && !name.starts_with("keras_nlp>") &&
          !name.starts_with("keras_cv>"))
        add("MG-KERAS-CUSTOM-OBJECT", "object at " + where + " is the registered custom object '" + name + "'", name);
    } else if (!registered.empty() && registered != cls && keras_module && module.empty() &&
               registered.find('.') != std::string::npos) {
      check_reference(registered.substr(0, registered.rfind('.')), registered.substr(registered.rfind('.') + 1), where);
    }
  }

  static std::string config_name(const json& o) {
    auto it = o.find("config");
    return it != o.end() && it->is_string() ? it->get<std::string>() : string_at(o, "class_name");
  }

  // True when a dangerous-reference finding was added.
  bool check_reference(const std::string& module, const std::string& member, const std::string& where) {
    if (module.empty()) return false;
    std::string full = member.empty() ? module : module + "." + member;
    if (in_any(module, kDangerousModules) || in_any(full, kDangerousModules) || in_any(full, kDangerousKerasNames)) {
      add("MG-KERAS-DANGEROUS-REFERENCE", "object at " + where + " refers to " + full +
                                              ", a code-execution, file or network primitive",
          full);
      return true;
    }
    return false;
  }

  // Keras 2 Lambda: "function_type": "lambda" / "output_shape_type": "lambda" with a marshal payload.
  void lambda_payloads(const json& o, const std::string& path) {
    for (const char* key : {"function", "output_shape"}) {
      if (string_at(o, (std::string(key) + "_type").c_str()) != "lambda") continue;
      const json& payload = o.contains(key) ? o[key] : json();
      bytecode_finding(&payload, (path.empty() ? "/" : path) + "/" + key, "Lambda bytecode");
    }
  }

  void bytecode_finding(const json* value, const std::string& where, const std::string& what) {
    // The payload is (code, defaults, closure) or the base64 code string itself.
    const json* code = value;
    if (code && code->is_array() && !code->empty()) code = &(*code)[0];
    std::string evidence;
    if (code && code->is_string()) {
      auto raw = base64_decode(code->get_ref<const std::string&>(), limits_.max_keras_lambda_bytes);
      if (!raw) {
        evidence = "payload is not base64 (or larger than the decoding limit)";
      } else {
        auto summary = marshal::read_code_object(ByteView(raw->data(), raw->size()), limits_);
        if (!summary) {
          evidence = "bytecode not decodable: " + summary.error().reason + " at byte " +
                     std::to_string(summary.error().offset);
        } else {
          std::vector<std::string> names, strings;
          for (const auto& c : summary->codes) {
            names.insert(names.end(), c.names.begin(), c.names.end());
            strings.insert(strings.end(), c.strings.begin(), c.strings.end());
          }
          evidence = "marshal " + summary->layout + ", code '" + summary->codes[0].name + "' from '" +
                     summary->codes[0].filename + "'; names: " + join_limited(names, 32) +
                     "; strings: " + join_limited(strings, 16);
        }
      }
    } else {
      evidence = "no bytecode string found in the payload";
    }
    add("MG-KERAS-LAMBDA-BYTECODE", where + " holds " + what + " that Keras rebuilds and runs on load", evidence);
  }

  void inspect_string(const std::string& key, const std::string& value, const std::string& path) {
    bool path_key = false;
    for (const char* k : kPathKeys) path_key |= key == k;
    bool url = value.find("://") != std::string::npos && looks_like_external_path(value);
    if ((path_key && looks_like_external_path(value)) || url)
      add("MG-KERAS-EXTERNAL-REFERENCE",
          "'" + key + "' at " + (path.empty() ? "/" : path) + " refers to an external file or URL",
          value.size() > 200 ? value.substr(0, 200) + "..." : value);
  }

  const std::string& origin_;
  ArtifactReport& report_;
  std::optional<std::uint64_t> offset_;
  const Limits& limits_;
};

}  // namespace

bool analyse_keras_config(std::string_view json_text, const std::string& origin, const Limits& limits,
                          ArtifactReport& report, std::optional<std::uint64_t> offset) {
  auto malformed = [&](std::string why) {
    report.add(make_finding(rule("MG-KERAS-MALFORMED"), origin, offset, std::move(why)));
    return false;
  };
  if (json_text.size() > limits.max_keras_config_bytes)
    return malformed("configuration of " + std::to_string(json_text.size()) + " bytes is over the limit max_keras_config_bytes (" +
                     std::to_string(limits.max_keras_config_bytes) + ")");
  if (json_depth(json_text) > limits.max_keras_config_depth)
    return malformed("configuration nested deeper than max_keras_config_depth (" +
                     std::to_string(limits.max_keras_config_depth) + " levels)");
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return malformed("configuration is not valid JSON");
  if (!doc.is_object()) return malformed("configuration is not a JSON object");
  KerasConfigAnalyser a(origin, report, offset, limits);
  std::string path;
  a.visit(doc, path);
  auto& keras = details_of(report.details.keras);
  auto& seen = details_of(keras.class_names);
  for (const auto& [name, n] : a.class_names) {
    if (seen.size() >= 512 && !seen.count(name)) continue;
    seen[name] += n;
  }
  return true;
}

// Keras 3 objects name their module; Keras 2 and tf.keras architectures (`model.to_json()`, read by
// `model_from_json`) are a class name and its config; TensorFlow.js layers models (`model.json`, read
// by tensorflowjs' `load_keras_model`) hold one under `modelTopology`.
bool looks_like_keras_object(const json& doc) {
  if (!doc.is_object()) return false;
  if (auto topology = doc.find("modelTopology"); topology != doc.end() && topology->is_object()) return true;
  auto name = doc.find("class_name");
  if (name == doc.end() || !name->is_string()) return false;
  auto config = doc.find("config");
  return doc.contains("module") || doc.contains("registered_name") || (config != doc.end() && config->is_object());
}

}  // namespace modelgate
