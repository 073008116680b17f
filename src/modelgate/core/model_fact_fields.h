#pragma once
// Every field of ModelFacts with its name, in one table, so that each encoding of the facts (JSON
// in core/model_facts_json.cpp, a parse worker's result in sandbox/result_facts.cpp) writes and
// reads the same fields in the same order and none can drift from the others.
#include "modelgate/report.h"

namespace modelgate {

template <class Facts, class Visit>
void each_model_fact(Facts& f, Visit&& visit) {
  visit("license", f.license);
  visit("name", f.name);
  visit("architectures", f.architectures);
  visit("model_type", f.model_type);
  visit("parameters", f.parameters);
  visit("dtypes", f.dtypes);
  visit("quantization", f.quantization);
  visit("context_length", f.context_length);
  visit("datasets", f.datasets);
  visit("base_models", f.base_models);
  visit("base_model_relation", f.base_model_relation);
  visit("languages", f.languages);
  visit("task", f.task);
  visit("library", f.library);
  visit("inputs", f.inputs);
  visit("outputs", f.outputs);
  visit("shards", f.shards);
  visit("hub_repository", f.hub_repository);
  visit("hub_revision", f.hub_revision);
  visit("hub_refs", f.hub_refs);
  visit("tensor_count", f.tensor_count);
  visit("tensors", f.tensors);
}

}  // namespace modelgate
