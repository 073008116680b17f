#include "hf/library_paths.h"

#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <vector>

namespace modelgate {

namespace library_paths {

// The modules (and named functions) a route allows, matched as the whole path or a prefix ending at
// a dot. Neither lists `utils` packages whole: they are where libraries keep what runs things.
#include "hf/library_catalog.inc"

// torch's own namespace re-exports the standard library and its loaders, so outside the
// catalog's roots only these whole paths are allowed.
constexpr std::array<std::string_view, 56> kTorchNamed = {
    "torch.manual_seed", "torch.tensor", "torch.as_tensor",
    "torch.zeros", "torch.ones", "torch.full", "torch.empty", "torch.arange", "torch.linspace", "torch.eye",
    "torch.rand", "torch.randn", "torch.randint", "torch.cat", "torch.stack", "torch.device", "torch.Size",
    "torch.Generator", "torch.hann_window", "torch.hamming_window", "torch.blackman_window",
    "torch.bartlett_window", "torch.kaiser_window", "torch.float", "torch.float16", "torch.float32",
    "torch.float64", "torch.bfloat16", "torch.half", "torch.double", "torch.int", "torch.int8", "torch.int16",
    "torch.int32", "torch.int64", "torch.uint8", "torch.long", "torch.short", "torch.bool", "torch.complex64",
    "torch.complex128", "torch.cfloat", "torch.cdouble", "torch.float8_e4m3fn", "torch.float8_e5m2",
    "torch.relu", "torch.sigmoid", "torch.tanh", "torch.exp", "torch.log", "torch.sqrt", "torch.abs",
    "torch.mean", "torch.sum", "torch.max", "torch.min"};

constexpr std::array<std::string_view, 38> kSpeechbrainOwn = {
    "speechbrain.lobes", "speechbrain.nnet", "speechbrain.processing", "speechbrain.decoders",
    "speechbrain.alignment", "speechbrain.augment", "speechbrain.tokenizers", "speechbrain.lm",
    "speechbrain.wordemb", "speechbrain.k2_integration", "speechbrain.inference", "speechbrain.pretrained",
    "speechbrain.integrations", "speechbrain.dataio.encoder", "speechbrain.dataio.batch",
    "speechbrain.dataio.sampler", "speechbrain.dataio.dataloader", "speechbrain.dataio.dataset",
    "speechbrain.dataio.preprocess", "speechbrain.dataio.legacy", "speechbrain.utils.parameter_transfer",
    // Not the rest of checkpoints: torch_recovery and torch_parameter_transfer torch.load any path.
    "speechbrain.utils.checkpoints.Checkpointer",
    "speechbrain.utils.epoch_loop", "speechbrain.utils.train_logger", "speechbrain.utils.metric_stats",
    "speechbrain.utils.Accuracy", "speechbrain.utils.edit_distance", "speechbrain.utils.text_to_sequence",
    "speechbrain.utils.data_pipeline", "speechbrain.utils.dynamic_chunk_training", "speechbrain.utils.autocast",
    "speechbrain.utils.bleu", "speechbrain.utils.streaming", "speechbrain.utils.hparams", "speechbrain.utils.seed",
    "speechbrain.utils.seed_everything", "speechbrain.utils.filter_analysis",
    // SpeechBrain's recipes build their tokenizer with it; it reads a SentencePiece model (protobuf).
    "sentencepiece.SentencePieceProcessor"};

constexpr std::array<std::string_view, 4> kTorchaudioOwn = {"torchaudio.transforms", "torchaudio.models",
                                                            "torchaudio.functional", "torchaudio.compliance"};

constexpr std::array<std::string_view, 10> kNemoOwn = {
    "nemo.collections", "nemo.lightning", "nemo.core.classes", "nemo.core.config", "nemo.core.optim",
    "megatron.core", "fiddle._src.config", "fiddle.Config", "fiddle.Partial", "lightning.pytorch"};

// Real modules of the allowed libraries whose last name is also a standard-library module's,
// another package's or a common alias's (NeMo 2 checkpoints carry MegatronOptimizerModule from
// nemo/lightning/pytorch/optim/megatron.py).
constexpr std::array<std::string_view, 3> kStdlibNamedModules = {
    "nemo.lightning.io", "nemo.lightning.pytorch.optim", "nemo.lightning.pytorch.optim.megatron"};

// The names modules are commonly imported under (`import torch.nn.functional as F`,
// `import speechbrain as sb`, `import torch.distributed as dist`, `import builtins as bltns`).
constexpr std::array<std::string_view, 14> kModuleAliases = {"F", "nn", "sb", "np", "pd", "dist", "bltns", "mp",
                                                             "tf", "plt", "optim", "jnp", "ops", "hooks"};

// Components that are another package or a standard-library module reached by attribute: from
// there getattr is in that module's namespace, not the library's.
constexpr std::array<std::string_view, 58> kForeignModules = {
    "os", "sys", "subprocess", "shutil", "builtins", "importlib", "pickle", "cloudpickle", "dill", "marshal",
    "socket", "ctypes", "runpy", "pydoc", "code", "codeop", "pty", "pathlib", "tempfile", "urllib", "requests",
    "http", "multiprocessing", "threading", "signal", "webbrowser", "inspect", "types", "functools", "operator",
    "posix", "nt", "jit", "timeit", "logging", "glob", "json", "yaml", "ruamel", "hyperpyyaml", "zipfile",
    "tarfile", "gzip", "numpy", "np", "scipy", "pandas", "torch", "torchaudio", "speechbrain", "transformers",
    "huggingface_hub", "nemo", "megatron", "lightning", "fiddle", "sentencepiece", "cli"};

// Substrings of names whose objects load, import, fetch, compile or run something.
constexpr std::array<std::string_view, 19> kActingParts = {
    "load", "import", "exec", "eval", "system", "popen", "spawn", "compile", "extension", "library",
    "download", "fetch", "url", "package", "script", "save", "open", "remove", "write"};

// Whole words (split at underscores and case changes) of names that run, shell out, time or serve.
constexpr std::array<std::string_view, 35> kActingWords = {
    "hub", "run", "runner", "shell", "cmd", "command", "env", "timeit", "timer", "benchmark", "deploy", "serve",
    "server", "launch", "launcher", "extract", "archive", "unpack", "upload", "export", "api", "rmtree",
    "delete", "copy", "move", "rename", "mkdir", "makedirs", "chmod", "symlink", "pretrained", "hparams", "main",
    // speechbrain foreign_class (imports a .py from another repository), NeMo ModelPT.restore_from.
    "foreign", "restore"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
  return out;
}

// `run_shell` -> run, shell; `FileTrainLogger` -> file, train, logger; `from_file` -> from, file.
std::vector<std::string> words(std::string_view name) {
  std::vector<std::string> out;
  std::string word;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool upper = c >= 'A' && c <= 'Z';
    const bool after_lower = i > 0 && ((name[i - 1] >= 'a' && name[i - 1] <= 'z') || (name[i - 1] >= '0' && name[i - 1] <= '9'));
    if (c == '_' || (upper && after_lower)) {
      if (!word.empty()) out.push_back(lower(word));
      word.clear();
      if (c == '_') continue;
    }
    word += c;
  }
  if (!word.empty()) out.push_back(lower(word));
  return out;
}

bool acting_component(std::string_view c) {
  if (c.starts_with("__")) return true;
  for (auto m : kForeignModules)
    if (c == m) return true;
  const std::string l = lower(c);
  for (auto p : kActingParts)
    if (l.find(p) != std::string::npos) return true;
  for (const auto& w : words(c))
    for (auto a : kActingWords)
      if (w == a) return true;
  return false;
}

bool under(std::string_view dotted, std::string_view module) {
  return dotted.starts_with(module) && (dotted.size() == module.size() || dotted[module.size()] == '.');
}

std::vector<std::span<const std::string_view>> tables(LibraryRoute route) {
  if (route == LibraryRoute::hyperpyyaml) return {kSpeechbrainOwn, kTorchaudioOwn};
  return {kNemoOwn};
}

template <std::size_t N>
bool listed(const std::array<std::string_view, N>& sorted, std::string_view s) {
  return std::binary_search(sorted.begin(), sorted.end(), s);
}

// A component after the allowed prefix of a library that is not installed here, so not catalogued:
// it must not be an alias a module imports another module under, nor private (`_sys`, `_VF`).
bool foreign_component(std::string_view c) {
  if (c.starts_with("_")) return true;
  for (auto a : kModuleAliases)
    if (c == a) return true;
  return listed(kStdlibModules, c);
}

}  // namespace library_paths

