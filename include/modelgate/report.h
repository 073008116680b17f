#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "modelgate/finding.h"
#include "modelgate/format_details.h"
#include "modelgate/status.h"

namespace modelgate {

// A tensor a file holds, as the file's own header (or a checkpoint's state dict) describes it:
// nothing of its data is read.
struct TensorFacts {
  std::string name;    // as the file names it (UTF-8: the formats refuse other names); a state dict's dotted path
  // The format's name for the element type: safetensors "BF16", GGUF "Q4_K"; a PyTorch tensor by
  // the safetensors name of its torch dtype (torch.bfloat16 is "BF16").
  std::string dtype;
  std::vector<std::uint64_t> shape;  // in the file's order (GGUF: the contiguous dimension first)
  // A PyTorch checkpoint's storage record that holds the tensor's bytes ("archive/data/0"); empty
  // when the tensor's bytes are a range of the file itself (safetensors, GGUF).
  std::string storage;
  // The byte range of its data: in the file, or in the uncompressed storage record. A strided view
  // covers the range from its first to its last element; an empty tensor has [0, 0).
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

// What a parser read about the model itself (config.json, GGUF metadata, a model card's front
// matter). Typed so that the BOM and the gate read the same facts; a field is empty when no parsed
// byte said it, never guessed from a file name.
struct ModelFacts {
  std::string license;  // as written by the file: an SPDX id or free text
  std::string name;     // the model's own name (GGUF general.name, the card's model_name)
  std::vector<std::string> architectures;  // config.json `architectures` (classes, e.g. LlamaForCausalLM)
  std::string model_type;  // the family: config.json `model_type`, GGUF `general.architecture` (e.g. llama)
  // Tensors this file holds (their shapes' products summed) and how many tensors per dtype:
  // counted from tensor headers, not declared.
  std::optional<std::uint64_t> parameters;
  std::map<std::string, std::uint64_t> dtypes;
  std::string quantization;  // GGUF `general.file_type`, config.json `quantization_config.quant_method`
  std::optional<std::uint64_t> context_length;  // GGUF `<arch>.context_length`, config.json positions
  std::vector<std::string> datasets;             // the card's `datasets`
  std::vector<std::string> base_models;          // the card's `base_model`
  std::string base_model_relation;               // the card's `base_model_relation` (finetune, quantized...)
  std::vector<std::string> languages;            // the card's `language`
  std::string task;                              // the card's `pipeline_tag`
  std::string library;                           // the card's `library_name`
  // The graph's declared inputs and outputs where the format records them (ONNX), each as
  // "name: dtype[dims]" with symbolic dimensions by name, e.g. "pixel_values: FLOAT[batch,3,224,224]".
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  // A sharded checkpoint's index: the shard files it names that are present, as paths relative to
  // the scanned directory (like the directory's children).
  std::vector<std::string> shards;
  // A Hugging Face cache snapshot: its repository ("model:org/name"), revision (the snapshot's
  // directory name, a commit hash) and the refs that point at it.
  std::string hub_repository;
  std::string hub_revision;
  std::vector<std::string> hub_refs;
  // How many tensors a safetensors or GGUF file holds, and every one of them in the file's order;
  // for a PyTorch checkpoint, the tensors of its state dict in the pickle's order, when the data
  // pickle reads as one (as `convert` reads it). Past Limits::max_listed_tensors the report counts
  // them and lists none (never a partial list).
  std::optional<std::uint64_t> tensor_count;
  std::vector<TensorFacts> tensors;
};

// What a parser read that other parts of the scan act on: the context analyses the chat templates,
// the directory checks follow the code routes and compare an index with its shards. Typed, so that
// a consumer reads fields, not JSON; the JSON report shows each under `facts` by the name given
// in brackets, as `facts` showed it before these were typed.
struct CodeRoute {
  std::string file;   // a Python file, relative to the configuration's directory
  std::string route;  // which library imports it, and how
};
struct RemoteCode {  // transformers auto_map and custom_pipelines
  std::vector<std::string> classes;       // module.Class references, as written
  std::vector<std::string> files;         // the Python files they name
  std::vector<std::string> repositories;  // other repositories named with "repo--module.Class"
};
struct ShardedIndexCheck {  // a *.index.json compared with the shards it names
  std::uint64_t shards = 0;           // shard files the index names
  std::uint64_t shards_compared = 0;  // of those, read and compared
  std::uint64_t tensors = 0;          // tensors the index lists
};
// Bytes an ONNX tensor keeps in another file, checked against that file once the model's path is
// known (the parse itself never opens a file).
struct ExternalDataRead {
  std::string tensor;    // which tensor, as messages name it: "tensor 'W' in graph initializer"
  std::string location;  // relative to the model's directory, as written
  std::uint64_t offset = 0;
  std::optional<std::uint64_t> length;  // absent: to the end of the file
};
// How far a consumer's pickle.load reading of a file ran (a reading that is not the file's format).
struct PickleReadingExtent {
  bool complete = false;  // [complete] it reached STOP
  std::uint64_t end = 0;  // [end] the offset after the last opcode read
};
// The globals a pickle artifact's streams import (GLOBAL, STACK_GLOBAL, INST, an extension code),
// as the stream writes them: before the unpickler maps Python 2 names.
struct PickleGlobal {
  std::string module;
  std::string name;
  std::uint64_t count = 0;         // opcodes that import it (a memoised import fetched again is not one)
  std::uint64_t first_offset = 0;  // the opcode that first imports it
};
struct PickleImports {
  std::uint64_t count = 0;  // [count] imports in all
  // [globals] each distinct global, ordered by module then name; the list is whole or absent: past
  // Limits::max_listed_pickle_names distinct globals it is absent (listed = false), never partial.
  bool listed = true;
  std::vector<PickleGlobal> globals;
};
// What the streams call while loading (REDUCE, NEWOBJ, NEWOBJ_EX, INST, OBJ): each callable by the
// dotted name the call reaches, through the memo, getattr, functools.partial and the like.
struct PickleCall {
  std::string callable;  // e.g. "collections.OrderedDict", "torch._utils._rebuild_tensor_v2"
  std::uint64_t count = 0;
};
struct PickleCalls {
  std::uint64_t count = 0;     // [count] calls in all
  std::uint64_t indirect = 0;  // [indirect] of those, calls of a value whose target has no static name
  bool listed = true;          // [callables] whole or absent, like PickleImports::globals
  std::vector<PickleCall> callables;  // ordered by name; their counts and `indirect` sum to `count`
};
struct ParsedFacts {
  std::map<std::string, std::string> chat_templates;        // [chat_templates] name -> Jinja text
  std::optional<std::vector<std::string>> python_imports;  // [python_imports] a Python file's imports, sorted
  std::vector<CodeRoute> code_files;                       // [code_files] code a configuration routes
  std::optional<RemoteCode> remote_code;                   // [remote_code]
  std::optional<ShardedIndexCheck> sharded_checkpoint;     // [sharded_checkpoint]
  std::vector<std::string> external_data_files;           // [external_data_files] ONNX `location`s, sorted
  std::vector<ExternalDataRead> external_data_reads;       // [external_data_reads] of a model file
  std::optional<PickleReadingExtent> pickle_reading;       // [complete], [end]
  std::optional<PickleImports> pickle_imports;             // [pickle_imports] of the streams read
  std::optional<PickleCalls> pickle_calls;                 // [pickle_calls] of the same streams
  std::optional<std::uint64_t> first_raw_array_at;         // [first_raw_array_at] of a joblib file
};

// The verdict on one artifact (a file, an archive member, a nested pickle) and its parts.
struct ArtifactReport {
  std::string origin;  // origin chain
  std::string format;  // identified format, e.g. "pickle", "pytorch-zip", "directory"
  std::uint64_t size = 0;
  Status status = Status::safe;  // computed by finalize(): worst of findings and children
  std::vector<Finding> findings;
  std::vector<ArtifactReport> children;
  FormatDetails details;  // what the parser read of the format, shown in the JSON report
  ParsedFacts parsed;   // what the parser read that the scan acts on
  ModelFacts model;     // typed facts about the model, filled by the parser that read them
  std::string sha256;   // lowercase hex of the full content; empty when the scan did not hash it
  std::string sha512;   // the same with SHA-512, when the scan was asked for it (ScanOptions::hash_sha512)

  void add(Finding f) { findings.push_back(std::move(f)); }
  // Recomputes status bottom-up.
  void finalize();
  // Every finding in this report and its children, depth first.
  std::vector<const Finding*> all_findings() const;
};

}  // namespace modelgate
