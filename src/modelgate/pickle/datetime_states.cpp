#include "pickle/datetime_states.h"

namespace modelgate::pickle {

namespace {

bool is_leap_year(unsigned year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

unsigned days_in_month(unsigned year, unsigned month) {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : days[month - 1];
}

unsigned byte_at(std::string_view b, std::size_t i) { return static_cast<unsigned char>(b[i]); }

std::optional<std::string> date_problem(std::string_view b, bool fold_in_month) {
  unsigned year = byte_at(b, 0) << 8 | byte_at(b, 1);
  unsigned month = byte_at(b, 2);
  if (fold_in_month) month &= 0x7F;  // datetime keeps `fold` in the month's high bit
  unsigned day = byte_at(b, 3);
  if (year < 1 || year > 9999) return "year " + std::to_string(year) + " outside 1..9999";
  if (month < 1 || month > 12) return "month " + std::to_string(month) + " outside 1..12";
  if (day < 1 || day > days_in_month(year, month))
    return "day " + std::to_string(day) + " outside 1.." + std::to_string(days_in_month(year, month));
  return std::nullopt;
}

std::optional<std::string> time_problem(std::string_view b, bool fold_in_hour) {
  unsigned hour = byte_at(b, 0);
  if (fold_in_hour) hour &= 0x7F;  // time keeps `fold` in the hour's high bit
  unsigned minute = byte_at(b, 1), second = byte_at(b, 2);
  unsigned micro = byte_at(b, 3) << 16 | byte_at(b, 4) << 8 | byte_at(b, 5);
  if (hour > 23) return "hour " + std::to_string(hour) + " outside 0..23";
  if (minute > 59) return "minute " + std::to_string(minute) + " outside 0..59";
  if (second > 59) return "second " + std::to_string(second) + " outside 0..59";
  if (micro > 999'999) return "microsecond " + std::to_string(micro) + " outside 0..999999";
  return std::nullopt;
}

}  // namespace

std::size_t datetime_state_size(std::string_view cls) {
  if (cls == "datetime.date") return 4;
  if (cls == "datetime.datetime") return 10;
  if (cls == "datetime.time") return 6;
  return 0;
}

std::optional<std::string> datetime_state_problem(std::string_view cls, std::string_view bytes) {
  const std::size_t size = datetime_state_size(cls);
  if (size == 0) return std::nullopt;
  if (bytes.size() != size) return "a " + std::to_string(bytes.size()) + "-byte state, not " + std::to_string(size);
  if (cls == "datetime.date") return date_problem(bytes, false);
  if (cls == "datetime.time") return time_problem(bytes, true);
  if (auto p = date_problem(bytes.substr(0, 4), true)) return p;
  return time_problem(bytes.substr(4), false);
}

}  // namespace modelgate::pickle
