#pragma once
// Every field of FormatDetails with the name the JSON report shows it by, in one table, so that
// each encoding of the details (the JSON report and an inventory row in
// core/format_details_json.cpp, a parse worker's result in sandbox/result_facts.cpp) writes and
// reads the same fields in the same order.
#include <type_traits>

#include "modelgate/format_details.h"

namespace modelgate {

// Passed after a flag that is shown when false too.
struct ShownWhenFalse {};

template <class S, class Visit>
  requires std::is_same_v<std::remove_const_t<S>, PickleDetails>
void each_detail_field(S& d, Visit&& visit) {
  visit("pickle_protocol", d.protocol);
  visit("opcodes", d.opcodes);
}
template <class S, class Visit>
  requires std::is_same_v<std::remove_const_t<S>, ArchiveDetails>
void each_detail_field(S& d, Visit&& visit) {
  visit("members", d.members);
}
template <class S, class Visit>
  requires std::is_same_v<std::remove_const_t<S>, TorchDetails>
void each_detail_field(S& d, Visit&& visit) {
  visit("torch_archive_name", d.archive_name);
  visit("storages", d.storages);
  visit("tensors", d.tensors);
  visit("persistent_ids", d.persistent_ids);
  visit("torchscript_code", d.torchscript_code);
}
template <class S, class Visit>
  requires std::is_same_v<std::remove_const_t<S>, SafetensorsDetails>
void each_detail_field(S& d, Visit&& visit) {
  visit("header_length", d.header_length);
  visit("tensor_count", d.tensor_count);
  visit("parameters", d.parameters);
  visit("dtypes", d.dtypes);
  visit("metadata", d.metadata);
}
template <class S, class Visit>
  requires std::is_same_v<std::remove_const_t<S>, GgufDetails>
void each_detail_field(S& d, Visit&& visit) {
  visit("gguf_version", d.version);
  visit("tensor_count", d.tensor_count);
  visit("metadata_count", d.metadata_count);
  visit("alignment", d.alignment);
  visit("architecture", d.architecture);
  visit("name", d.name);
  visit("license", d.license);
  visit("basename", d.basename);
  visit("size_label", d.size_label);
  visit("file_type", d.file_type);
  visit("metadata", d.metadata);
  visit("parameters", d.parameters);
  visit("tensor_types", d.tensor_types);
}
template <class S, class Visit>
  requires std::is_same_v<std::remove_const_t<S>, OnnxDetails>
void each_detail_field(S& d, Visit&& visit) {
  visit("ir_version", d.ir_version);
  visit("producer", d.producer);
  visit("opset_import", d.opset_import);
  visit("graphs", d.graphs);
  visit("nodes", d.nodes);
  visit("tensors", d.tensors);
  visit("op_types", d.op_types);
  visit("custom_domains", d.custom_domains);
}
template <class S, class Visit>
  requires std::is_same_v<std::remove_const_t<S>, NpyDetails>
void each_detail_field(S& d, Visit&& visit) {
  visit("npy_version", d.version);
  visit("descr", d.descr);
  visit("shape", d.shape);
  visit("fortran_order", d.fortran_order, ShownWhenFalse{});
  visit("object_dtype", d.object_dtype);
  visit("data_bytes", d.data_bytes);
}
template <class S, class Visit>
  requires std::is_same_v<std::remove_const_t<S>, SavedModelDetails>
void each_detail_field(S& d, Visit&& visit) {
  visit("saved_model_checksum", d.checksum);
  visit("nodes", d.nodes);
  visit("op_types", d.op_types);
  visit("checkpoint_ops", d.checkpoint_ops);
  visit("keras_metadata_objects", d.keras_metadata_objects);
}
template <class S, class Visit>
  requires std::is_same_v<std::remove_const_t<S>, KerasDetails>
void each_detail_field(S& d, Visit&& visit) {
  visit("keras_version", d.keras_version);
  visit("date_saved", d.date_saved);
  visit("backend", d.backend);
  visit("keras_h5_model_config", d.h5_model_config);
  visit("keras_h5_training_config", d.h5_training_config);
  visit("hdf5_links", d.hdf5_links);
  visit("keras_class_names", d.class_names);
}
template <class S, class Visit>
  requires std::is_same_v<std::remove_const_t<S>, SentencePieceDetails>
void each_detail_field(S& d, Visit&& visit) {
  visit("pieces", d.pieces);
  visit("model_type", d.model_type);
  visit("vocab_size", d.vocab_size);
  visit("normalizer", d.normalizer);
}
template <class S, class Visit>
  requires std::is_same_v<std::remove_const_t<S>, ArrayStoreDetails>
void each_detail_field(S& d, Visit&& visit) {
  visit("arrays", d.arrays);
  visit("parameters", d.parameters);
}
template <class S, class Visit>
  requires std::is_same_v<std::remove_const_t<S>, TfliteDetails>
void each_detail_field(S& d, Visit&& visit) {
  visit("schema_version", d.schema_version);
  visit("builtin_operator_codes", d.builtin_operator_codes);
  visit("custom_operators", d.custom_operators);
  visit("subgraphs", d.subgraphs);
  visit("buffers", d.buffers);
}
template <class S, class Visit>
  requires std::is_same_v<std::remove_const_t<S>, CoremlDetails>
void each_detail_field(S& d, Visit&& visit) {
  visit("specification_version", d.specification_version);
  visit("model_type", d.model_type);
  visit("models", d.models);
  visit("layers", d.layers);
}
template <class S, class Visit>
  requires std::is_same_v<std::remove_const_t<S>, CoremlWeightsDetails>
void each_detail_field(S& d, Visit&& visit) {
  visit("blobs", d.blobs);
}
template <class S, class Visit>
  requires std::is_same_v<std::remove_const_t<S>, OpenvinoDetails>
void each_detail_field(S& d, Visit&& visit) {
  visit("ir_version", d.ir_version);
  visit("layers", d.layers);
  visit("extension_operations", d.extension_operations);
}
template <class S, class Visit>
  requires std::is_same_v<std::remove_const_t<S>, ConfigDetails>
void each_detail_field(S& d, Visit&& visit) {
  visit("model_type", d.model_type);
  visit("architectures", d.architectures);
  visit("torch_dtype", d.torch_dtype);
  visit("transformers_version", d.transformers_version);
  visit("tokenizer_class", d.tokenizer_class);
  visit("model_max_length", d.model_max_length);
  visit("processor_class", d.processor_class);
  visit("image_processor_type", d.image_processor_type);
  visit("feature_extractor_type", d.feature_extractor_type);
  visit("tokenizer_model", d.tokenizer_model);
  visit("weight_map_entries", d.weight_map_entries);
}
template <class S, class Visit>
  requires std::is_same_v<std::remove_const_t<S>, HubCacheDetails>
void each_detail_field(S& d, Visit&& visit) {
  visit("blob", d.blob);
  visit("same_blob_as_earlier_entry", d.same_blob_as_earlier_entry);
  visit("repository", d.repository);
  visit("revision", d.revision);
  visit("refs", d.refs);
  visit("repositories_revisions", d.repositories_revisions);
  visit("blobs", d.blobs);
}

// The per-format structs by the name an inventory row keeps each under, and the details that
// stand alone by the name the JSON report shows them by. The broker's `sandbox` is last.
template <class D, class Visit>
  requires std::is_same_v<std::remove_const_t<D>, FormatDetails>
void each_format_detail(D& d, Visit&& visit) {
  visit("pickle", d.pickle);
  visit("archive", d.archive);
  visit("torch", d.torch);
  visit("safetensors", d.safetensors);
  visit("gguf", d.gguf);
  visit("onnx", d.onnx);
  visit("npy", d.npy);
  visit("saved_model", d.saved_model);
  visit("keras", d.keras);
  visit("sentencepiece", d.sentencepiece);
  visit("arrays", d.arrays);
  visit("tflite", d.tflite);
  visit("coreml", d.coreml);
  visit("coreml_weights", d.coreml_weights);
  visit("openvino", d.openvino);
  visit("config", d.config);
  visit("model_card", d.model_card);
  visit("hub_cache", d.hub_cache);
  visit("python_encoding", d.python_encoding);
  visit("data_of", d.data_of);
  visit("name_readings", d.name_readings);
}

}  // namespace modelgate
