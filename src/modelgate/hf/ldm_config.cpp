#include "hf/ldm_config.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/rule_catalog.h"
#include "hf/front_matter.h"
#include "hf/loader_routes.h"
#include "modelgate/rules.h"
#include "readers/yaml_keys.h"

namespace modelgate {

namespace {

// Every `target` of the published inference configs: CompVis/stable-diffusion
// configs/stable-diffusion/v1-inference.yaml (SD 1.x), Stability-AI/stablediffusion
// configs/stable-diffusion/*-inference*.yaml and x4-upscaling.yaml model section (SD 2.x),
// Stability-AI/generative-models configs/inference/*.yaml (SDXL base/refiner, SD 2.1, SVD, SV3D).
// Training-only targets (main.*, ldm.data.*, torchvision transforms) are not inert here.
constexpr std::array<std::string_view, 46> kInertTargets = {
    "torch.nn.Identity",
    "ldm.lr_scheduler.LambdaLinearScheduler",
    "ldm.models.autoencoder.AutoencoderKL",
    "ldm.models.diffusion.ddpm.ImageEmbeddingConditionedLatentDiffusion",
    "ldm.models.diffusion.ddpm.LatentDepth2ImageDiffusion",
    "ldm.models.diffusion.ddpm.LatentDiffusion",
    "ldm.models.diffusion.ddpm.LatentInpaintDiffusion",
    "ldm.models.diffusion.ddpm.LatentUpscaleDiffusion",
    "ldm.modules.diffusionmodules.openaimodel.UNetModel",
    "ldm.modules.diffusionmodules.upscaling.ImageConcatWithNoiseAugmentation",
    "ldm.modules.encoders.modules.CLIPEmbeddingNoiseAugmentation",
    "ldm.modules.encoders.modules.ClipImageEmbedder",
    "ldm.modules.encoders.modules.FrozenCLIPEmbedder",
    "ldm.modules.encoders.modules.FrozenOpenCLIPEmbedder",
    "ldm.modules.encoders.modules.FrozenOpenCLIPImageEmbedder",
    "ldm.modules.midas.api.MiDaSInference",
    "sgm.models.autoencoder.AutoencoderKL",
    "sgm.models.autoencoder.AutoencoderKLModeOnly",
    "sgm.models.autoencoder.AutoencodingEngine",
    "sgm.models.diffusion.DiffusionEngine",
    "sgm.modules.GeneralConditioner",
    "sgm.modules.autoencoding.regularizers.DiagonalGaussianRegularizer",
    "sgm.modules.autoencoding.temporal_ae.VideoDecoder",
    "sgm.modules.diffusionmodules.denoiser.Denoiser",
    "sgm.modules.diffusionmodules.denoiser.DiscreteDenoiser",
    "sgm.modules.diffusionmodules.denoiser_scaling.EpsScaling",
    "sgm.modules.diffusionmodules.denoiser_scaling.VScaling",
    "sgm.modules.diffusionmodules.denoiser_scaling.VScalingWithEDMcNoise",
    "sgm.modules.diffusionmodules.discretizer.LegacyDDPMDiscretization",
    "sgm.modules.diffusionmodules.model.Decoder",
    "sgm.modules.diffusionmodules.model.Encoder",
    "sgm.modules.diffusionmodules.openaimodel.UNetModel",
    "sgm.modules.diffusionmodules.video_model.VideoUNet",
    "sgm.modules.encoders.modules.ConcatTimestepEmbedderND",
    "sgm.modules.encoders.modules.FrozenCLIPEmbedder",
    "sgm.modules.encoders.modules.FrozenOpenCLIPEmbedder",
    "sgm.modules.encoders.modules.FrozenOpenCLIPEmbedder2",
    "sgm.modules.encoders.modules.FrozenOpenCLIPImageEmbedder",
    "sgm.modules.encoders.modules.FrozenOpenCLIPImagePredictionEmbedder",
    "sgm.modules.encoders.modules.VideoPredictionEmbedderWithEncoder",
    // Sampling and guidance classes the SDXL/SVD inference scripts instantiate from the same configs.
    "sgm.modules.diffusionmodules.discretizer.EDMDiscretization",
    "sgm.modules.diffusionmodules.guiders.VanillaCFG",
    "sgm.modules.diffusionmodules.guiders.LinearPredictionGuider",
    "sgm.modules.diffusionmodules.sampling.EulerEDMSampler",
    "sgm.modules.diffusionmodules.denoiser_scaling.EDMScaling",
    "sgm.modules.diffusionmodules.sigma_sampling.EDMSampling",
};

bool inert_target(std::string_view s) {
  for (auto t : kInertTargets)
    if (s == t) return true;
  return false;
}

// get_obj_from_str does `module, cls = string.rsplit(".", 1)`: a value without a dot, or one
// YAML reads as a number, raises before anything is imported.
bool importable(std::string_view s) {
  if (s.find('.') == std::string_view::npos) return false;
  bool number = !s.empty();
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) number = false;
  return !number;
}

void flag(ArtifactReport& report, const std::string& origin, std::optional<std::uint64_t> offset,
          const std::string& where, std::string_view value) {
  std::string v(value.substr(0, 200));
  report.add(make_finding(rule("MG-LDM-TARGET"), origin, offset,
                          where + " names '" + v +
                              "', which instantiate_from_config imports and calls with its params; it is not a "
                              "class of the published Stable Diffusion inference configs",
                          v));
  grade_config_callable(value, origin, offset, report);
}

// A `params` value that names a file the class loads (ldm DDPM/LatentDiffusion and AutoencoderKL
// init_from_ckpt: torch.load(ckpt_path); FrozenCLIPEmbedder(version): from_pretrained(version)).
bool path_param(std::string_view key) {
  for (std::string_view end : {"path", "ckpt", "checkpoint", "_file", "version", "pretrained"})
    if (key.size() >= end.size() && key.substr(key.size() - end.size()) == end) return true;
  return false;
}

// FrozenCLIPEmbedder(version) and the other text encoders call from_pretrained(version), and
// SpeechBrain's Hugging Face wrappers (Wav2Vec2, Whisper, ...) from_pretrained(source): a value
// "owner/name" is another Hugging Face repository, loaded with the model. The encoders' default
// (which the published configs leave implicit) is not reported.
bool other_repository(std::string_view key, std::string_view v) {
  return (key == "version" || key == "source") && v.find('/') != std::string_view::npos && !outside_path(v) &&
         v.find("://") == std::string_view::npos && v != "openai/clip-vit-large-patch14";
}

// A path parameter whose value is a URL: SpeechBrain's download_file, fairseq's
// load_model_ensemble_and_task and mmengine's CheckpointLoader fetch it and torch.load it.
bool remote(std::string_view v) { return v.find("://") != std::string_view::npos; }

// "<where> names '<value>'<why>", with the value (cut to 200 bytes) as evidence.
void flag_dependency(ArtifactReport& report, const std::string& origin, std::optional<std::uint64_t> offset,
                     const std::string& where, std::string_view value, const char* why) {
  std::string v(value.substr(0, 200));
  report.add(make_finding(rule("MG-HF-UNSCANNED-DEPENDENCY"), origin, offset, where + " names '" + v + "'" + why, v));
}

void flag_repository(ArtifactReport& report, const std::string& origin, std::optional<std::uint64_t> offset,
                     const std::string& where, std::string_view value) {
  flag_dependency(report, origin, offset, where, value,
                  ": the text encoder loads it with from_pretrained, another repository that is not part of this scan");
}

void flag_path(ArtifactReport& report, const std::string& origin, std::optional<std::uint64_t> offset,
               const std::string& where, std::string_view value) {
  flag_dependency(report, origin, offset, where, value,
                  remote(value) ? ", a URL: the class this config instantiates downloads it and loads it (torch.load, "
                                  "a full pickle load), and it is not part of this scan"
                                : ", outside the repository: the class this config instantiates loads it (ckpt_path "
                                  "with torch.load, a full pickle load), and it is not part of this scan");
}

// HyperPyYAML's `!ref <name>` in a value: the top-level scalar it names, substituted as
// resolve_references substitutes it (references to nested keys are left as written).
std::string substituted_refs(const nlohmann::json& doc, std::string_view v) {
  std::string out;
  for (std::size_t p = 0; p < v.size();) {
    const std::size_t open = v.find('<', p);
    const std::size_t close = open == std::string_view::npos ? open : v.find('>', open);
    if (close == std::string_view::npos) {
      out += v.substr(p);
      break;
    }
    const std::string name(v.substr(open + 1, close - open - 1));
    out += v.substr(p, open - p);
    auto it = doc.is_object() ? doc.find(name) : doc.end();
    out += it != doc.end() && it->is_string() ? it->get<std::string>() : std::string(v.substr(open, close - open + 1));
    p = close + 1;
  }
  return out;
}

// SpeechBrain's Pretrainer(loadables=..., paths={name: "source/file"}): collect_files splits each value into a
// source (a Hugging Face repository, a URL or a directory anywhere) and a file name, fetches it and
// load_collected torch.loads it. Only a bare file name stays in the repository.
void pretrainer_path(const nlohmann::json& doc, const std::string& where, std::string_view value,
                     const std::string& origin, ArtifactReport& report) {
  const std::string v = substituted_refs(doc, value);
  if (v.find('/') == std::string::npos && v.find('\\') == std::string::npos) return;
  flag_dependency(report, origin, std::nullopt, where, v,
                  ": SpeechBrain's Pretrainer fetches it from another repository, a URL or a directory (collect_files) "
                  "and torch.loads it (load_collected), and it is not part of this scan");
}

void pretrainers(const nlohmann::json& doc, const nlohmann::json& v, const std::string& where, const std::string& origin,
                 ArtifactReport& report, unsigned depth) {
  if (depth > 256 || (!v.is_object() && !v.is_array())) return;
  if (v.is_object() && v.contains("loadables") && v.contains("paths") && v["paths"].is_object())
    for (const auto& [name, value] : v["paths"].items())
      if (value.is_string())
        pretrainer_path(doc, where + (where.empty() ? "" : ".") + "paths." + name, value.get_ref<const std::string&>(),
                        origin, report);
  for (const auto& [key, value] : v.items())
    pretrainers(doc, value, where + (where.empty() ? "" : ".") + key, origin, report, depth + 1);
}

// Parameters of inert classes that name another source by other means than a path:
//  - open_clip's create_model_and_transforms(arch) (FrozenOpenCLIPEmbedder, FrozenOpenCLIPImageEmbedder)
//    takes a model name `hf-hub:owner/name` as a Hub repository and `local-dir:/dir` as a directory,
//    and torch.loads their weights;
//  - sgm DiffusionEngine(network_wrapper) is get_obj_from_str'd (import + getattr) and called.
void other_source_param(ArtifactReport& report, const std::string& origin, const std::string& path,
                        std::string_view key, std::string_view s) {
  if (key == "network_wrapper" && !s.empty() && s != "sgm.modules.diffusionmodules.wrappers.OpenAIWrapper" &&
      s != "sgm.modules.diffusionmodules.wrappers.IdentityWrapper") {
    std::string v(s.substr(0, 200));
    report.add(make_finding(rule("MG-LDM-TARGET"), origin, std::nullopt,
                            path + " names '" + v +
                                "', which sgm's DiffusionEngine imports (get_obj_from_str) and calls with the model; "
                                "it is not a wrapper of the published configs",
                            v));
    grade_config_callable(s, origin, std::nullopt, report);
    return;
  }
  if (key != "arch") return;
  for (std::string_view scheme : {"hf-hub:", "local-dir:"})
    if (s.starts_with(scheme))
      flag_dependency(report, origin, std::nullopt, path, s,
                      ": open_clip's create_model_and_transforms loads that model (a Hub repository or a directory "
                      "anywhere) and torch.loads its weights, and it is not part of this scan");
}

// Keys whose text is not their spelling (readers/yaml_keys.h) that are, or may be, `target`. When the
// subset has read the file (`parsed`), quoted keys with escapes were decoded by it and are skipped.
std::size_t hidden_targets(std::string_view text, const std::string& origin, bool parsed, ArtifactReport& report) {
  std::size_t reported = 0;
  for (const auto& hidden : yaml::hidden_keys(text)) {
    if (reported >= 100) break;
    if (!yaml::may_be_key(hidden, "target") || (parsed && hidden.form == yaml::KeyForm::escaped)) continue;
    const std::string value = hidden.value.value_or("(not read)");
    const std::string where = hidden.form == yaml::KeyForm::explicit_key ? "an explicit (?) key '" + hidden.written + "'"
                              : hidden.form == yaml::KeyForm::alias      ? "the alias key " + hidden.written
                              : hidden.form == yaml::KeyForm::property   ? "a key with a tag or anchor '" + hidden.written + "'"
                              : hidden.form == yaml::KeyForm::unlisted   ? std::string("one of the keys past the first 1000 written as tags, anchors, escapes or explicit keys")
                                                                         : "a key written with escapes " + hidden.written;
    if (hidden.key && hidden.value && inert_target(*hidden.value)) continue;
    report.add(make_finding(rule("MG-LDM-TARGET"), origin, hidden.offset,
                            where + " is, or may be, `target`" + (hidden.key ? " ('" + hidden.key->substr(0, 200) + "')" : "") +
                                "; its value '" + value.substr(0, 200) +
                                "' is what instantiate_from_config would import and call",
                            value.substr(0, 200)));
    if (hidden.value) grade_config_callable(*hidden.value, origin, hidden.offset, report);
    ++reported;
  }
  return reported;
}

// When the YAML is outside the subset: every `target` key found in the text, every key whose
// spelling the text does not show (yaml_keys.h), and every path parameter found in the text.
void lexical(std::string_view text, const std::string& origin, ArtifactReport& report) {
  constexpr std::string_view kKey = "target";
  std::size_t reported = 0;
  for (std::size_t at = text.find(kKey); at != std::string_view::npos && reported < 100;
       at = text.find(kKey, at + 1)) {
    char before = at == 0 ? '\n' : text[at - 1];
    if (!(before == ' ' || before == '\t' || before == '\n' || before == '{' || before == '[' || before == ',' ||
          before == '?' || before == '"' || before == '\'' || before == '-'))
      continue;
    auto found = text_value_after_key(text, at, kKey.size());
    if (!found) continue;
    std::string_view value = *found;
    bool plain = value.find_first_of("\\|>&*!") == std::string_view::npos;
    if (plain && !value.empty() && (inert_target(value) || !importable(value))) continue;
    flag(report, origin, at, "target", value.empty() ? std::string_view("(a value on the following lines)") : value);
    ++reported;
  }
  reported += hidden_targets(text, origin, false, report);
  // Path parameters: a key ending in path, ckpt, ... whose value on its line leaves the repository.
  for (std::size_t line = 0; line < text.size() && reported < 200;) {
    std::size_t eol = text.find('\n', line);
    if (eol == std::string_view::npos) eol = text.size();
    for (std::size_t colon = text.find(':', line); colon < eol; colon = text.find(':', colon + 1)) {
      std::size_t k = colon;
      while (k > line && (text[k - 1] == '"' || text[k - 1] == '\'' || text[k - 1] == ' ')) --k;
      std::size_t b = k;
      while (b > line && (std::isalnum(static_cast<unsigned char>(text[b - 1])) || text[b - 1] == '_')) --b;
      if (b == k || !path_param(text.substr(b, k - b))) continue;
      auto value = text_value_after_key(text, colon, 0);
      if (value && (outside_path(*value) || remote(*value))) {
        flag_path(report, origin, b, std::string(text.substr(b, k - b)), *value);
        ++reported;
      } else if (value && other_repository(text.substr(b, k - b), *value)) {
        flag_repository(report, origin, b, std::string(text.substr(b, k - b)), *value);
        ++reported;
      }
    }
    line = eol + 1;
  }
}

void analyse_lf(std::string_view text, const std::string& origin, const Limits& limits, ArtifactReport& report) {
  if (auto doc = parse_yaml_document(text, limits)) {
    analyse_ldm_document(*doc, origin, report);
    hidden_targets(text, origin, true, report);  // none when the subset is right about its keys
    return;
  }
  lexical(text, origin, report);
}

}  // namespace

