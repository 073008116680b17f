#include "hf/loader_routes.h"

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <vector>

#include "core/rule_catalog.h"
#include "hf/chat_template_source.h"
#include "hf/front_matter.h"
#include "hf/library_paths.h"
#include "hf/remote_code.h"
#include "hf/tokenizer_patterns.h"
#include "modelgate/rules.h"
#include "pickle/allowlist.h"
#include "readers/yaml_keys.h"

namespace modelgate {

namespace {

bool identifier(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

bool dotted_identifier(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t p = 0;;) {
    std::size_t dot = s.find('.', p);
    if (!identifier(s.substr(p, dot == std::string_view::npos ? std::string_view::npos : dot - p))) return false;
    if (dot == std::string_view::npos) return true;
    p = dot + 1;
  }
}

// OpenMMLab scopes (mmengine's MODULE2PACKAGE, and mmengine itself): "scope.Name" is looked up in
// that package's registry, whose entries are the package's own classes (capitalised names).
bool openmmlab_registry_name(std::string_view v) {
  static constexpr std::array<std::string_view, 20> kScopes = {
      "mmengine", "mmcv", "mmcls", "mmpretrain", "mmdet", "mmdet3d", "mmseg", "mmaction", "mmtrack", "mmpose",
      "mmedit", "mmagic", "mmocr", "mmgen", "mmfewshot", "mmrazor", "mmflow", "mmhuman3d", "mmrotate", "mmselfsup"};
  const std::size_t dot = v.find('.');
  if (dot == std::string_view::npos || v.find('.', dot + 1) != std::string_view::npos) return false;
  // Registries hold classes; a lowercase name no registry holds is imported from the package
  // itself, whose top level has functions such as mmengine.load (a pickle from a URL) and rmtree.
  if (!identifier(v.substr(dot + 1)) || !(v[dot + 1] >= 'A' && v[dot + 1] <= 'Z')) return false;
  // A name the registry does not hold falls back to the package's top-level export: the OpenMMLab
  // inferencers (mmpretrain.ImageClassificationInferencer, mmdet.DetInferencer) are exported there and
  // run Config.fromfile on their `model` argument (a .py config is executed).
  if (v.ends_with("Inferencer")) return false;
  for (auto s : kScopes)
    if (v.substr(0, dot) == s) return true;
  return v.substr(0, dot) == "mmyolo";
}

// A `type` that mmengine's Registry.get resolves with get_object_from_string (import the module
// part, getattr the rest) and build_from_cfg calls: a dotted path with a module part. Plain words
// ("linear", "BPE") are registry names only; sentence-transformers module types are read by that route.
bool mmengine_import_path(std::string_view v) {
  return v.find('.') != std::string_view::npos && dotted_identifier(v) && !openmmlab_registry_name(v) &&
         v.substr(0, 22) != "sentence_transformers.";
}

void mmengine_type(std::string_view value, const std::string& origin, std::optional<std::uint64_t> offset,
                   const std::string& where, ArtifactReport& report) {
  const std::string v(value.substr(0, 200));
  report.add(make_finding(rule("MG-MMENGINE-TYPE"), origin, offset,
                          where + " names '" + v +
                              "': mmengine's Registry.get imports it (get_object_from_string) when no registry "
                              "holds it, and build_from_cfg calls it with the sibling keys",
                          v));
  grade_config_callable(value, origin, offset, report);
}

// jsonargparse (LightningCLI's --config) imports a {class_path, init_args} value's class_path with
// import_object and instantiates it when it fits the parameter's type.
void jsonargparse_class_path(std::string_view value, const std::string& origin, const std::string& where,
                             ArtifactReport& report) {
  if (value.find('.') == std::string_view::npos || !dotted_identifier(value)) return;
  if (torch_catalog_path(value)) return;
  const std::string v(value.substr(0, 200));
  report.add(make_finding(rule("MG-CONFIG-CLASS-PATH"), origin, std::nullopt,
                          where + " names '" + v +
                              "': jsonargparse imports it (import_object) and instantiates it with init_args",
                          v));
  grade_config_callable(value, origin, std::nullopt, report);
}

// A checkpoint mmengine loads from where the config says: CheckpointLoader.load_checkpoint
// (init_cfg {type: Pretrained, checkpoint}, load_from, resume_from, a backbone's pretrained)
// downloads a URL or opens a path and torch.loads it, a full pickle load. Model-zoo schemes
// (torchvision://, open-mmlab://, ...) name the library's own published weights.
void mmengine_checkpoint(std::string_view value, const std::string& origin, const std::string& where,
                         ArtifactReport& report) {
  for (std::string_view zoo : {"torchvision://", "open-mmlab://", "openmmlab://", "mmcls://", "mmpretrain://",
                               "modelzoo://"})
    if (value.starts_with(zoo)) return;
  const bool remote = value.find("://") != std::string_view::npos;
  if (!remote && !outside_path(value)) return;
  const std::string v(value.substr(0, 200));
  report.add(make_finding(rule("MG-HF-UNSCANNED-DEPENDENCY"), origin, std::nullopt,
                          where + " names '" + v + "'" + (remote ? "" : ", outside the repository") +
                              ": mmengine's CheckpointLoader " + (remote ? "downloads it and " : "") +
                              "loads it with torch.load (a full pickle load), and it is not part of this scan",
                          v));
}

// mmengine Config.fromfile reads every `_base_` config first (and runs a .py one as Python); a
// `package::path` base comes from an installed OpenMMLab package.
void mmengine_base(const nlohmann::json& value, const std::string& origin, const std::string& where,
                   ArtifactReport& report) {
  std::vector<std::string> bases;
  if (value.is_string()) bases.push_back(value.get<std::string>());
  if (value.is_array())
    for (const auto& b : value)
      if (b.is_string() && bases.size() < 100) bases.push_back(b.get<std::string>());
  for (const auto& b : bases) {
    if (b.find("::") != std::string::npos) continue;
    const bool remote = b.find("://") != std::string::npos;
    if (!remote && !outside_path(b)) continue;
    const std::string v = b.substr(0, 200);
    report.add(make_finding(rule("MG-HF-UNSCANNED-DEPENDENCY"), origin, std::nullopt,
                            where + " names '" + v + "'" + (remote ? "" : ", outside the repository") +
                                ": mmengine's Config.fromfile reads it as a base config (a .py one is run as "
                                "Python), and it is not part of this scan",
                            v));
  }
}

void mmengine_custom_imports(const std::string& origin, std::optional<std::uint64_t> offset, const std::string& what,
                             ArtifactReport& report) {
  report.add(make_finding(rule("MG-MMENGINE-CUSTOM-IMPORTS"), origin, offset,
                          "custom_imports " + what +
                              ": mmengine's Config.fromfile imports these modules (import_modules_from_strings)",
                          what.substr(0, 200)));
}

std::string shown(const nlohmann::json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  return s.size() > 200 ? s.substr(0, 200) + "..." : s;
}

void code_file(ArtifactReport& report, const std::string& file, const std::string& route) {
  report.parsed.code_files.push_back({file, route});
}

void finding(ArtifactReport& report, RuleId id, const std::string& origin, std::string message,
             std::string evidence = {}) {
  report.add(make_finding(rule(id), origin, std::nullopt, std::move(message), std::move(evidence)));
}

// sentence_transformers.SentenceTransformer._load_sbert_model reads modules.json, a list of
// {"idx", "name", "path", "type"}, and resolves each type with _load_module_class_from_ref.
bool modules_json_shape(const nlohmann::json& d) {
  if (!d.is_array() || d.empty()) return false;
  for (const auto& m : d)
    if (!m.is_object() || !m.contains("type")) return false;
  return true;
}

void sentence_transformers_modules(const nlohmann::json& d, const std::string& origin, ArtifactReport& report) {
  if (!d.is_array()) {
    finding(report, "MG-HF-CONFIG-MALFORMED", origin, "modules.json is not a list of modules", shown(d));
    return;
  }
  for (const auto& m : d) {
    if (!m.is_object() || !m.contains("type") || !m["type"].is_string()) {
      finding(report, "MG-HF-CONFIG-MALFORMED", origin, "modules.json entry without a string type", shown(m));
      continue;
    }
    std::string type = m["type"].get<std::string>();
    std::string path = m.contains("path") && m["path"].is_string() ? m["path"].get<std::string>() : "";
    if (path.rfind('/', 0) == 0 || path.find("..") != std::string::npos || path.find('\\') != std::string::npos)
      finding(report, "MG-HF-CONFIG-MALFORMED", origin,
              "modules.json module path leaves the repository (the module is loaded from there)", path);
    if (type.rfind("sentence_transformers.", 0) == 0 && dotted_identifier(type)) continue;
    // transformers' get_class_from_dynamic_module splits "module.Class" at its only dot; a type
    // with more dots raises ValueError there and sentence-transformers falls back to importing it
    // from installed packages (util.import_from_string).
    std::size_t dot = type.find('.');
    bool repo_module = dotted_identifier(type) && dot != std::string::npos && type.find('.', dot + 1) == std::string::npos;
    std::string file = repo_module ? type.substr(0, dot) + ".py" : "";
    finding(report, "MG-ST-MODULE-CODE", origin,
            "module type '" + type + "' is not part of sentence-transformers: " +
                (repo_module ? "loaded from the repository (" + file +
                                   ") by get_class_from_dynamic_module for any local directory or with "
                                   "trust_remote_code, otherwise imported from installed packages"
                             : std::string("imported from installed packages (util.import_from_string)")),
            type);
    if (!file.empty()) code_file(report, file, "sentence-transformers modules.json module type " + type);
  }
}

// sentence-transformers models/Router.py (and its legacy alias Asym), Router.load: reads
// router_config.json (or config.json) and imports every value of "types" with
// util.import_from_string before calling its load(): any installed module.
bool router_config_shape(const nlohmann::json& d) {
  return d.is_object() && d.contains("types") && d["types"].is_object() && d.contains("structure");
}

void sentence_transformers_router(const nlohmann::json& d, const std::string& origin, ArtifactReport& report) {
  if (!router_config_shape(d)) {
    finding(report, "MG-HF-CONFIG-MALFORMED", origin, "router config without a types object and a structure", shown(d));
    return;
  }
  for (const auto& [id, type] : d["types"].items()) {
    // Router.load reads each module from the directory named by its id.
    if (outside_path(id) || id.find('\\') != std::string::npos)
      finding(report, "MG-HF-CONFIG-MALFORMED", origin,
              "router module id '" + id.substr(0, 200) +
                  "' leaves the repository (Router.load reads the module's config and weights from there)",
              id.substr(0, 200));
    if (type.is_string() && type.get_ref<const std::string&>().rfind("sentence_transformers.", 0) == 0 &&
        dotted_identifier(type.get_ref<const std::string&>()))
      continue;
    finding(report, "MG-ST-MODULE-CODE", origin,
            "router module '" + id + "' has type " + shown(type) +
                ", which Router.load imports from installed packages (util.import_from_string) and calls",
            shown(type));
  }
}

// Values sentence-transformers imports with util.import_from_string from a module's own config and
// then calls or loads (the call needs a dot: import_from_string raises before importing without
// one):
//   models/Dense.py, Dense.load: config.json "activation_function", imported and called with no
//     arguments (releases before the trust_remote_code guard; the guard admits any torch.* name);
//   models/WordEmbeddings.py, WordEmbeddings.load: wordembedding_config.json "tokenizer_class",
//     imported and its load() called;
//   cross_encoder/CrossEncoder.py: config.json "sbert_ce_default_activation_function" (before v4)
//     and "sentence_transformers": {"activation_fn"} (v4), imported and called.
// What sentence-transformers writes there itself: fullname() of a torch activation module or of
// Identity, and its own tokenizers.
bool shipped_activation(std::string_view v) {
  constexpr std::string_view kActivations = "torch.nn.modules.activation.";
  if (v == "torch.nn.Identity" || v == "torch.nn.modules.linear.Identity") return true;
  return v.starts_with(kActivations) && identifier(v.substr(kActivations.size()));
}

bool shipped_tokenizer(std::string_view v) {
  return v.starts_with("sentence_transformers.models.tokenizer.") && dotted_identifier(v);
}

void st_imported_value(const nlohmann::json& v, const std::string& where, const char* how, bool (*shipped)(std::string_view),
                       const std::string& origin, ArtifactReport& report) {
  if (!v.is_string()) return;  // import_from_string needs a str (rsplit)
  const std::string& s = v.get_ref<const std::string&>();
  if (s.find('.') == std::string::npos || shipped(s)) return;
  finding(report, "MG-ST-MODULE-CODE", origin,
          where + " is '" + shown(v) + "', which " + how +
              ": not a value sentence-transformers writes itself, so code of an installed package runs",
          shown(v));
  grade_config_callable(s, origin, std::nullopt, report);
}

void sentence_transformers_module_config(const nlohmann::json& d, std::string_view file_name, const std::string& origin,
                                         ArtifactReport& report) {
  if (!d.is_object()) return;
  // Dense.load imports before Dense(**config) checks the other keys, so the name alone selects it.
  bool dense = d.contains("activation_function") &&
               (file_name == "config.json" || (d.contains("in_features") && d.contains("out_features")));
  if (dense)
    st_imported_value(d["activation_function"], "activation_function",
                      "sentence-transformers Dense.load imports (util.import_from_string) and calls", shipped_activation,
                      origin, report);
  bool word_embeddings = d.contains("tokenizer_class") &&
                         (file_name == "wordembedding_config.json" || d.contains("update_embeddings"));
  if (word_embeddings)
    st_imported_value(d["tokenizer_class"], "tokenizer_class",
                      "sentence-transformers WordEmbeddings.load imports (util.import_from_string) and calls load() of",
                      shipped_tokenizer, origin, report);
  // Transformer.load passes a sentence_bert_config.json (or another sentence_*_config.json) to
  // Transformer(): tokenizer_name_or_path goes to AutoTokenizer.from_pretrained with the caller's
  // trust_remote_code, a repository or directory of its own.
  if (auto t = d.find("tokenizer_name_or_path"); t != d.end() && t->is_string() && !t->get<std::string>().empty())
    finding(report, "MG-HF-UNSCANNED-DEPENDENCY", origin,
            "tokenizer_name_or_path makes sentence-transformers load the tokenizer from '" + shown(*t) +
                "', which is not part of this scan",
            shown(*t));
  if (d.contains("sbert_ce_default_activation_function"))
    st_imported_value(d["sbert_ce_default_activation_function"], "sbert_ce_default_activation_function",
                      "sentence-transformers CrossEncoder imports (util.import_from_string) and calls",
                      shipped_activation, origin, report);
  if (d.contains("sentence_transformers") && d["sentence_transformers"].is_object() &&
      d["sentence_transformers"].contains("activation_fn"))
    st_imported_value(d["sentence_transformers"]["activation_fn"], "sentence_transformers.activation_fn",
                      "sentence-transformers CrossEncoder imports (util.import_from_string) and calls",
                      shipped_activation, origin, report);
}

// Pipeline modules inside diffusers.pipelines that released model_index.json files name as the
// library of a component (diffusers resolves them with getattr(diffusers.pipelines, library)).
bool diffusers_library(std::string_view lib) {
  static constexpr std::array<std::string_view, 12> kLibraries = {
      "diffusers", "transformers", "stable_diffusion", "stable_diffusion_xl", "stable_diffusion_3",
      "kandinsky", "kandinsky2_2", "deepfloyd_if", "latent_diffusion", "pixart_alpha", "flux",
      "stable_diffusion_safe"};
  for (auto l : kLibraries)
    if (lib == l) return true;
  return false;
}

// A modular pipeline's component (modular_model_index.json) is [library, Class, loading_specs]:
// ModularPipeline.load_components fetches it from loading_specs.repo (any Hub repository or local
// path, subfolder and revision beside it) and takes its class from loading_specs.type_hint.
void modular_component(const std::string& component, const nlohmann::json& value, const std::string& origin,
                       ArtifactReport& report) {
  const auto& specs = value[2];
  if (auto repo = specs.find("repo"); repo != specs.end() && repo->is_string() && !repo->get<std::string>().empty())
    finding(report, "MG-HF-UNSCANNED-DEPENDENCY", origin,
            "modular pipeline component '" + component + "' is loaded from '" + shown(*repo) +
                "' (loading_specs.repo), which is not part of this scan",
            shown(specs));
  auto named_class = [](const nlohmann::json& pair) {
    return pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string() &&
           diffusers_library(pair[0].get<std::string>()) && identifier(pair[1].get<std::string>());
  };
  auto absent = [](const nlohmann::json& pair) {
    return pair.is_null() || (pair.is_array() && pair.size() == 2 && pair[0].is_null() && pair[1].is_null());
  };
  const nlohmann::json library_class = nlohmann::json::array({value[0], value[1]});
  if (!absent(library_class) && !named_class(library_class))
    finding(report, "MG-DIFFUSERS-CUSTOM-CODE", origin,
            "modular pipeline component '" + component + "' names " + shown(library_class) +
                ", a class outside diffusers and transformers",
            shown(value));
  if (auto hint = specs.find("type_hint"); hint != specs.end() && !absent(*hint) && !named_class(*hint))
    finding(report, "MG-DIFFUSERS-CUSTOM-CODE", origin,
            "modular pipeline component '" + component + "' has type_hint " + shown(*hint) +
                ", a class outside diffusers and transformers",
            shown(*hint));
}

void diffusers_index(const nlohmann::json& d, const std::string& origin, ArtifactReport& report) {
  if (!d.is_object()) return;
  if (d.contains("_class_name")) {
    const auto& c = d["_class_name"];
    if (c.is_array() && c.size() == 2 && c[0].is_string() && c[1].is_string()) {
      std::string module = c[0].get<std::string>();
      finding(report, "MG-DIFFUSERS-CUSTOM-CODE", origin,
              "_class_name [" + module + ", " + c[1].get<std::string>() +
                  "] loads a custom pipeline from " + module + ".py",
              shown(c));
      code_file(report, module + ".py", "diffusers custom pipeline (model_index.json _class_name)");
    } else if (!c.is_string() || !identifier(c.get<std::string>())) {
      finding(report, "MG-DIFFUSERS-CUSTOM-CODE", origin, "_class_name is not a diffusers pipeline class name",
              shown(c));
    }
  }
  for (const auto& [component, value] : d.items()) {
    if (!component.empty() && component[0] == '_') continue;
    if (value.is_array() && value.size() == 3 && value[2].is_object()) {
      modular_component(component, value, origin, report);
      continue;
    }
    // Components are [library, Class] pairs; anything else is a pipeline option
    // (requires_safety_checker, force_zeros_for_empty_prompt, ...).
    auto name_or_null = [](const nlohmann::json& x) { return x.is_string() || x.is_null(); };
    if (!value.is_array() || value.size() != 2 || !name_or_null(value[0]) || !name_or_null(value[1])) continue;
    if (value[0].is_null() && value[1].is_null()) continue;  // an absent component
    if (value.size() == 2 && value[0].is_string() && value[1].is_string() &&
        diffusers_library(value[0].get<std::string>()) && identifier(value[1].get<std::string>()))
      continue;
    std::string library = value[0].is_string() ? value[0].get<std::string>() : "";
    finding(report, "MG-DIFFUSERS-CUSTOM-CODE", origin,
            "component '" + component + "' names " + shown(value) +
                (library.empty() ? std::string(", a class without a library")
                                 : ": diffusers loads " + component + "/" + library +
                                       ".py from the repository when it exists, otherwise imports module '" +
                                       library + "'"),
            shown(value));
    if (identifier(library)) code_file(report, component + "/" + library + ".py", "diffusers component " + component);
  }
}

// A regular expression whose backtracking stays near linear on module names: no quantifier after a
// group, no backreference, at most three unbounded repetitions, and a bounded length.
bool simple_regex(std::string_view p) {
  if (p.size() > 1000) return false;
  int unbounded = 0;
  bool in_class = false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      if (i + 1 < p.size() && p[i + 1] >= '1' && p[i + 1] <= '9') return false;
      ++i;
      continue;
    }
    if (in_class) {
      in_class = c != ']';
      continue;
    }
    if (c == '[') in_class = true;
    const bool quantifier = c == '*' || c == '+' || c == '?' || c == '{';
    if (quantifier && i > 0 && p[i - 1] == ')') return false;
    if ((c == '*' || c == '+' || c == '{') && ++unbounded > 3) return false;
  }
  return true;
}

