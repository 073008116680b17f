#pragma once
// SentencePiece models (tokenizer.model, tokenizer.model.v3, spiece.model, sentencepiece.bpe.model):
// a protobuf ModelProto from sentencepiece_model.proto, read with the schema-free wire reader.
// ModelProto: 1 pieces (repeated SentencePiece {1 piece, 2 score, 3 type}), 2 trainer_spec,
// 3 normalizer_spec, 4 self_test_data, 5 denormalizer_spec; 200+ are extensions. Nothing in it
// names code: the verdict rests on the structure reading completely.
#include <cstdint>
#include <string>

#include "core/bytes.h"
#include "core/expected.h"

namespace modelgate::sentencepiece {

struct Model {
  std::uint64_t pieces = 0;
  std::uint64_t model_type = 0;   // trainer_spec.model_type: 1 unigram, 2 bpe, 3 word, 4 char (0: unset)
  std::uint64_t vocab_size = 0;   // trainer_spec.vocab_size (0: unset)
  std::string normalizer;         // normalizer_spec.name
};

// The content probe: a ModelProto whose first field is a piece.
bool looks_like_model(ByteView bytes);

Expected<Model> parse(ByteView bytes);

}  // namespace modelgate::sentencepiece
