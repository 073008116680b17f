#pragma once
namespace modelgate {
inline constexpr const char* kVersion = "0.1.0";
// Where the documentation lives (SARIF `informationUri`). A placeholder under the reserved .invalid
// domain until the project has a public home: set it then.
inline constexpr const char* kInformationUri = "https://modelgate.invalid/docs/cli.md";
}
