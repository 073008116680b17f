#pragma once
#include <ostream>

#include "modelgate/scan.h"

namespace modelgate {

inline constexpr const char* kScanSchema = "modelgate.scan/1";

void render_text(const ScanResult& result, std::ostream& out, int verbosity);
void render_json(const ScanResult& result, std::ostream& out);
void render_sarif(const ScanResult& result, std::ostream& out);

}  // namespace modelgate