void analyse_ldm_document(const nlohmann::json& doc, const std::string& origin, ArtifactReport& report) {
  pretrainers(doc, doc, "", origin, report, 0);
  for_each_key(doc, [&](const std::string& path, const std::string& key, const nlohmann::json& value) {
    if (!value.is_string()) return;
    const auto& s = value.get_ref<const std::string&>();
    if (key == "target" && importable(s) && !inert_target(s)) flag(report, origin, std::nullopt, path, s);
    other_source_param(report, origin, path, key, s);
    if (path_param(key) && (outside_path(s) || remote(s))) flag_path(report, origin, std::nullopt, path, s);
    else if (other_repository(key, key == "source" ? substituted_refs(doc, s) : s))
      flag_repository(report, origin, std::nullopt, path, key == "source" ? substituted_refs(doc, s) : s);
  });
}

void analyse_ldm_targets(std::string_view text, const std::string& origin, const Limits& limits,
                         ArtifactReport& report) {
  // PyYAML's line breaks (CR, NEL, LS, PS) as LF, so that the subset and the text search see its lines.
  const yaml::LfText lf = yaml::normalise_line_breaks(text);
  const std::size_t first = report.findings.size();
  analyse_lf(lf.text, origin, limits, report);
  for (std::size_t i = first; i < report.findings.size(); ++i)
    if (report.findings[i].offset) report.findings[i].offset = lf.original(*report.findings[i].offset);
}

}  // namespace modelgate
