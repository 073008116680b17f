#pragma once
// How Python's str() prints a float, for checkpoint scalars written to __metadata__.
#include <string>

namespace modelgate {

std::string python_repr(double f);

}  // namespace modelgate