// More decoder layers than any published model has (the largest have a few hundred): a
// layer_replication asking for more is a way to exhaust memory at load.
constexpr int kMaxReplicatedLayers = 1024;

// peft.auto._BaseAutoPeftModel.from_pretrained: auto_mapping {"base_model_class", "parent_library"}
// is resolved with importlib.import_module(parent_library); base_model_name_or_path is loaded first.
void peft_adapter(const nlohmann::json& d, const std::string& origin, ArtifactReport& report) {
  if (!d.is_object()) return;
  if (d.contains("auto_mapping") && !d["auto_mapping"].is_null()) {
    const auto& m = d["auto_mapping"];
    std::string parent = m.is_object() && m.contains("parent_library") && m["parent_library"].is_string()
                             ? m["parent_library"].get<std::string>()
                             : "";
    bool inert = (parent == "transformers" || parent.rfind("transformers.", 0) == 0) && dotted_identifier(parent) &&
                 m.contains("base_model_class") && m["base_model_class"].is_string() &&
                 identifier(m["base_model_class"].get<std::string>());
    if (!inert)
      finding(report, "MG-PEFT-AUTO-MAPPING", origin,
              "auto_mapping makes PEFT import module '" + (parent.empty() ? shown(m) : parent) + "'", shown(m));
  }
  auto truthy = [](const nlohmann::json& v) {
    return !(v.is_null() || (v.is_boolean() && !v.get<bool>()) || (v.is_number() && v == 0) ||
             ((v.is_string() || v.is_object() || v.is_array()) && v.empty()));
  };
  // LoRA's dispatch_megatron: importlib.import_module(megatron_core) when megatron_config is truthy.
  if (d.contains("megatron_config") && truthy(d["megatron_config"])) {
    const nlohmann::json core = d.value("megatron_core", nlohmann::json("megatron.core"));
    if (core != "megatron.core")
      finding(report, "MG-PEFT-AUTO-MAPPING", origin,
              "megatron_config is set, so PEFT's dispatch_megatron imports module megatron_core = " + shown(core),
              shown(core));
  }
  for (const char* key : {"target_modules", "exclude_modules", "layers_pattern"}) {
    auto it = d.find(key);
    if (it == d.end()) continue;
    // layers_pattern is spliced into a pattern whether a string or a list of strings.
    std::vector<std::string> patterns;
    if (it->is_string()) patterns.push_back(it->get<std::string>());
    else if (std::string_view(key) == "layers_pattern" && it->is_array())
      for (const auto& p : *it)
        if (p.is_string()) patterns.push_back(p.get<std::string>());
    for (const auto& p : patterns)
      if (!simple_regex(p)) {
        finding(report, "MG-PEFT-REGEX", origin,
                std::string(key) + " = " + shown(*it) +
                    ": PEFT runs it with Python's backtracking re against every module name of the base model, and "
                    "it is not a simple pattern (a quantified group, a backreference or more than three unbounded "
                    "repetitions)",
                shown(*it));
        break;
      }
  }
  // LoRA's replicate_layers copies one decoder layer per index of every [start, end) range.
  if (auto lr = d.find("layer_replication"); lr != d.end() && lr->is_array()) {
    double copies = 0;
    for (const auto& range : *lr)
      if (range.is_array() && range.size() == 2 && range[0].is_number() && range[1].is_number())
        copies += std::max(0.0, range[1].get<double>() - range[0].get<double>());
    if (copies > kMaxReplicatedLayers)
      finding(report, "MG-PEFT-LAYER-REPLICATION", origin,
              "layer_replication makes PEFT copy " + (copies < 1e18 ? std::to_string(static_cast<std::uint64_t>(copies)) : std::string("more than 10^18")) +
                  " decoder layers of the base model at load (more than " + std::to_string(kMaxReplicatedLayers) + ")",
              shown(*lr));
  }
  if (d.contains("base_model_name_or_path") && d["base_model_name_or_path"].is_string() &&
      !d["base_model_name_or_path"].get<std::string>().empty())
    finding(report, "MG-HF-UNSCANNED-DEPENDENCY", origin,
            "the adapter is applied to base model '" + shown(d["base_model_name_or_path"]) +
                "', which is loaded too and is not part of this scan",
            shown(d["base_model_name_or_path"]));
}

