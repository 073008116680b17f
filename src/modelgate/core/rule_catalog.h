#pragma once
// Each module exposes its rule table here; rule_catalog.cpp concatenates them.
#include <span>

#include "core/rule_id.h"
#include "modelgate/rules.h"

namespace modelgate {

// The rule of an id checked at compile time (core/rule_id.h); ids known only at run time (a stored
// report, a worker's result) go through find_rule().
const Rule& rule(RuleId id);

std::span<const Rule> core_rules();
std::span<const Rule> pickle_rules();
std::span<const Rule> walk_rules();
std::span<const Rule> zip_rules();
std::span<const Rule> torch_rules();
std::span<const Rule> archive_rules();
std::span<const Rule> numpy_rules();
std::span<const Rule> joblib_rules();
std::span<const Rule> onnx_rules();
std::span<const Rule> keras_rules();
std::span<const Rule> savedmodel_rules();
std::span<const Rule> safetensors_rules();
std::span<const Rule> gguf_rules();
std::span<const Rule> template_rules();
std::span<const Rule> hf_rules();
std::span<const Rule> torch_tar_rules();
std::span<const Rule> data_file_rules();
std::span<const Rule> reading_rules();
std::span<const Rule> sandbox_rules();
std::span<const Rule> gate_rules();

}  // namespace modelgate
