#pragma once
// Content probes for the formats that can carry code (ONNX, SavedModel, Keras, HDF5), which have
// no reader of their own below identification (libprotobuf and libhdf5 read them). Each one looks
// at structure, not names, and is strict enough not to claim arbitrary files.
#include <cstdint>
#include <optional>

#include "core/bytes.h"

namespace modelgate {

struct Artifact;
namespace zip {
struct Archive;
}

bool looks_like_onnx_model(ByteView bytes);
bool looks_like_saved_model(ByteView bytes);
bool looks_like_keras_metadata_pb(ByteView bytes);
bool looks_like_tf_fingerprint(ByteView bytes);
bool looks_like_hdf5(ByteView bytes);
// Where libhdf5 finds the superblock: 0 or a power of two from 512 up to the end of the file.
std::optional<std::uint64_t> hdf5_superblock_offset(ByteView bytes);
// A ZIP with the members Keras 3's saving_lib reads; the directory read is kept on the artifact
// for the scanner (artifact/zip_probe.h).
bool looks_like_keras_archive(const Artifact& artifact);
// A ZIP directory with the members Keras 3's saving_lib reads (config.json and its weights).
bool has_keras_layout(const zip::Archive& archive);

}  // namespace modelgate