// A mapping that names a class next to its `params`, the other spellings of Hydra's _target_:
//  - `cls` or `class` (Hydra 0.11; NeMo's maybe_update_config_version turns `cls` + `params` into
//    `_target_` and instantiates it),
//  - `name` (pyannote.audio's Pipeline.from_pretrained and Model loading: get_class_by_name imports
//    the dotted path and calls it with `params`; names under pyannote. are its own).
void class_with_params(const nlohmann::json& obj, const std::string& path, const std::string& origin,
                       ArtifactReport& report) {
  if (!obj.is_object() || !obj.contains("params")) return;
  for (const char* key : {"cls", "class", "name"}) {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_string()) continue;
    const std::string& v = it->get_ref<const std::string&>();
    if (v.find('.') == std::string::npos || !dotted_identifier(v)) continue;
    if (std::string_view(key) == "name" && v.starts_with("pyannote.")) continue;
    const std::string where = path.empty() ? key : path + "." + key;
    const char* how = std::string_view(key) == "name"
                          ? ", which pyannote.audio imports (get_class_by_name) and calls with params"
                          : ", which NeMo and Hydra 0.11 instantiate with params as _target_";
    finding(report, "MG-CONFIG-CALLABLE", origin, where + " names " + v.substr(0, 200) + how, v.substr(0, 200));
    grade_config_callable(v, origin, std::nullopt, report);
  }
}

