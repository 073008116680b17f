#pragma once
// The ZIP directory of an artifact, read once for identification and the scanner both:
// identification reads it to tell a .keras archive from another ZIP, and the ZIP scanners take
// that reading instead of parsing the directory a second time.
#include "artifact/artifact.h"

namespace modelgate {

// zip::read_zip of the artifact's bytes with the default limits, its findings without an origin;
// read on first use and kept on the artifact.
const Expected<zip::Archive>& zip_probe(const Artifact& a);

// The directory a scanner reads with `limits`: identification's reading, taken from the artifact
// with its findings given the artifact's origin, when `limits` are the defaults and it read;
// otherwise read now.
Expected<zip::Archive> take_zip_directory(const Artifact& a, const Limits& limits);

}  // namespace modelgate
