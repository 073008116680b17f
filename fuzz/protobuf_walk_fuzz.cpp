// The schema-free protobuf walker and the SavedModel / keras_metadata.pb scanner on top of it.
#include "identify/code_format_probes.h"
#include "fuzz_context.h"
#include "protowire/node_walk.h"
#include "scan/format_table.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace modelgate;
  ByteView bytes(data, size);
  (void)looks_like_saved_model(bytes);
  (void)looks_like_keras_metadata_pb(bytes);
  Limits limits;
  limits.max_protobuf_fields = 1u << 20;
  (void)protowire::walk_for_nodes(bytes, limits);
  ArtifactReport report;
  scan_tensorflow_protobuf(fuzz::artifact(data, size), fuzz::context(), report);
  return 0;
}