// fiddle's serialization format (fiddle/_src/experimental/serialization.py, what NeMo 2 writes to
// context/io.json): every {"type": "pyref", "module": M, "name": N} is imported by
// Deserialization._deserialize_pyref -> import_symbol (importlib.import_module(M), then getattr
// along N), the object types among them are built by their traversers, and fdl.build calls the
// configured callables. The packages a NeMo 2 checkpoint is written from (NeMo, Megatron-core,
// torch, fiddle's own Config/Partial, Lightning) and the builtins containers fiddle serialises are
// not reported.
bool fiddle_builtin_container(std::string_view module, std::string_view name) {
  if (module != "builtins") return false;
  for (std::string_view t : {"list", "tuple", "dict", "set", "frozenset", "int", "float", "str", "bool", "bytes",
                             "complex", "slice", "range"})
    if (name == t) return true;
  return false;
}

void fiddle_pyref(const nlohmann::json& obj, const std::string& path, const std::string& origin,
                  std::set<std::string>& reported, ArtifactReport& report) {
  auto type = obj.find("type");
  if (type == obj.end() || !type->is_string() || type->get_ref<const std::string&>() != "pyref") return;
  auto module = obj.find("module");
  auto name = obj.find("name");
  if (module == obj.end() || name == obj.end() || !module->is_string() || !name->is_string()) {
    finding(report, "MG-FIDDLE-PYREF", origin,
            (path.empty() ? std::string("the document") : path) +
                " is a fiddle pyref without a string module and name: " + shown(obj),
            shown(obj));
    return;
  }
  const std::string& m = module->get_ref<const std::string&>();
  const std::string& n = name->get_ref<const std::string&>();
  const std::string dotted = m + "." + n;
  if (fiddle_builtin_container(m, n)) return;
  if (library_own_path(dotted, LibraryRoute::fiddle)) return;
  if (!reported.insert(dotted).second || reported.size() > 1000) return;
  const std::string v = dotted.substr(0, 200);
  finding(report, "MG-FIDDLE-PYREF", origin,
          (path.empty() ? std::string("the document") : path) + " is a fiddle pyref to '" + v +
              "': fiddle's deserialization imports it (importlib.import_module('" + m.substr(0, 100) +
              "'), getattr) and fdl.build calls it when it is configured",
          v);
  grade_config_callable(dotted, origin, std::nullopt, report);
}

