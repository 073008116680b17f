#pragma once
// Content probes for the formats that can carry code (ONNX, SavedModel, Keras). Each one looks at
// structure, not names, and is strict enough not to claim arbitrary files.
#include "core/bytes.h"

namespace modelgate {

bool looks_like_onnx_model(ByteView bytes);
bool looks_like_saved_model(ByteView bytes);
bool looks_like_keras_metadata_pb(ByteView bytes);
bool looks_like_tf_fingerprint(ByteView bytes);
bool looks_like_hdf5(ByteView bytes);
bool looks_like_keras_archive(ByteView bytes);

}  // namespace modelgate
