#pragma once
// Reading a signature bundle in a confined parse worker (docs/sandbox.md): this process opens the
// bundle and passes the descriptor; the worker parses it, checks its signature with `check` (and the
// keys, anchors or trusted root that holds, inherited at fork) and returns the signed manifest or
// the failure (signed_manifest_codec.h), which this process decodes as untrusted input. The model's
// files are hashed here afterwards: hashing is not parsing.
#include <cstdint>
#include <filesystem>

#include "sign/model_signing.h"

namespace modelgate::sign {

// A worker that fails (a signal, a limit, the timeout, a malformed message) fails verification,
// naming why; a worker that cannot start, or a missing layer under `strict`, is a usage failure.
Expected<Manifest> read_signed_manifest_confined(const std::filesystem::path& bundle, const SignatureCheck& check,
                                                 CheckEvents& events, SandboxMode mode, std::uint64_t timeout_ms);

}  // namespace modelgate::sign
