#include "readers/sentencepiece.h"

#include "pickle/text_operands.h"
#include "protowire/wire.h"
#include "core/utf8.h"

namespace modelgate::sentencepiece {

namespace {

using protowire::Field;
using protowire::MessageReader;
using protowire::WireType;

bool extension(std::uint32_t number) { return number >= 200; }

// SentencePiece: 1 piece (string), 2 score (float), 3 type (enum 1-6).
Expected<bool> check_piece(ByteView piece, std::size_t base) {
  MessageReader r(piece, base);
  Field f;
  bool has_piece = false;
  while (r.next(f)) {
    if (f.number == 1 && f.type == WireType::len) {
      if (!is_utf8(as_chars(f.bytes))) return parse_error(f.offset, "piece is not valid UTF-8");
      has_piece = true;
    } else if (f.number == 2 && f.type == WireType::i32) {
    } else if (f.number == 3 && f.type == WireType::varint) {
      if (f.value < 1 || f.value > 6) return parse_error(f.offset, "piece type " + std::to_string(f.value) + " is not 1-6");
    } else if (!extension(f.number)) {
      return parse_error(f.offset, "unexpected field " + std::to_string(f.number) + " in a SentencePiece");
    }
  }
  if (r.error()) return *r.error();
  return has_piece;
}

// A nested spec message: well-formed, and the scalar fields wanted for the report.
Expected<bool> read_spec(const Field& spec, std::size_t base, std::uint32_t want_varint_a, std::uint64_t* a, std::uint32_t want_varint_b,
                         std::uint64_t* b, std::string* name) {
  MessageReader r(spec.bytes, base);
  Field f;
  while (r.next(f)) {
    if (a && f.number == want_varint_a && f.type == WireType::varint) *a = f.value;
    if (b && f.number == want_varint_b && f.type == WireType::varint) *b = f.value;
    if (name && f.number == 1 && f.type == WireType::len) *name = std::string(as_chars(f.bytes).substr(0, 64));
  }
  if (r.error()) return *r.error();
  return true;
}

}  // namespace

bool looks_like_model(ByteView bytes) {
  if (bytes.size() < 4 || bytes[0] != 0x0A) return false;
  MessageReader r(bytes);
  r.allow_truncated_tail();
  Field first;
  if (!r.next(first) || first.number != 1 || first.type != WireType::len || r.truncated()) return false;
  auto piece = check_piece(first.bytes, 0);
  if (!piece || !*piece) return false;
  // The next fields must be ModelProto fields too (a probe, not the parse: bounded to a few).
  Field f;
  for (int k = 0; k < 16 && r.next(f); ++k)
    if (!(f.number <= 5 || extension(f.number)) || (f.number <= 5 && f.type != WireType::len)) return false;
  return !r.error();
}

Expected<Model> parse(ByteView bytes) {
  Model m;
  MessageReader r(bytes);
  Field f;
  while (r.next(f)) {
    if (extension(f.number)) continue;
    if (f.number < 1 || f.number > 5 || f.type != WireType::len)
      return parse_error(f.offset, "field " + std::to_string(f.number) + " is not a ModelProto field");
    Expected<bool> ok = true;
    switch (f.number) {
      case 1:
        ok = check_piece(f.bytes, r.absolute(f.bytes));
        if (ok && !*ok) return parse_error(f.offset, "SentencePiece without a piece");
        ++m.pieces;
        break;
      case 2: ok = read_spec(f, r.absolute(f.bytes), 3, &m.model_type, 4, &m.vocab_size, nullptr); break;
      case 3: ok = read_spec(f, r.absolute(f.bytes), 0, nullptr, 0, nullptr, &m.normalizer); break;
      default: ok = read_spec(f, r.absolute(f.bytes), 0, nullptr, 0, nullptr, nullptr); break;
    }
    if (!ok) return ok.error();
  }
  if (r.error()) return *r.error();
  if (m.pieces == 0) return parse_error(0, "model has no pieces");
  return m;
}

}  // namespace modelgate::sentencepiece
