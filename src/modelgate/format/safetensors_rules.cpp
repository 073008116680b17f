#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> safetensors_rules() {
  static const Rule rules[] = {
      {"MG-SAFETENSORS-DTYPE", Severity::high, Status::refused,
       "A safetensors tensor has a missing, non-string or unknown dtype.",
       "Without a known element type the tensor's size cannot be checked against its byte range. "
       "modelgate knows the dtypes of the safetensors specification (BOOL, U8..U64, I8..I64, F4, "
       "F6_*, F8_*, F16, BF16, F32, F64, C64); anything else is refused."},
      {"MG-SAFETENSORS-DUPLICATE-KEY", Severity::high, Status::refused,
       "A key appears twice in the same object of a safetensors header.",
       "JSON parsers disagree on duplicate keys (most keep the last, some the first, some fail), so "
       "two tools can read two different tensors or metadata values from the same file. A header "
       "with a repeated key is ambiguous and refused."},
      {"MG-SAFETENSORS-GAP", Severity::high, Status::refused,
       "Bytes of the safetensors buffer belong to no tensor.",
       "Tensors must cover the byte buffer exactly, from offset 0 to the end of the file. Unclaimed "
       "bytes (between tensors or after the last one) are never read by loaders and can hide an "
       "appended payload or a second file; the file is refused."},
      {"MG-SAFETENSORS-HEADER-JSON", Severity::high, Status::refused,
       "The safetensors header is not a strict JSON object.",
       "The header must be one UTF-8 JSON object starting with '{' (trailing whitespace allowed), "
       "nested no deeper than the limit. Anything else is a malformed or hostile file."},
      {"MG-SAFETENSORS-HEADER-SIZE", Severity::high, Status::refused,
       "The safetensors header length is impossible, over the limit, or past the end of the file.",
       "The first 8 bytes give the header length. It must leave room for a JSON object, stay under "
       "the header limit (100 MB, the reference loader's own cap) and end inside the file."},
      {"MG-SAFETENSORS-METADATA", Severity::high, Status::refused,
       "The safetensors __metadata__ entry is not a string-to-string map.",
       "The specification allows only string keys and string values in __metadata__; other "
       "values are rejected by the reference loader and may be read differently by others."},
      {"MG-SAFETENSORS-METADATA-SUSPICIOUS", Severity::info, Status::safe,
       "safetensors metadata text looks like a URL, a shell command or code.",
       "Metadata is inert for loaders, but text shaped like a URL, a command or code may be meant "
       "for a tool or a person further down the pipeline. Read it before acting on it."},
      {"MG-SAFETENSORS-OUT-OF-BOUNDS", Severity::high, Status::refused,
       "A safetensors tensor's byte range ends past the end of the file.",
       "data_offsets are relative to the byte buffer after the header and must lie inside it. A "
       "range past the end is a truncated or crafted file."},
      {"MG-SAFETENSORS-OVERLAP", Severity::high, Status::refused,
       "Two safetensors tensors share bytes.",
       "Overlapping ranges let one write alias another tensor and are never produced by real "
       "writers. The file is refused."},
      {"MG-SAFETENSORS-SHAPE", Severity::high, Status::refused,
       "A safetensors tensor's shape is not a list of non-negative integers, or its size overflows.",
       "Every dimension must be a non-negative JSON integer; the element count and byte size must "
       "fit in 64 bits, and sub-byte dtypes must fill whole bytes."},
      {"MG-SAFETENSORS-SIZE-MISMATCH", Severity::high, Status::refused,
       "A safetensors tensor's byte range does not match dtype x shape.",
       "end - begin of data_offsets must equal the element count times the dtype size exactly; "
       "otherwise loaders read too little, too much or a neighbour's bytes."},
      {"MG-SAFETENSORS-TENSOR-ENTRY", Severity::high, Status::refused,
       "A safetensors tensor entry is not an object with exactly dtype, shape and data_offsets.",
       "Each tensor entry must be a JSON object with the keys dtype, shape and data_offsets (a "
       "pair of non-negative integers) and nothing else. Unknown keys are refused because a "
       "different reader may give them a meaning."},
      {"MG-SAFETENSORS-INDEX-DUPLICATE-TENSOR", Severity::high, Status::refused,
       "The same tensor name is stored in more than one shard of a sharded checkpoint.",
       "Which copy a loader uses depends on the loader and the order it reads shards in; the "
       "checkpoint is ambiguous."},
      {"MG-SAFETENSORS-INDEX-INVALID", Severity::high, Status::refused,
       "A sharded checkpoint's *.index.json is not a strict JSON object with a string weight_map.",
       "The index maps every tensor name to the shard file that holds it. It must be strict JSON "
       "(no duplicate keys) and weight_map must map names to file names."},
      {"MG-SAFETENSORS-INDEX-MISSING-SHARD", Severity::high, Status::refused,
       "A shard named by a sharded checkpoint's index is not in the directory.",
       "The checkpoint is incomplete: a loader fails or, worse, fetches the shard from elsewhere."},
      {"MG-SAFETENSORS-INDEX-MISSING-TENSOR", Severity::medium, Status::refused,
       "A tensor listed in the index is not in the shard the index names.",
       "The index and the shards disagree. Loaders that trust the index fail or leave the weight "
       "at its random initial value."},
      {"MG-SAFETENSORS-INDEX-SHARD-NOT-READ", Severity::high, Status::refused,
       "A shard named by a sharded checkpoint's index is not a regular file the scan could read.",
       "The name exists in the directory but is a symbolic link leaving it, a FIFO, a socket, a device, "
       "a directory, or could not be opened (its own entry says which). Loaders would open whatever it "
       "leads to; the scan did not read it, so the checkpoint is not verified."},
      {"MG-SAFETENSORS-INDEX-SHARD-PATH", Severity::high, Status::unsafe,
       "A sharded checkpoint's index names a shard outside the model directory.",
       "Shard names are joined to the model directory by loaders; an absolute path or '..' makes "
       "them read a file the scan never saw."},
      {"MG-SAFETENSORS-INDEX-UNLISTED-TENSOR", Severity::medium, Status::refused,
       "A shard holds a tensor that the index does not list (or lists in another shard).",
       "Loaders that follow the index never read it, others that read every shard do: the "
       "checkpoint means different things to different tools."},
  };
  return rules;
}

}  // namespace modelgate
