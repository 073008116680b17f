#pragma once
// The SHA-256 of an artifact's full content, the one identity the BOM, the gate and the inventory
// key files by (never a sample, never a path).
#include <string>

#include "core/bytes.h"

namespace modelgate {

// Lowercase hex, 64 characters. Large views are hashed in place (the caller's mapping).
std::string sha256_hex(ByteView content);
// Lowercase hex, 128 characters: the BOM's optional second hash (`bom --sha512`).
std::string sha512_hex(ByteView content);

}  // namespace modelgate