// Every object of the document, in arrays too (fiddle keeps items as [path, value] pairs).
void fiddle_pyrefs(const nlohmann::json& v, std::string& path, const std::string& origin,
                   std::set<std::string>& reported, ArtifactReport& report, unsigned depth) {
  if (depth > 256) return;
  if (v.is_object()) fiddle_pyref(v, path, origin, reported, report);
  if (!v.is_object() && !v.is_array()) return;
  std::size_t i = 0;
  for (const auto& [key, value] : v.items()) {
    const std::size_t keep = path.size();
    path += v.is_array() ? "[" + std::to_string(i++) + "]" : (path.empty() ? "" : ".") + key;
    fiddle_pyrefs(value, path, origin, reported, report, depth + 1);
    path.resize(keep);
  }
}

// fiddle serialises a Buildable's arguments as items ["Attr(name='trust_remote_code')", value] and
// a dict's as ["Key(key='x')", value], with scalars wrapped as {"type": "leaf", "value": ...}: a
// copy where each such item is also a key of its object, so that the key-based checks see them.
std::optional<std::string> fiddle_item_name(const nlohmann::json& label) {
  if (!label.is_string()) return std::nullopt;
  const std::string& s = label.get_ref<const std::string&>();
  for (std::string_view open : {"Attr(name='", "Key(key='"})
    if (s.starts_with(open) && s.ends_with("')") && s.size() >= open.size() + 2)
      return s.substr(open.size(), s.size() - open.size() - 2);
  return std::nullopt;
}

