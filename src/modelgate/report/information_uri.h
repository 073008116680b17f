#pragma once
// Where modelgate's documentation lives: SARIF's `informationUri` and the CycloneDX vulnerability
// source. The build sets it (CMake cache variable MODELGATE_INFORMATION_URI; by default the installed
// documentation, `file://<prefix>/share/doc/modelgate/cli.md`), so that an organisation that
// publishes its own copy can point reports at it.
#ifndef MODELGATE_INFORMATION_URI
#error "the build defines MODELGATE_INFORMATION_URI (CMakeLists.txt)"
#endif
namespace modelgate {
inline constexpr const char* kInformationUri = MODELGATE_INFORMATION_URI;
}