bool torch_catalog_path(std::string_view dotted) {
  using namespace library_paths;
  for (auto n : kTorchNamed)
    if (dotted == n) return true;
  return listed(kTorchCatalog, dotted);
}

bool library_own_path(std::string_view dotted, LibraryRoute route) {
  using namespace library_paths;
  if (under(dotted, "torch"))
    return torch_catalog_path(dotted) && !acting_component(dotted.substr(dotted.rfind('.') + 1));
  std::size_t allowed = 0;
  for (auto table : tables(route))
    for (auto module : table)
      if (under(dotted, module)) allowed = std::max(allowed, module.size());
  if (allowed == 0) return false;
  // After a class (a capitalised name) at most one attribute: a method or a nested class.
  int after_class = -1;
  for (std::size_t p = 0; p <= dotted.size();) {
    std::size_t next = dotted.find('.', p);
    if (next == std::string_view::npos) next = dotted.size();
    const std::string_view c = dotted.substr(p, next - p);
    if (c.empty() || c.starts_with("__")) return false;
    const bool real_module = std::find(kStdlibNamedModules.begin(), kStdlibNamedModules.end(),
                                       dotted.substr(0, next)) != kStdlibNamedModules.end();
    if (p > allowed && !real_module && (acting_component(c) || foreign_component(c))) return false;
    if (after_class >= 0 && ++after_class > 1) return false;
    if (after_class < 0 && c.front() >= 'A' && c.front() <= 'Z') after_class = 0;
    p = next + 1;
  }
  return true;
}

}  // namespace modelgate