nlohmann::json with_fiddle_items(const nlohmann::json& v, unsigned depth, bool& found) {
  if (depth > 256 || (!v.is_object() && !v.is_array())) return v;
  nlohmann::json out = v.is_object() ? nlohmann::json::object() : nlohmann::json::array();
  for (const auto& [key, value] : v.items()) {
    if (v.is_object()) out[key] = with_fiddle_items(value, depth + 1, found);
    else out.push_back(with_fiddle_items(value, depth + 1, found));
  }
  auto items = v.is_object() ? v.find("items") : v.end();
  if (items == v.end() || !items->is_array()) return out;
  for (const auto& item : *items) {
    if (!item.is_array() || item.size() != 2) continue;
    auto name = fiddle_item_name(item[0]);
    if (!name || out.contains(*name)) continue;
    const nlohmann::json& value = item[1];
    const bool leaf = value.is_object() && value.value("type", nlohmann::json()) == "leaf" && value.contains("value");
    out[*name] = with_fiddle_items(leaf ? value["value"] : value, depth + 1, found);
    found = true;
  }
  return out;
}

void walk(const nlohmann::json& v, std::string& path, const KeyVisitor& visit, unsigned depth) {
  if (depth > 256) return;  // the strict reader already bounds depth; this keeps the walk bounded too
  if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      std::size_t keep = path.size();
      path += "[" + std::to_string(i) + "]";
      walk(v[i], path, visit, depth + 1);
      path.resize(keep);
    }
    return;
  }
  if (!v.is_object()) return;
  for (const auto& [key, value] : v.items()) {
    std::size_t keep = path.size();
    path += (path.empty() ? "" : ".") + key;
    visit(path, key, value);
    walk(value, path, visit, depth + 1);
    path.resize(keep);
  }
}

}  // namespace

void for_each_key(const nlohmann::json& doc, const KeyVisitor& visit) {
  std::string path;
  walk(doc, path, visit, 0);
}

