#pragma once
// What a parser read about a file's format that is shown, not decided on: counts, versions,
// header fields. One struct per format (or per family of formats that share a layout), each
// present only on the artifacts of that format. The JSON report shows every field under the
// artifact's `facts` by the name given in brackets; an absent optional, and a flag that is false,
// are not shown.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "modelgate/file_value.h"
#include "modelgate/sandbox_layers.h"

namespace modelgate {

using CountByName = std::map<std::string, std::uint64_t>;

struct PickleDetails {
  std::int64_t protocol = 0;              // [pickle_protocol] the highest PROTO of the first stream
  std::optional<std::uint64_t> opcodes;   // [opcodes] of the first stream (files, not archive members)
};

// ZIP, tar, 7z and the other archives libarchive reads.
struct ArchiveDetails {
  std::uint64_t members = 0;  // [members] entries of the directory, as the archive lists them
};

// A PyTorch checkpoint (zip, legacy, pre-1.0 tar) and its data pickle.
struct TorchDetails {
  std::optional<std::string> archive_name;         // [torch_archive_name] the zip's top folder
  std::optional<std::uint64_t> storages;           // [storages]
  std::optional<std::uint64_t> tensors;            // [tensors] the tar format's tensor records
  std::optional<std::uint64_t> persistent_ids;     // [persistent_ids] the tar pickle references
  std::optional<std::vector<std::string>> torchscript_code;  // [torchscript_code] code/ records
};

struct SafetensorsDetails {
  std::uint64_t header_length = 0;  // [header_length]
  std::uint64_t tensor_count = 0;   // [tensor_count]
  std::uint64_t parameters = 0;     // [parameters]
  CountByName dtypes;               // [dtypes] tensors per dtype
  std::optional<std::map<std::string, std::string>> metadata;  // [metadata] the header's __metadata__
};

struct GgufDetails {
  std::uint64_t version = 0;         // [gguf_version]
  std::uint64_t tensor_count = 0;    // [tensor_count]
  std::uint64_t metadata_count = 0;  // [metadata_count]
  std::uint64_t alignment = 0;       // [alignment]
  // general.* keys, as the file wrote them (a long string or an array by its type and size).
  std::optional<FileValue> architecture, name, license, basename, size_label, file_type;
  std::map<std::string, FileValue> metadata;  // [metadata] every key, the same way
  std::uint64_t parameters = 0;               // [parameters]
  CountByName tensor_types;                   // [tensor_types] tensors per ggml type
};

struct OnnxDetails {
  std::int64_t ir_version = 0;                       // [ir_version]
  std::string producer;                              // [producer] name and version
  std::map<std::string, std::int64_t> opset_import;  // [opset_import] domain ("ai.onnx") -> version
  std::uint64_t graphs = 0, nodes = 0, tensors = 0;  // [graphs], [nodes], [tensors]
  CountByName op_types;                              // [op_types] "domain:op" -> nodes
  std::optional<std::vector<std::string>> custom_domains;  // [custom_domains]
};

struct NpyDetails {
  std::string version;           // [npy_version] "1.0"
  std::string descr;             // [descr] the header's dtype, as written
  std::vector<std::uint64_t> shape;  // [shape]
  bool fortran_order = false;    // [fortran_order] shown true or false
  bool object_dtype = false;     // [object_dtype] shown only when true
  std::optional<std::uint64_t> data_bytes;  // [data_bytes] what the shape and dtype need
};

struct SavedModelDetails {
  std::optional<std::uint64_t> checksum;  // [saved_model_checksum] the fingerprint's
  std::optional<std::uint64_t> nodes;     // [nodes] named nodes of every graph and function
  std::optional<CountByName> op_types;    // [op_types]
  std::optional<CountByName> checkpoint_ops;  // [checkpoint_ops] ops that read or write checkpoints
  std::optional<std::uint64_t> keras_metadata_objects;  // [keras_metadata_objects]
};

// Keras: the .keras archive's metadata, the HDF5 file's root attributes, the model configuration.
struct KerasDetails {
  std::optional<std::string> keras_version;  // [keras_version]
  std::optional<std::string> date_saved;     // [date_saved]
  std::optional<std::string> backend;        // [backend]
  bool h5_model_config = false;              // [keras_h5_model_config] shown only when true
  bool h5_training_config = false;           // [keras_h5_training_config] shown only when true
  std::optional<std::uint64_t> hdf5_links;   // [hdf5_links]
  std::optional<CountByName> class_names;    // [keras_class_names] at most 512 listed
};

struct SentencePieceDetails {
  std::uint64_t pieces = 0;                 // [pieces]
  std::string model_type;                   // [model_type] unigram, bpe, word, char, unset, unknown
  std::optional<std::uint64_t> vocab_size;  // [vocab_size]
  std::optional<std::string> normalizer;    // [normalizer]
};

// Arrays of a Flax msgpack checkpoint or of a joblib file.
struct ArrayStoreDetails {
  std::uint64_t arrays = 0;                 // [arrays]
  std::optional<std::uint64_t> parameters;  // [parameters] elements over all arrays (Flax)
};

struct TfliteDetails {
  std::uint64_t schema_version = 0;          // [schema_version]
  std::uint64_t builtin_operator_codes = 0;  // [builtin_operator_codes]
  std::vector<std::string> custom_operators; // [custom_operators]
  std::uint64_t subgraphs = 0;               // [subgraphs]
  std::uint64_t buffers = 0;                 // [buffers]
};

struct CoremlDetails {
  std::uint64_t specification_version = 0;  // [specification_version]
  std::uint64_t model_type = 0;             // [model_type] the field number of the model's type
  std::uint64_t models = 0;                 // [models]
  std::uint64_t layers = 0;                 // [layers]
};

struct CoremlWeightsDetails {
  std::uint64_t blobs = 0;  // [blobs]
};

struct OpenvinoDetails {
  std::uint64_t ir_version = 0;                  // [ir_version]
  std::uint64_t layers = 0;                      // [layers]
  std::vector<std::string> extension_operations; // [extension_operations] "type (version 'v')"
};

// Fields of a Hugging Face JSON configuration (config.json, tokenizer and processor configs), as
// the file wrote them: each under its own key.
struct ConfigDetails {
  std::optional<FileValue> model_type, architectures, torch_dtype, transformers_version;  // config.json
  std::optional<FileValue> tokenizer_class, model_max_length;                             // tokenizer_config.json
  std::optional<FileValue> processor_class, image_processor_type, feature_extractor_type; // processor configs
  std::optional<FileValue> tokenizer_model;         // [tokenizer_model] tokenizer.json's model.type
  std::optional<std::uint64_t> weight_map_entries;  // [weight_map_entries] of a sharded index
};

// A Hugging Face cache entry, a snapshot, or the cache itself.
struct HubCacheDetails {
  std::optional<std::string> blob;                 // [blob] the blob a snapshot's link points at
  bool same_blob_as_earlier_entry = false;         // [same_blob_as_earlier_entry] shown only when true
  std::optional<std::string> repository;           // [repository]
  std::optional<std::string> revision;             // [revision]
  std::optional<std::vector<std::string>> refs;    // [refs]
  std::optional<std::uint64_t> repositories_revisions;  // [repositories_revisions]
  std::optional<std::uint64_t> blobs;              // [blobs]
};

struct FormatDetails {
  std::optional<PickleDetails> pickle;
  std::optional<ArchiveDetails> archive;
  std::optional<TorchDetails> torch;
  std::optional<SafetensorsDetails> safetensors;
  std::optional<GgufDetails> gguf;
  std::optional<OnnxDetails> onnx;
  std::optional<NpyDetails> npy;
  std::optional<SavedModelDetails> saved_model;
  std::optional<KerasDetails> keras;
  std::optional<SentencePieceDetails> sentencepiece;
  std::optional<ArrayStoreDetails> arrays;
  std::optional<TfliteDetails> tflite;
  std::optional<CoremlDetails> coreml;
  std::optional<CoremlWeightsDetails> coreml_weights;
  std::optional<OpenvinoDetails> openvino;
  std::optional<ConfigDetails> config;
  std::optional<std::map<std::string, FileValue>> model_card;  // [model_card] the front matter's keys
  std::optional<HubCacheDetails> hub_cache;
  std::optional<std::string> python_encoding;  // [python_encoding] a source's declared encoding, when not UTF-8
  std::optional<std::string> data_of;          // [data_of] the model whose external data this file is
  std::optional<std::vector<std::string>> name_readings;  // [name_readings] readings a loader takes by name
  std::optional<SandboxLayers> sandbox;        // [sandbox] the worker's confinement (set by the broker)
};

// The details in `slot`, made on first use: for the formats whose details several steps fill.
template <class T>
T& details_of(std::optional<T>& slot) {
  return slot ? *slot : slot.emplace();
}

}  // namespace modelgate
