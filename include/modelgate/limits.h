#pragma once
// Resource bounds for every parser. They travel in the scan context; there is no global state.
#include <cstdint>

namespace modelgate {

// Every member is also listed by name in src/modelgate/core/limit_fields.cpp.
struct Limits {
  // Directory walks
  std::uint32_t max_directory_depth = 256;        // levels below a scanned directory
  // Containers and nesting
  std::uint32_t max_nesting_depth = 8;            // archives in archives, payloads in pickles
  std::uint64_t max_total_unpacked = 64ull << 30;  // bytes decompressed across one top-level artifact
  std::uint64_t max_unpacked_in_memory = 16ull << 30;  // of those, held in memory at once
  std::uint64_t max_member_unpacked = 16ull << 30;
  std::uint32_t max_archive_members = 100000;
  std::uint32_t max_compression_ratio = 1000;     // unpacked / packed for one member
  std::uint64_t max_coder_memory = 256u << 20;    // a 7z coder's dictionary or model, past its output size
  std::uint32_t max_tar_extended_headers = 4;     // PAX / GNU long-name headers before one member
  std::uint32_t max_npy_header_depth = 32;        // nesting in a .npy header's dict literal
  std::uint32_t max_npy_header_bytes = 10000;     // numpy.load's own limit (without allow_pickle)
  // Pickle machine
  std::uint64_t max_pickle_opcodes = 1ull << 32;
  std::uint32_t max_pickle_stack = 1u << 22;       // values on the stack at once
  std::uint32_t max_pickle_marks = 1u << 16;       // nested MARKs
  std::uint32_t max_pickle_memo = 1u << 24;        // memo entries
  std::uint32_t max_pickle_nodes = 1u << 24;       // retained composite values
  std::uint32_t max_trailing_pickles = 16;        // pickles analysed after the first STOP
  std::uint64_t max_nested_payload = 256u << 20;   // bytes of one payload passed to pickle.loads & co.
  std::uint32_t max_pickle_resolve_depth = 16;     // calls unwound to recover such a payload or a name
  std::uint32_t max_pickle_name = 1024;            // bytes of one imported module or name, or attribute path
  std::uint64_t max_pickle_name_bytes = 64u << 20; // bytes of such names one stream builds in all
  // Marshal (code objects in Keras lambdas and pickled payloads)
  std::uint32_t max_marshal_depth = 64;            // nested containers and code objects
  std::uint64_t max_marshal_objects = 1u << 20;    // objects read in one attempt
  std::uint64_t max_marshal_strings_per_code = 4096;  // names and constants collected per code object
  std::uint64_t max_marshal_collect_visits = 1u << 16;
  // Data-only tensor formats (safetensors, GGUF) and strict JSON
  std::uint64_t max_safetensors_header = 100'000'000;  // the reference loader's own cap
  std::uint64_t max_tensors = 1u << 20;                // per file
  std::uint64_t max_gguf_metadata_entries = 1u << 20;
  std::uint64_t max_gguf_array_length = 1u << 26;      // elements in one array
  std::uint64_t max_gguf_nested_arrays = 1u << 20;     // inner arrays kept in memory, per file
  std::uint32_t max_gguf_array_depth = 4;              // arrays of arrays of ...
  std::uint64_t max_gguf_string = 1u << 26;            // bytes in one string
  std::uint32_t max_gguf_dims = 4;                     // dimensions of one tensor: ggml's GGML_MAX_DIMS
  std::uint32_t max_msgpack_depth = 64;                // nesting in a Flax msgpack state dict
  // Protobuf (ONNX, SavedModel), HDF5 and Keras configs
  std::uint32_t max_protobuf_depth = 48;               // nested messages (SavedModel node walk)
  std::uint64_t max_protobuf_fields = 1ull << 26;      // field reads across one walk
  std::uint32_t max_protobuf_group_depth = 100;        // nested groups: protobuf's own recursion limit
  std::uint64_t max_onnx_graphs = 1u << 16;
  std::uint64_t max_onnx_nodes = 1u << 22;
  std::uint64_t max_onnx_tensors = 1u << 22;
  std::uint32_t max_onnx_graph_depth = 16;             // subgraphs in If/Loop/Scan, in functions
  std::uint64_t max_hdf5_attribute_bytes = 64u << 20;  // one string attribute (model_config, ...)
  std::uint64_t max_hdf5_links = 1u << 20;             // links walked in one file
  std::uint64_t max_hdf5_metadata_steps = 1u << 20;    // metadata blocks checked before libhdf5 opens a file
  std::uint64_t max_keras_config_bytes = 64u << 20;    // one JSON config text
  std::uint32_t max_keras_config_depth = 200;          // its JSON nesting
  std::uint64_t max_keras_lambda_bytes = 4u << 20;     // one decoded lambda (marshal) payload
  // TFLite, OpenVINO IR
  std::uint64_t max_tflite_operator_codes = 65536;     // the interpreter indexes them with int32
  std::uint32_t max_xml_depth = 256;                   // element nesting in an OpenVINO IR
  // Chat templates, JSON configs, Python sources, model cards
  std::uint64_t max_template_bytes = 1u << 20;
  std::uint32_t max_template_tokens = 1u << 18;
  std::uint32_t max_template_depth = 64;          // nesting of blocks and expressions
  std::uint32_t max_template_height = 256;        // longest path in the tree (attribute, filter chains)
  std::uint64_t max_template_fold_string = 4096;  // bytes of one string folded from constants
  std::uint64_t max_template_fold_items = 256;    // items of one list or dict folded from constants
  std::uint32_t max_template_fold_depth = 300;    // nesting of expressions folded
  std::uint64_t max_json_bytes = 512ull << 20;    // tokenizer.json files reach tens of MiB
  std::uint32_t max_json_depth = 128;
  std::uint64_t max_python_bytes = 4u << 20;       // tokens are kept in memory (32 B each)
  std::uint32_t max_front_matter_depth = 32;      // YAML nesting in a model card
  std::uint64_t max_front_matter_lines = 100000;
  // Report sizes: past them a report summarises instead of listing (nothing is refused)
  std::uint64_t max_findings_per_rule = 10;        // per artifact, for checks that can repeat (sharded index)
  std::uint64_t max_fact_string = 1024;            // bytes of one metadata string quoted in facts (GGUF)
  std::uint64_t max_listed_op_types = 1024;        // distinct operator types counted in facts (ONNX, SavedModel)
  std::uint64_t max_listed_tensors = 1u << 16;     // tensors listed in a file's model facts; past it only counted
  std::uint64_t max_listed_pickle_names = 4096;    // distinct globals, and callables, a pickle's facts list
  // convert
  std::uint32_t max_convert_depth = 64;           // nesting of dicts in a state dict
  std::uint64_t max_convert_visits = 1u << 22;    // values visited while flattening a state dict
  std::uint64_t max_convert_text = 1u << 28;      // bytes of names and scalar text that flattening builds
  // Confined parse workers (--sandbox, docs/sandbox.md)
  std::uint32_t worker_timeout_ms = 600'000;       // wall-clock time for one file
  std::uint64_t worker_memory = 64ull << 30;       // RLIMIT_DATA of a worker (the input's mapping is not counted)

  bool operator==(const Limits&) const = default;
};

}  // namespace modelgate
