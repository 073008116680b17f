#pragma once
#include <nlohmann/json.hpp>

#include "modelgate/report.h"

namespace modelgate {

nlohmann::json finding_to_json(const Finding& f);
nlohmann::json report_to_json(const ArtifactReport& r);

}  // namespace modelgate
