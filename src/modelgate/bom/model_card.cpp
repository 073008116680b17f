#include "bom/model_card.h"

#include <map>
#include <string_view>

#include "bom/component_type.h"

namespace modelgate::bom {

namespace {

struct TaskFormats {
  std::string_view task;
  std::string_view input, output;
};

// Hugging Face pipeline tags whose input and output modalities the pipeline defines.
constexpr TaskFormats kTaskFormats[] = {
    {"text-generation", "text", "text"},
    {"text2text-generation", "text", "text"},
    {"summarization", "text", "text"},
    {"translation", "text", "text"},
    {"fill-mask", "text", "text"},
    {"question-answering", "text", "text"},
    {"text-classification", "text", "label"},
    {"token-classification", "text", "label"},
    {"zero-shot-classification", "text", "label"},
    {"feature-extraction", "text", "embedding"},
    {"sentence-similarity", "text", "score"},
    {"image-classification", "image", "label"},
    {"object-detection", "image", "bounding-boxes"},
    {"image-to-text", "image", "text"},
    {"text-to-image", "text", "image"},
    {"automatic-speech-recognition", "audio", "text"},
    {"text-to-speech", "text", "audio"},
    {"audio-classification", "audio", "label"},
};

void add_property(nlohmann::json& properties, const char* name, const std::string& value) {
  if (!value.empty()) properties.push_back({{"name", name}, {"value", value}});
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string_view relative_to(const std::string& origin, const std::string& directory) {
  std::string_view o = origin;
  if (o.size() > directory.size() + 1 && o.substr(0, directory.size()) == directory && o[directory.size()] == '/')
    return o.substr(directory.size() + 1);
  return {};
}

bool holds_tensors(const ArtifactReport& r) {
  return r.model.parameters && component_type_of_format(r.format) == ComponentType::machine_learning_model;
}

// The weights a file of the directory holds: the file itself, or the one model inside a container
// (a torch.save zip's data.pkl, whose storages are its tensors).
const ArtifactReport* weights_in(const ArtifactReport& file) {
  if (holds_tensors(file)) return &file;
  const ArtifactReport* found = nullptr;
  for (const auto& member : file.children)
    if (holds_tensors(member)) {
      if (found != nullptr) return nullptr;
      found = &member;
    }
  return found;
}

void take_if_empty(std::string& to, const std::string& from) {
  if (to.empty()) to = from;
}

}  // namespace

nlohmann::json model_card(const ModelFacts& f) {
  nlohmann::json parameters = nlohmann::json::object();
  if (!f.task.empty()) {
    parameters["task"] = f.task;
    for (const auto& t : kTaskFormats)
      if (t.task == f.task) {
        parameters["inputs"] = {{{"format", t.input}}};
        parameters["outputs"] = {{{"format", t.output}}};
      }
  }
  // A graph that declares its inputs and outputs (ONNX) says more than the task's modalities.
  if (!f.inputs.empty()) {
    parameters["inputs"] = nlohmann::json::array();
    for (const auto& in : f.inputs) parameters["inputs"].push_back({{"format", in}});
  }
  if (!f.outputs.empty()) {
    parameters["outputs"] = nlohmann::json::array();
    for (const auto& out : f.outputs) parameters["outputs"].push_back({{"format", out}});
  }
  if (!f.model_type.empty()) parameters["architectureFamily"] = f.model_type;
  if (!f.architectures.empty()) parameters["modelArchitecture"] = joined(f.architectures);
  for (const auto& d : f.datasets) parameters["datasets"].push_back({{"type", "dataset"}, {"name", d}});

  nlohmann::json properties = nlohmann::json::array();
  add_property(properties, "modelgate:model.name", f.name);
  if (f.parameters) add_property(properties, "modelgate:model.parameters", std::to_string(*f.parameters));
  std::string dtypes;
  for (const auto& [dtype, count] : f.dtypes) dtypes += (dtypes.empty() ? "" : ",") + dtype + ":" + std::to_string(count);
  add_property(properties, "modelgate:model.tensor-dtypes", dtypes);
  add_property(properties, "modelgate:model.quantization", f.quantization);
  if (f.context_length) add_property(properties, "modelgate:model.context-length", std::to_string(*f.context_length));
  for (const auto& b : f.base_models) add_property(properties, "modelgate:model.base-model", b);
  add_property(properties, "modelgate:model.base-model-relation", f.base_model_relation);
  for (const auto& l : f.languages) add_property(properties, "modelgate:model.language", l);
  add_property(properties, "modelgate:model.library", f.library);

  nlohmann::json card = nlohmann::json::object();
  if (!parameters.empty()) card["modelParameters"] = std::move(parameters);
  if (!properties.empty()) card["properties"] = std::move(properties);
  return card.empty() ? nlohmann::json() : card;
}

ModelFacts directory_model_facts(const ArtifactReport& directory) {
  ModelFacts out;
  std::map<std::string, const ArtifactReport*> by_relative;
  std::vector<const ArtifactReport*> weights;
  const ArtifactReport* index = nullptr;
  for (const auto& c : directory.children) {
    std::string_view rel = relative_to(c.origin, directory.origin);
    if (rel.empty()) continue;
    by_relative.emplace(std::string(rel), &c);
    if (rel.find('/') != std::string_view::npos) continue;
    if (c.format == "model-card") {
      out.license = c.model.license;
      out.name = c.model.name;
      out.datasets = c.model.datasets;
      out.base_models = c.model.base_models;
      out.base_model_relation = c.model.base_model_relation;
      out.languages = c.model.languages;
      out.task = c.model.task;
      out.library = c.model.library;
    } else if (c.format == "hf-model-config") {
      out.architectures = c.model.architectures;
      out.model_type = c.model.model_type;
      out.context_length = c.model.context_length;
      out.quantization = c.model.quantization;
    } else if (!c.model.shards.empty() && index == nullptr) {
      index = &c;
    } else if (const ArtifactReport* w = weights_in(c)) {
      weights.push_back(w);
    }
  }
  auto add_tensors = [&](const ModelFacts& w) {
    out.parameters = out.parameters.value_or(0) + w.parameters.value_or(0);
    for (const auto& [dtype, count] : w.dtypes) out.dtypes[dtype] += count;
  };
  if (index != nullptr) {
    for (const auto& shard : index->model.shards) {
      auto it = by_relative.find(shard);
      if (it != by_relative.end() && it->second->model.parameters) add_tensors(it->second->model);
    }
  } else if (weights.size() == 1) {
    const ModelFacts& w = weights.front()->model;
    add_tensors(w);
    take_if_empty(out.model_type, w.model_type);
    take_if_empty(out.quantization, w.quantization);
    if (!out.context_length) out.context_length = w.context_length;
    take_if_empty(out.license, w.license);
    take_if_empty(out.name, w.name);
    if (out.inputs.empty()) out.inputs = w.inputs;
    if (out.outputs.empty()) out.outputs = w.outputs;
  }
  return out;
}

}  // namespace modelgate::bom
