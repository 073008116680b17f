#pragma once
namespace modelgate {
inline constexpr const char* kVersion = "0.1.0";
// Where the documentation lives, written as SARIF's optional `informationUri` when not empty. The
// project has no public home yet, and an invented address in every report would be a false
// statement: set it when there is one.
inline constexpr const char* kInformationUri = "";
}
