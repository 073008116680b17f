#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> hf_rules() {
  static const Rule rules[] = {
      {"MG-JSON-ESCAPED-NAME", Severity::high, Status::refused,
       "A JSON file too large to be read whole spells a letter or name character as a \\u escape.",
       "Large JSON files (tokenizer.json, a big fiddle io.json) are read shallow, and the keys and values "
       "loaders act on in the parts not kept (auto_map, _target_, fiddle pyrefs, :serialized:) are found by "
       "searching the text. JSON writers escape only non-ASCII and control characters; an escaped letter "
       "(\\u0070yref is pyref) hides a name from that search, so the file is refused."},
      {"MG-JSON-MALFORMED", Severity::high, Status::refused,
       "The JSON file is not strict JSON (syntax, duplicate keys, invalid UTF-8, trailing data, depth).",
       "Configuration files are read strictly: a duplicate key is refused because Python's json keeps "
       "the last value while other readers keep the first, so two tools would see different "
       "configurations. Lone surrogates, invalid UTF-8, trailing data and excessive nesting are "
       "refused for the same reason. The message gives the byte offset."},
      {"MG-HF-REMOTE-CODE", Severity::high, Status::unverified,
       "The configuration makes transformers import Python code from the repository (auto_map, custom_pipelines).",
       "Loading with trust_remote_code=True imports the named modules and runs them with the user's "
       "privileges. The finding names the classes and the .py files they come from; review those files "
       "(modelgate scans them too) before trusting the repository."},
      {"MG-HF-REMOTE-CODE-EXTERNAL", Severity::high, Status::unverified,
       "auto_map refers to code in another repository (owner/repo--module.Class).",
       "The code is fetched from a different repository at load time, so it is not part of what was "
       "scanned and can change independently of this one."},
      {"MG-HF-CONFIG-MALFORMED", Severity::medium, Status::unverified,
       "An auto_map or custom_pipelines entry has an unexpected shape.",
       "Entries are module.Class strings (or lists of them). Other shapes make transformers fail or "
       "behave unpredictably; the entry is shown as evidence."},
      {"MG-HF-CHAT-TEMPLATE-MALFORMED", Severity::high, Status::refused,
       "chat_template is neither a string nor a list of {name, template} entries.",
       "transformers accepts a single template string or a list of named templates. Anything else "
       "(or two templates with one name) is ambiguous and refused."},
      {"MG-PY-CODE", Severity::medium, Status::unverified, "The file is Python source code.",
       "Python files in a model repository run when the repository is loaded with trust_remote_code "
       "or imported by a custom pipeline. Code cannot be proven safe by a scanner; review it. More "
       "specific findings name dangerous calls."},
      {"MG-PY-MALFORMED", Severity::medium, Status::refused, "The Python source cannot be tokenized.",
       "An unterminated string or a stray character stops the lexical pass, so the rest of the file "
       "was not inspected."},
      {"MG-PY-ENCODING", Severity::high, Status::refused,
       "The Python source cannot be decoded the way CPython would decode it.",
       "CPython honours a PEP 263 coding cookie on the first two lines. modelgate decodes UTF-8, ASCII, "
       "Latin-1, unicode_escape and raw_unicode_escape exactly (the last two turn escape sequences, even "
       "inside comments, into code); any other declared encoding, invalid UTF-8, or a failing escape "
       "leaves the code unread, so the file is refused."},
      {"MG-HF-CODE-ROUTE", Severity::high, Status::unverified,
       "A library imports this Python file from the repository (the route is named).",
       "The file is named by a configuration (transformers auto_map, sentence-transformers modules.json, "
       "diffusers model_index.json), imported relatively by such a module, or found by a fixed name "
       "(custom_generate/generate.py, pipeline.py). docs/repositories.md lists every route with the "
       "library source that takes it."},
      {"MG-ST-MODULE-CODE", Severity::high, Status::unverified,
       "A sentence-transformers configuration names a module type, class or callable that is not its own: code from "
       "the repository or an installed package.",
       "sentence-transformers resolves each module type with _load_module_class_from_ref: a type outside "
       "sentence_transformers.* is loaded from the repository with get_class_from_dynamic_module whenever "
       "trust_remote_code is set or the model is a local directory (no opt-in needed), and otherwise "
       "imported with importlib from whatever package is installed under that name. Module configs are "
       "resolved the same way with util.import_from_string: Router types, Dense's activation_function and "
       "CrossEncoder's activation (imported and called), WordEmbeddings' tokenizer_class (imported, load() "
       "called); only the torch activations and tokenizers sentence-transformers writes itself pass."},
      {"MG-DIFFUSERS-CUSTOM-CODE", Severity::high, Status::unverified,
       "model_index.json names a pipeline or component class outside diffusers and transformers.",
       "diffusers loads a component [library, Class] from <component>/<library>.py in the repository when "
       "that file exists, and otherwise imports the module <library>; a _class_name given as [module, "
       "Class] loads a custom pipeline from <module>.py. Both run code from the repository or an "
       "arbitrary installed package."},
      {"MG-PEFT-AUTO-MAPPING", Severity::high, Status::unverified,
       "adapter_config.json auto_mapping names a module outside transformers.",
       "PEFT's AutoPeftModel imports auto_mapping.parent_library with importlib and takes "
       "base_model_class from it, so any module can be named. LoRA's dispatch_megatron likewise imports "
       "megatron_core (any module) whenever megatron_config is set."},
      {"MG-PEFT-REGEX", Severity::medium, Status::unverified,
       "adapter_config.json gives target_modules, exclude_modules or layers_pattern as a regular expression "
       "that is not a simple pattern.",
       "PEFT matches a string target_modules or exclude_modules with re.fullmatch against the name of every "
       "module of the base model, and splices layers_pattern into another pattern. Python's re backtracks: "
       "a quantified group, a backreference or many unbounded repetitions can take exponential or high "
       "polynomial time per name, so loading the adapter hangs. Patterns of names, `.`, `\\.`, `\\d`, "
       "character classes, alternation and at most three unbounded repetitions, none of them on a group, "
       "are not reported."},
      {"MG-HF-TOKENIZER-REGEX", Severity::medium, Status::unverified,
       "A tokenizer.json Regex pattern can take more than linear time to match, or could not be analysed.",
       "tokenizers compiles the Regex patterns of a tokenizer.json's normalizer (Replace), pre-tokenizer "
       "(Split) and decoder (Replace) with Oniguruma, which backtracks, and runs them over every text. A "
       "pattern whose loops can read the same text in more than one way before the match fails takes "
       "exponential or polynomial time in the text's length (Oniguruma stops one match attempt after ten "
       "million steps with an error, and starts the next at the following character), so the file can "
       "stall or fail every request. The analysis is that of the ambiguity of the pattern's automaton; "
       "loops that end the match when left (the patterns of GPT-2, Llama 3 or GPT-4o) are not reported. "
       "A pattern modelgate cannot analyse (a backreference, a subexpression call) is reported too."},
      {"MG-PEFT-LAYER-REPLICATION", Severity::medium, Status::unverified,
       "adapter_config.json layer_replication asks PEFT to copy more decoder layers than any model has.",
       "LoRA's replicate_layers builds the model's new layer list from layer_replication, a list of "
       "[start, end) ranges of the base model's layers, cloning one layer per index: the total is the "
       "number of layers the adapted model has. Real uses stack a few dozen; more than 1024 copies "
       "exhausts memory and time while the adapter loads."},
      {"MG-HF-UNSCANNED-DEPENDENCY", Severity::medium, Status::unverified,
       "The repository loads another repository (for example a PEFT adapter's base model), or a file outside it.",
       "The referenced repository is downloaded and loaded too, but it is not part of this scan. Scan it "
       "as well; the reference is given as evidence. A latent-diffusion config's ckpt_path (or another path "
       "parameter) that is absolute or climbs out with '..' is loaded by the class it configures "
       "(init_from_ckpt: torch.load), from a place the scan never sees."},
      {"MG-HF-TRUST-REMOTE-CODE", Severity::high, Status::unverified,
       "A configuration sets trust_remote_code to true for the user.",
       "sentence-transformers passes model_args/tokenizer_args/config_args from its configs to "
       "transformers, so a repository can opt itself into running its own code."},
      {"MG-CONFIG-CALLABLE", Severity::high, Status::unverified,
       "A configuration names a callable to instantiate (Hydra/OmegaConf _target_).",
       "hydra.utils.instantiate imports the dotted path in _target_ and calls it with the sibling keys as "
       "arguments; any importable function can be named, so such configs are never proven inert."},
      {"MG-CONFIG-DANGEROUS-CALLABLE", Severity::critical, Status::unsafe,
       "A configuration names a known-dangerous callable to import and call.",
       "hydra.utils.instantiate (_target_) and latent-diffusion instantiate_from_config (target) resolve the "
       "dotted path as pickle's find_class does (import, then getattr segment by segment) and call it with the "
       "configuration's values. The path matches the pickle denylist (process execution, code evaluation, "
       "file, network or deserialisation); the matching entry and its category are given."},
      {"MG-JSON-SERIALIZED-MALFORMED", Severity::high, Status::refused,
       "A JSON `:serialized:` value (a Stable-Baselines3 base64 cloudpickle) cannot be decoded or read.",
       "Stable-Baselines3's json_to_data base64-decodes every `:serialized:` string of its archive's `data` "
       "JSON and unpickles it with cloudpickle.loads. modelgate decodes each as base64.b64decode does and "
       "scans the payload as a pickle; a value that is not a string, does not decode, or lies in a part of a "
       "large file that was not read whole, leaves a payload unread."},
      {"MG-HYPERPYYAML-CALL", Severity::high, Status::unverified,
       "A HyperPyYAML (SpeechBrain) tag names a Python path to import and call or instantiate.",
       "load_hyperpyyaml (speechbrain/HyperPyYAML core.py) resolves `!new:`, `!name:`, `!module:`, `!apply:` and "
       "`!applyref:` tags with pydoc.locate (import the longest importable module prefix, getattr the rest, "
       "builtins for a bare name) and instantiates, wraps or calls the result with the node's arguments while "
       "the file loads; SpeechBrain's from_hparams loads hyperparams.yaml this way. Paths under SpeechBrain's "
       "model, layer, feature and data-encoding modules, torch.nn, torch.optim and torchaudio's transforms "
       "and models (without a module, runner or loader reached by attribute) are not reported."},
      {"MG-YAML-UNREADABLE", Severity::medium, Status::unverified,
       "A YAML configuration could not be read whole, so the keys its loaders act on were not all checked.",
       "libyaml stopped at the given offset. PyYAML's pure-Python reader, which OmegaConf, jsonargparse, "
       "torchtune, pyannote and HyperPyYAML use, accepts some streams libyaml rejects (a %YAML 1.3 or "
       "reserved directive, a tab inside a block scalar), and reads every key of them: class paths, "
       "_target_, HyperPyYAML tags. Only the text search for such keys ran. Make the file plain YAML 1.1."},
      {"MG-FIDDLE-PYREF", Severity::high, Status::unverified,
       "A fiddle serialization (NeMo 2 context/io.json) names a Python object to import and build.",
       "fiddle's serialization.Deserialization imports every {\"type\": \"pyref\", \"module\", \"name\"} "
       "(importlib.import_module, then getattr) and fdl.build calls the configured callables with their "
       "arguments; NeMo's io.load_context does this for context/io.json. Pyrefs under nemo, megatron, torch, "
       "fiddle and lightning's model, layer and configuration modules, and builtins containers, are not reported."},
      {"MG-CONFIG-CLASS-PATH", Severity::high, Status::unverified,
       "A configuration names a class_path for jsonargparse (LightningCLI) to import and instantiate.",
       "jsonargparse resolves a {class_path, init_args} value with import_object (import the module, getattr the "
       "rest), which runs the module's top-level code, and instantiates the class with init_args when it fits the "
       "parameter's type; LightningCLI reads the model, data, trainer, optimizer and callbacks of a --config file "
       "this way. Classes of torch.nn and torch.optim are not reported."},
      {"MG-MMENGINE-TYPE", Severity::high, Status::unverified,
       "An OpenMMLab/mmengine config names a dotted path as a `type` to build.",
       "mmengine's Registry.get looks the type up in its registries and, when none holds it, imports it with "
       "get_object_from_string (import the module part, getattr the rest); build_from_cfg then calls it with "
       "the sibling keys (open-mmlab/mmengine registry/registry.py, registry/build_functions.py). Any installed "
       "function can be named, as with Hydra's _target_, so such configs are never proven inert; names "
       "\"scope.Class\" of an OpenMMLab package's registry and plain registry words are not reported."},
      {"MG-MMENGINE-CUSTOM-IMPORTS", Severity::high, Status::unverified,
       "An OpenMMLab/mmengine config has custom_imports, modules imported when it is read.",
       "mmengine's Config.fromfile(import_custom_modules=True) passes custom_imports to "
       "import_modules_from_strings, which imports every listed module (installed, or beside the working "
       "directory) before anything is built; what they run is not known."},
      {"MG-LDM-TARGET", Severity::high, Status::unverified,
       "A latent-diffusion (OmegaConf) config names a class outside the published Stable Diffusion inference configs.",
       "ldm.util and sgm.util instantiate_from_config import the dotted path under `target` (rsplit at the last "
       "dot, importlib.import_module, getattr) and call it with `params`. Only the classes that the published SD "
       "1.x, 2.x and XL inference configs name are known (docs/repositories.md); any other importable path could "
       "be any function. YAML outside the subset modelgate reads is searched as text, and a key it could hide "
       "(escapes, explicit keys) is reported too."},
      {"MG-PY-PROCESS", Severity::critical, Status::unsafe,
       "The Python code starts processes or shell commands (os.system, subprocess, pty...).",
       "Model code has no reason to run programs. The line number and the call are given."},
      {"MG-PY-FILE-WRITE", Severity::high, Status::unsafe,
       "The Python code writes, deletes or moves files.",
       "open() with a write mode, os.remove, shutil.rmtree, Path.write_text and similar calls change "
       "the file system when the model is loaded."},
      {"MG-PY-NETWORK", Severity::high, Status::unsafe,
       "The Python code opens network connections (socket, urllib, requests...).",
       "Network access at load time can exfiltrate data or fetch further payloads."},
      {"MG-PY-EVAL", Severity::critical, Status::unsafe,
       "The Python code evaluates code built at run time (eval, exec, compile, __builtins__).",
       "Dynamic evaluation hides what the code does from review and from this scanner."},
      {"MG-PY-IMPORT-HIDING", Severity::high, Status::unsafe,
       "The Python code imports modules by computed name (__import__, importlib, imp, runpy).",
       "Computed imports hide which modules are loaded, a common way to smuggle os or subprocess past "
       "reviewers."},
      {"MG-PY-DESERIALIZE", Severity::high, Status::unsafe,
       "The Python code deserialises with pickle, marshal, dill, shelve or yaml.unsafe_load.",
       "These loaders execute code embedded in their input."},
      {"MG-PY-NATIVE", Severity::high, Status::unsafe, "The Python code calls native code through ctypes or cffi.",
       "Native calls bypass every Python-level control and can do anything the process can."},
      {"MG-PY-ENCODED-PAYLOAD", Severity::critical, Status::unsafe,
       "The Python code decodes data (base64, hex, zlib...) and also executes or deserialises code.",
       "Decoding followed by exec/eval/marshal/pickle is the classic way to hide a payload in source "
       "code."},
      {"MG-CARD-FRONT-MATTER-MALFORMED", Severity::low, Status::safe,
       "The model card's YAML front matter cannot be read.",
       "The card is documentation and is not loaded by pipelines, so this does not change the verdict; "
       "its metadata (license, base model, datasets) is missing from the bill of materials. modelgate "
       "reads a strict subset of YAML (block mappings and lists, quoted and plain scalars, flow lists, "
       "block scalars)."},
  };
  return rules;
}

}  // namespace modelgate
