#include "core/rule_catalog.h"

namespace modelgate {

std::span<const Rule> gguf_rules() {
  static const Rule rules[] = {
      {"MG-GGUF-ALIGNMENT", Severity::high, Status::refused,
       "general.alignment is not a uint32 power of two, or the data section offset overflows.",
       "GGUF places tensor data at multiples of general.alignment (32 when absent). ggml requires "
       "the key to be a uint32 power of two; any other value makes offsets ambiguous."},
      {"MG-GGUF-CHAT-TEMPLATE-TYPE", Severity::high, Status::refused,
       "A tokenizer.chat_template key holds a value that is neither a string nor a list of strings.",
       "Chat templates are Jinja text analysed before a runtime renders them; a template under another "
       "type cannot be analysed, so the file is refused rather than passed unread."},
      {"MG-GGUF-COUNT", Severity::high, Status::refused,
       "A GGUF count or length claims more entries or bytes than the file holds.",
       "Tensor counts, metadata counts, array lengths and string lengths are checked against the "
       "bytes that remain before anything is allocated: an absurd count is an attack on the "
       "reader's memory, not a model."},
      {"MG-GGUF-DUPLICATE-KEY", Severity::high, Status::refused,
       "A GGUF metadata key appears twice.",
       "Readers disagree on which of two values for the same key wins (a chat template, a "
       "tokenizer, the architecture); the file is ambiguous and refused."},
      {"MG-GGUF-HEADER", Severity::high, Status::refused,
       "The GGUF header is not a little-endian GGUF version 1, 2 or 3 header.",
       "modelgate reads GGUF versions 1 to 3 in little-endian byte order. Other versions and "
       "big-endian files are refused rather than guessed at."},
      {"MG-GGUF-KEY", Severity::high, Status::refused,
       "A GGUF metadata key is empty, longer than 65535 bytes or not valid UTF-8.",
       "Keys name the metadata a loader acts on; they must be non-empty UTF-8 strings."},
      {"MG-GGUF-METADATA-SUSPICIOUS", Severity::info, Status::safe,
       "GGUF metadata text looks like a URL, a shell command or code.",
       "Metadata strings are inert for llama.cpp, but text shaped like a command or code (or a URL "
       "outside the url/link keys of the GGUF spec) may be meant for a tool or a person further down "
       "the pipeline. Chat templates are analysed separately as Jinja."},
      {"MG-GGUF-PADDING", Severity::low, Status::unverified,
       "GGUF alignment padding contains non-zero bytes.",
       "Writers pad with zeros. Non-zero padding is never read by loaders and can carry hidden "
       "data; inspect the file or rewrite it with a standard tool."},
      {"MG-GGUF-STRING-ENCODING", Severity::low, Status::unverified,
       "A GGUF string value is not valid UTF-8.",
       "The specification requires UTF-8 strings. Invalid sequences are decoded differently by "
       "different tools (replacement characters, errors, raw bytes), so what a template or "
       "tokenizer means is not certain."},
      {"MG-GGUF-TENSOR-BOUNDS", Severity::high, Status::refused,
       "A GGUF tensor's data lies past the end of the file, or its range overflows.",
       "Each tensor's bytes (ggml type size x dimensions, at its offset in the data section) must "
       "lie inside the file. Otherwise the file is truncated or crafted."},
      {"MG-GGUF-TENSOR-NAME", Severity::high, Status::refused,
       "A GGUF tensor name is duplicated, too long for ggml (over 63 bytes) or not UTF-8.",
       "Two tensors with one name are ambiguous; a name longer than ggml's fixed buffer is "
       "rejected or truncated by loaders."},
      {"MG-GGUF-TENSOR-OFFSET", Severity::high, Status::refused,
       "A GGUF tensor does not start where ggml expects it.",
       "ggml requires tensors to follow each other in the order of their infos, each starting at "
       "the previous one's end rounded up to the alignment. Other layouts overlap, leave gaps or "
       "are rejected by current loaders."},
      {"MG-GGUF-TENSOR-SHAPE", Severity::high, Status::refused,
       "A GGUF tensor has too many or negative dimensions, an overflowing size, or rows that do "
       "not fill whole blocks.",
       "ggml tensors have at most 4 dimensions, each a non-negative 64-bit integer; the element "
       "count must fit in int64 and the first dimension must be a multiple of the type's block "
       "size (32 or 256 elements for quantized types)."},
      {"MG-GGUF-TENSOR-TYPE", Severity::high, Status::refused,
       "A GGUF tensor has an unknown or removed ggml type.",
       "Without a known ggml type the tensor's byte size cannot be checked. Types removed from "
       "ggml (Q4_2, Q4_3, the Q4_0_x_y and IQ4_NL_x_y repacked types) are refused as well."},
      {"MG-GGUF-TRAILING-DATA", Severity::medium, Status::unverified,
       "Bytes follow the last GGUF tensor.",
       "Loaders ignore bytes after the data section, so they can carry an appended file or "
       "payload that the scan of the model does not cover."},
      {"MG-GGUF-TRUNCATED", Severity::high, Status::refused,
       "The GGUF file ends in the middle of its header, metadata or tensor infos.",
       "A truncated file cannot be read completely and is refused."},
      {"MG-GGUF-VALUE", Severity::high, Status::refused,
       "A GGUF metadata value is invalid for its type (a bool other than 0 or 1).",
       "Values outside their type's domain are read differently by different tools."},
      {"MG-GGUF-VALUE-TYPE", Severity::high, Status::refused,
       "A GGUF metadata value or array element has an unknown type.",
       "Types 0-12 are defined (64-bit scalars from version 2 on). An unknown type tag makes the "
       "rest of the file unreadable."},
  };
  return rules;
}

}  // namespace modelgate
