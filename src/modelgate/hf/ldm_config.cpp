#include "hf/ldm_config.h"

#include <algorithm>
#include <array>

#include "core/rule_catalog.h"
#include "hf/front_matter.h"
#include "hf/loader_routes.h"
#include "modelgate/rules.h"

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

// When the YAML is outside the subset: every `target` key found in the text, and anything that
// could spell a key the text search cannot see (escapes in double quotes, explicit `?` keys).
void lexical(std::string_view text, const std::string& origin, ArtifactReport& report) {
  constexpr std::string_view kKey = "target";
  std::size_t reported = 0;
  for (std::size_t at = text.find(kKey); at != std::string_view::npos && reported < 100;
       at = text.find(kKey, at + 1)) {
    char before = at == 0 ? '\n' : text[at - 1];
    if (!(before == ' ' || before == '\t' || before == '\n' || before == '\r' || before == '{' || before == ',' ||
          before == '"' || before == '\'' || before == '-'))
      continue;
    auto found = text_value_after_key(text, at, kKey.size());
    if (!found) continue;
    std::string_view value = *found;
    bool plain = value.find_first_of("\\|>&*!") == std::string_view::npos;
    if (plain && !value.empty() && (inert_target(value) || !importable(value))) continue;
    flag(report, origin, at, "target", value.empty() ? std::string_view("(a value on the following lines)") : value);
    ++reported;
  }
  // A key spelled with escapes ("t\x61rget") or written as an explicit key ("? target").
  for (std::size_t q = text.find('"'); q != std::string_view::npos;) {
    std::size_t close = q + 1;
    while (close < text.size() && text[close] != '"' && text[close] != '\n') close += text[close] == '\\' ? 2 : 1;
    std::string_view body = text.substr(q + 1, std::min(close, text.size()) - q - 1);
    if (body.find('\\') != std::string_view::npos) {
      auto decoded = decode_yaml_double_quoted(body);  // an escape YAML rejects fails the load instead
      if (decoded && *decoded == kKey) {
        flag(report, origin, q, "a key written with escapes", body);
        return;
      }
    }
    q = close < text.size() ? text.find('"', close + 1) : std::string_view::npos;
  }
  for (std::size_t line = 0; line < text.size();) {
    std::size_t eol = text.find('\n', line);
    std::string_view l = text.substr(line, eol == std::string_view::npos ? std::string_view::npos : eol - line);
    while (!l.empty() && (l.front() == ' ' || l.front() == '\t' || l.front() == '-')) l.remove_prefix(1);
    if (l.starts_with("? ") || l == "?") {
      flag(report, origin, line, "an explicit (?) key", l);
      return;
    }
    if (eol == std::string_view::npos) break;
    line = eol + 1;
  }
}

}  // namespace

void analyse_ldm_targets(std::string_view text, const std::string& origin, const Limits& limits,
                         ArtifactReport& report) {
  if (auto doc = parse_yaml_document(text, limits)) {
    for_each_key(*doc, [&](const std::string& path, const std::string& key, const nlohmann::json& value) {
      if (key != "target" || !value.is_string()) return;
      const auto& s = value.get_ref<const std::string&>();
      if (importable(s) && !inert_target(s)) flag(report, origin, std::nullopt, path, s);
    });
    return;
  }
  lexical(text, origin, report);
}

}  // namespace modelgate
