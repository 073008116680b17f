#include "core/limit_fields.h"

#include <limits>

namespace modelgate {

bool LimitField::set(Limits& limits, std::uint64_t value) const {
  if (value > max_value()) return false;
  std::visit([&](auto m) { limits.*m = static_cast<std::remove_reference_t<decltype(limits.*m)>>(value); }, member);
  return true;
}

std::uint64_t LimitField::max_value() const {
  return std::holds_alternative<std::uint32_t Limits::*>(member) ? std::numeric_limits<std::uint32_t>::max()
                                                                  : std::numeric_limits<std::uint64_t>::max();
}

std::span<const LimitField> limit_fields() {
  static const LimitField fields[] = {
      {"max_directory_depth", &Limits::max_directory_depth},
      {"max_nesting_depth", &Limits::max_nesting_depth},
      {"max_total_unpacked", &Limits::max_total_unpacked},
      {"max_unpacked_in_memory", &Limits::max_unpacked_in_memory},
      {"max_member_unpacked", &Limits::max_member_unpacked},
      {"max_archive_members", &Limits::max_archive_members},
      {"max_compression_ratio", &Limits::max_compression_ratio},
      {"max_coder_memory", &Limits::max_coder_memory},
      {"max_tar_extended_headers", &Limits::max_tar_extended_headers},
      {"max_npy_header_depth", &Limits::max_npy_header_depth},
      {"max_pickle_opcodes", &Limits::max_pickle_opcodes},
      {"max_pickle_stack", &Limits::max_pickle_stack},
      {"max_pickle_marks", &Limits::max_pickle_marks},
      {"max_pickle_memo", &Limits::max_pickle_memo},
      {"max_pickle_nodes", &Limits::max_pickle_nodes},
      {"max_trailing_pickles", &Limits::max_trailing_pickles},
      {"max_nested_payload", &Limits::max_nested_payload},
      {"max_pickle_resolve_depth", &Limits::max_pickle_resolve_depth},
      {"max_pickle_name", &Limits::max_pickle_name},
      {"max_pickle_name_bytes", &Limits::max_pickle_name_bytes},
      {"max_marshal_depth", &Limits::max_marshal_depth},
      {"max_marshal_objects", &Limits::max_marshal_objects},
      {"max_marshal_strings_per_code", &Limits::max_marshal_strings_per_code},
      {"max_marshal_collect_visits", &Limits::max_marshal_collect_visits},
      {"max_safetensors_header", &Limits::max_safetensors_header},
      {"max_tensors", &Limits::max_tensors},
      {"max_gguf_metadata_entries", &Limits::max_gguf_metadata_entries},
      {"max_gguf_array_length", &Limits::max_gguf_array_length},
      {"max_gguf_nested_arrays", &Limits::max_gguf_nested_arrays},
      {"max_gguf_array_depth", &Limits::max_gguf_array_depth},
      {"max_gguf_string", &Limits::max_gguf_string},
      {"max_protobuf_depth", &Limits::max_protobuf_depth},
      {"max_protobuf_fields", &Limits::max_protobuf_fields},
      {"max_onnx_graphs", &Limits::max_onnx_graphs},
      {"max_onnx_nodes", &Limits::max_onnx_nodes},
      {"max_onnx_tensors", &Limits::max_onnx_tensors},
      {"max_onnx_graph_depth", &Limits::max_onnx_graph_depth},
      {"max_hdf5_attribute_bytes", &Limits::max_hdf5_attribute_bytes},
      {"max_hdf5_links", &Limits::max_hdf5_links},
      {"max_hdf5_metadata_steps", &Limits::max_hdf5_metadata_steps},
      {"max_keras_config_bytes", &Limits::max_keras_config_bytes},
      {"max_keras_config_depth", &Limits::max_keras_config_depth},
      {"max_keras_lambda_bytes", &Limits::max_keras_lambda_bytes},
      {"max_tflite_operator_codes", &Limits::max_tflite_operator_codes},
      {"max_xml_depth", &Limits::max_xml_depth},
      {"max_template_bytes", &Limits::max_template_bytes},
      {"max_template_tokens", &Limits::max_template_tokens},
      {"max_template_depth", &Limits::max_template_depth},
      {"max_template_height", &Limits::max_template_height},
      {"max_template_fold_string", &Limits::max_template_fold_string},
      {"max_template_fold_items", &Limits::max_template_fold_items},
      {"max_template_fold_depth", &Limits::max_template_fold_depth},
      {"max_json_bytes", &Limits::max_json_bytes},
      {"max_json_depth", &Limits::max_json_depth},
      {"max_python_bytes", &Limits::max_python_bytes},
      {"max_front_matter_depth", &Limits::max_front_matter_depth},
      {"max_front_matter_lines", &Limits::max_front_matter_lines},
      {"max_convert_depth", &Limits::max_convert_depth},
      {"max_convert_visits", &Limits::max_convert_visits},
      {"max_convert_text", &Limits::max_convert_text},
      {"max_npy_header_bytes", &Limits::max_npy_header_bytes},
      {"max_gguf_dims", &Limits::max_gguf_dims},
      {"max_msgpack_depth", &Limits::max_msgpack_depth},
      {"max_protobuf_group_depth", &Limits::max_protobuf_group_depth},
      {"max_findings_per_rule", &Limits::max_findings_per_rule},
      {"max_fact_string", &Limits::max_fact_string},
      {"max_listed_op_types", &Limits::max_listed_op_types},
      {"max_listed_tensors", &Limits::max_listed_tensors},
      {"max_listed_pickle_names", &Limits::max_listed_pickle_names},
      {"worker_timeout_ms", &Limits::worker_timeout_ms},
      {"worker_memory", &Limits::worker_memory},
  };
  return fields;
}

}  // namespace modelgate
