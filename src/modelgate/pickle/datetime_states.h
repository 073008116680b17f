#pragma once
// The byte-string states datetime.date, datetime.datetime and datetime.time take from a pickle.
#include <optional>
#include <string>
#include <string_view>

namespace modelgate::pickle {

// The length of the byte state `cls` ("datetime.date", ...) accepts, or 0 when it is not one of them.
std::size_t datetime_state_size(std::string_view cls);

// Why `bytes` (the latin-1 bytes of the state) is not a value CPython's datetime could have made
// itself, or nullopt when it is one. CPython checks only the month (date, datetime) or the hour
// (time) of a byte state; every other field is taken as given, and a year 0 or a day 40 later
// indexes its tables out of range (ctime(), weekday()).
std::optional<std::string> datetime_state_problem(std::string_view cls, std::string_view bytes);

}  // namespace modelgate::pickle