std::string_view base_name(std::string_view name) {
  std::size_t slash = name.find_last_of("/\\");
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

namespace {

// transformers' PreTrainedTokenizerBase._from_pretrained builds the tokenizer from
// tokenizer_config.json and adds the repository's resolved vocabulary files only for the
// arguments the configuration does not set ("if args_name not in init_kwargs"): a `vocab_file`,
// `merges_file`, `spm_file`... naming a path outside the repository is what the tokenizer opens.
// special_tokens_map_file and added_tokens_file are popped from the resolved files first (old
// tokenizers saved stale absolute paths there), and a tokenizer_file is a tokenizers JSON: data.
void tokenizer_files(const nlohmann::json& doc, const std::string& origin, ArtifactReport& report) {
  if (!doc.is_object()) return;
  for (const auto& [key, value] : doc.items()) {
    if (!key.ends_with("_file") || !value.is_string() || key == "special_tokens_map_file" ||
        key == "added_tokens_file" || key == "tokenizer_file")
      continue;
    const std::string& path = value.get_ref<const std::string&>();
    if (!outside_path(path) && path.find("://") == std::string::npos) continue;
    finding(report, "MG-HF-UNSCANNED-DEPENDENCY", origin,
            key + " = " + shown(value) + ": transformers passes it to the tokenizer over the repository's own file, "
                "so the tokenizer reads a file outside the repository, which this scan did not cover",
            path.substr(0, 200));
  }
}

}  // namespace

void analyse_loader_routes(const nlohmann::json& doc, std::string_view file_name, const std::string& origin,
                           ArtifactReport& report) {
  if (file_name == "tokenizer_config.json") tokenizer_files(doc, origin, report);
  if (file_name == "modules.json" || modules_json_shape(doc)) sentence_transformers_modules(doc, origin, report);
  if (file_name == "router_config.json" || router_config_shape(doc)) sentence_transformers_router(doc, origin, report);
  sentence_transformers_module_config(doc, file_name, origin, report);
  // Every diffusers config has _class_name and _diffusers_version; a pipeline index names a
  // pipeline class (or a [module, Class] custom pipeline).
  bool pipeline_index = doc.is_object() && doc.contains("_diffusers_version") && doc.contains("_class_name") &&
                        (doc["_class_name"].is_array() ||
                         (doc["_class_name"].is_string() && doc["_class_name"].get<std::string>().ends_with("Pipeline")));
  if (file_name == "model_index.json" || file_name == "modular_model_index.json" || pipeline_index ||
      (doc.is_object() && doc.contains("_blocks_class_name")))
    diffusers_index(doc, origin, report);
  if (file_name == "adapter_config.json" || (doc.is_object() && doc.contains("peft_type")))
    peft_adapter(doc, origin, report);
  // trust_remote_code: true, Hydra `_target_`, mmengine `type`/`custom_imports` and jsonargparse `class_path`
  // anywhere in the document.
  const bool st_modules = file_name == "modules.json" || modules_json_shape(doc);
  std::set<std::string> pyrefs;
  std::string pyref_path;
  fiddle_pyrefs(doc, pyref_path, origin, pyrefs, report, 0);
  bool fiddle_items = false;
  const bool fiddle_shape = doc.is_object() && doc.contains("objects") && doc.contains("root");
  const nlohmann::json keyed = fiddle_shape ? with_fiddle_items(doc, 0, fiddle_items) : nlohmann::json();
  for_each_key(fiddle_items ? keyed : doc, [&](const std::string& path, const std::string& key,
                                                const nlohmann::json& value) {
    if (key == "type" && !st_modules && value.is_string() && mmengine_import_path(value.get_ref<const std::string&>()))
      mmengine_type(value.get_ref<const std::string&>(), origin, std::nullopt, path, report);
    if (key == "class_path" && value.is_string()) jsonargparse_class_path(value.get_ref<const std::string&>(), origin, path, report);
    if ((key == "checkpoint" || key == "load_from" || key == "resume_from" || key == "pretrained") &&
        value.is_string())
      mmengine_checkpoint(value.get_ref<const std::string&>(), origin, path, report);
    if (key == "_base_") mmengine_base(value, origin, path, report);
    if (key == "custom_imports" && !value.is_null()) mmengine_custom_imports(origin, std::nullopt, path + " = " + shown(value), report);
    if (key == "trust_remote_code" && !(value.is_boolean() && !value.get<bool>()) && !value.is_null())
      finding(report, "MG-HF-TRUST-REMOTE-CODE", origin, path + " = " + shown(value) + " turns on remote code",
              path);
    if (key == "_target_" || key == "_component_") {
      finding(report, "MG-CONFIG-CALLABLE", origin,
              path + " names " + shown(value) + ", which " +
                  (key == "_target_" ? "hydra.utils.instantiate" : "torchtune's config.instantiate") +
                  " imports and calls",
              shown(value));
      if (value.is_string()) grade_config_callable(value.get_ref<const std::string&>(), origin, std::nullopt, report);
    }
    class_with_params(value, path, origin, report);
  });
  class_with_params(doc, "", origin, report);
}

void analyse_configuration(const nlohmann::json& doc, std::string_view file_name, const std::string& origin,
                           const Limits& limits, ArtifactReport& report) {
  analyse_remote_code(doc, origin, report);
  analyse_loader_routes(doc, file_name, origin, report);
  extract_chat_templates(doc, origin, limits, report);
  check_config_values_for_jinja(doc, origin, limits, report);
  analyse_tokenizer_patterns(doc, origin, report);
}

std::optional<std::string_view> text_value_after_key(std::string_view text, std::size_t at, std::size_t key_size) {
  std::size_t p = at + key_size;
  if (p < text.size() && (text[p] == '"' || text[p] == '\'')) ++p;
  while (p < text.size() && (text[p] == ' ' || text[p] == '\t')) ++p;
  if (p >= text.size() || text[p] != ':') return std::nullopt;
  std::size_t end = text.find_first_of("\r\n,}#", p + 1);
  std::string_view value = text.substr(p + 1, end == std::string_view::npos ? std::string_view::npos : end - p - 1);
  auto quote_or_space = [](char c) { return c == ' ' || c == '\t' || c == '"' || c == '\''; };
  while (!value.empty() && quote_or_space(value.front())) value.remove_prefix(1);
  while (!value.empty() && quote_or_space(value.back())) value.remove_suffix(1);
  return value;
}

namespace {

// Keys the text search cannot see by their spelling (readers/yaml_keys.h): a quoted key whose
// escapes or folded line breaks decode to `_target_` or `trust_remote_code` ("_t\u0061rget_", the
// same in JSON and YAML), a key behind a tag or an anchor, an alias as the key (`*k : os.system`,
// its anchor holding the key's name somewhere else) and an explicit key (`? ...`), which the text
// search does not model: each is reported when it is, or may be, one of the two.
std::size_t analyse_hidden_config_keys(std::string_view text, const std::string& origin, ArtifactReport& report) {
  std::size_t reported = 0;
  for (const auto& hidden : yaml::hidden_keys(text)) {
    if (reported >= 100) break;
    if (hidden.key && *hidden.key == "type" && hidden.value && mmengine_import_path(*hidden.value)) {
      mmengine_type(*hidden.value, origin, hidden.offset, "the key " + hidden.written, report);
      ++reported;
    }
    if (hidden.key && *hidden.key == "custom_imports") {
      mmengine_custom_imports(origin, hidden.offset, "(the key " + hidden.written + ")", report);
      ++reported;
    }
    const bool target = yaml::may_be_key(hidden, "_target_");
    if (!target && !yaml::may_be_key(hidden, "trust_remote_code")) continue;
    const std::string v = hidden.value ? hidden.value->substr(0, 200) : std::string("(not read)");
    const std::string shown_key = hidden.key ? " ('" + hidden.key->substr(0, 200) + "')" : std::string();
    std::string what;
    switch (hidden.form) {
      case yaml::KeyForm::escaped: what = "the key " + hidden.written + shown_key + " is written with escapes"; break;
      case yaml::KeyForm::property: what = "the key '" + hidden.written + "'" + shown_key + " has a tag or an anchor"; break;
      case yaml::KeyForm::alias: what = "the key " + hidden.written + " is an alias"; break;
      case yaml::KeyForm::explicit_key: what = "the explicit (?) key '" + hidden.written + "'" + shown_key; break;
      case yaml::KeyForm::unlisted: what = "more keys than modelgate lists are written as tags, anchors, escapes or explicit keys"; break;
    }
    report.add(make_finding(rule("MG-CONFIG-CALLABLE"), origin, hidden.offset,
                            what + ": it is, or may be, _target_ or trust_remote_code, which the text search cannot "
                                   "tell; its value: '" + v + "'",
                            v));
    if (target && hidden.value) grade_config_callable(*hidden.value, origin, hidden.offset, report);
    ++reported;
  }
  return reported;
}

}  // namespace

namespace {

// mmengine `type: dotted.path` and `custom_imports:` keys found by text search.
std::size_t mmengine_keys_in_text(std::string_view text, const std::string& origin, ArtifactReport& report) {
  std::size_t reported = 0;
  for (std::string_view key : {std::string_view("type"), std::string_view("custom_imports")}) {
    for (std::size_t at = text.find(key); at != std::string_view::npos && reported < 100; at = text.find(key, at + 1)) {
      const char before = at == 0 ? '\n' : text[at - 1];
      if (std::string_view(" \t\n{[,?-\"'").find(before) == std::string_view::npos) continue;
      auto value = text_value_after_key(text, at, key.size());
      if (!value) continue;
      if (key == "custom_imports") mmengine_custom_imports(origin, at, "'" + std::string(value->substr(0, 200)) + "'", report);
      else if (mmengine_import_path(*value)) mmengine_type(*value, origin, at, "type", report);
      else continue;
      ++reported;
    }
  }
  return reported;
}

void analyse_lf_config_text(std::string_view text, const std::string& origin, ArtifactReport& report) {
  std::size_t reported = analyse_hidden_config_keys(text, origin, report);
  reported += mmengine_keys_in_text(text, origin, report);
  for (std::string_view key :
       {std::string_view("_target_"), std::string_view("_component_"), std::string_view("trust_remote_code")}) {
    for (std::size_t at = text.find(key); at != std::string_view::npos && reported < 100; at = text.find(key, at + 1)) {
      auto value = text_value_after_key(text, at, key.size());
      if (!value) continue;
      std::string v(value->substr(0, 200));
      if (key != "trust_remote_code") {
        report.add(make_finding(rule("MG-CONFIG-CALLABLE"), origin, at,
                                std::string(key) + " names '" + v + "', which " +
                                    (key == "_target_" ? "hydra.utils.instantiate" : "torchtune's config.instantiate") +
                                    " imports and calls",
                                v));
        grade_config_callable(v, origin, at, report);
      } else {
        std::string lower;
        for (char c : v) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
        if (lower == "false" || lower == "null" || lower == "none" || lower == "no" || lower == "~") continue;
        report.add(make_finding(rule("MG-HF-TRUST-REMOTE-CODE"), origin, at,
                                "trust_remote_code: " + v + " turns on remote code", v));
      }
      ++reported;
    }
  }
}

}  // namespace

void analyse_config_text(std::string_view text, const std::string& origin, ArtifactReport& report) {
  // PyYAML's line breaks (CR, NEL, LS, PS) as LF, so that the text search sees its lines.
  const yaml::LfText lf = yaml::normalise_line_breaks(text);
  const std::size_t first = report.findings.size();
  analyse_lf_config_text(lf.text, origin, report);
  for (std::size_t i = first; i < report.findings.size(); ++i)
    if (report.findings[i].offset) report.findings[i].offset = lf.original(*report.findings[i].offset);
}

bool outside_path(std::string_view v) {
  if (v.empty()) return false;
  if (v[0] == '/' || v[0] == '\\' || v[0] == '~') return true;
  if (v.size() >= 2 && v[1] == ':' && ((v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z'))) return true;
  for (std::size_t p = 0; p <= v.size();) {
    std::size_t sep = v.find_first_of("/\\", p);
    if (sep == std::string_view::npos) sep = v.size();
    if (v.substr(p, sep - p) == "..") return true;
    p = sep + 1;
  }
  return false;
}

void grade_config_callable(std::string_view dotted, const std::string& origin, std::optional<std::uint64_t> offset,
                           ArtifactReport& report) {
  std::size_t dot = dotted.find('.');
  if (dot == std::string_view::npos) return;  // a single segment is imported as a module, not called
  auto deny = pickle::Denylist::builtin().match(dotted.substr(0, dot), dotted.substr(dot + 1));
  if (!deny) return;
  std::string v(dotted.substr(0, 200));
  report.add(make_finding(rule("MG-CONFIG-DANGEROUS-CALLABLE"), origin, offset,
                          "'" + v + "' is imported and called with the configuration's arguments: it matches the " +
                              deny->category + " denylist entry '" + deny->pattern + "'",
                          v));
}

}  // namespace modelgate
