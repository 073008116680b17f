#pragma once
#include <string>

#include "modelgate/report.h"

namespace modelgate {

// One report as the JSON report writes it (an element of `artifacts`), on its own.
std::string report_json_text(const ArtifactReport& r);

}  // namespace modelgate
