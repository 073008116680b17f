#pragma once
// Flax checkpoints (flax_model.msgpack): flax.serialization.msgpack_serialize writes the state
// dict as nested msgpack maps with string keys; arrays are ext type 1 holding msgpack
// (shape, dtype name, raw bytes), complex numbers ext type 2 (real, imag), NumPy scalars ext
// type 3 (dtype name, raw bytes). msgpack_restore turns these back into arrays with
// np.frombuffer: no code is named anywhere, so the verdict rests on every object reading
// completely. The reader is hand-written and bounded: it never allocates by a declared count,
// recursion is limited, every length is checked against the bytes left.
#include <cstdint>

#include "core/bytes.h"
#include "core/expected.h"
#include "modelgate/limits.h"

namespace modelgate::flax {

struct Checkpoint {
  std::uint64_t arrays = 0;
  std::uint64_t parameters = 0;  // elements over all arrays
  std::uint64_t maps = 0;
};

// A top-level map whose first key is a string.
bool looks_like_msgpack_state(ByteView bytes);

Expected<Checkpoint> parse(ByteView bytes, const Limits& limits);  // max_msgpack_depth

}  // namespace modelgate::flax
