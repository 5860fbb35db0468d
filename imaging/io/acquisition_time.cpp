#include "imaging/io/acquisition_time.hpp"

#include <cmath>

#include "imaging/io/pixel_copy.hpp"

namespace mgscope {

namespace {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (civil to days, counting
// from March so that the leap day ends the year); a TZ-free timegm.
long long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const long long yoe = y - era * 400;
  const long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

bool digits(const std::string& s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

void set_acquisition_time(std::map<std::string, std::string>& metadata, double epoch_s, double resolution_s,
                          const std::string& source) {
  metadata[kAcquisitionEpochKey] = number_text(epoch_s);
  metadata[kAcquisitionSourceKey] = source;
  metadata[kAcquisitionResolutionKey] = number_text(resolution_s);
}

std::optional<double> filetime_epoch_s(double ticks_100ns) {
  constexpr double kFiletimeAt1970_s = 11644473600.0;  // 1601-01-01 to 1970-01-01
  constexpr double kYear2200_s = 7258118400.0;
  if (!std::isfinite(ticks_100ns)) return std::nullopt;
  const double s = ticks_100ns * 1e-7 - kFiletimeAt1970_s;
  if (!(s > 0 && s < kYear2200_s)) return std::nullopt;
  return s;
}

std::optional<double> tiff_datetime_epoch_s(const std::string& text) {
  // The spec's 19 characters, then an optional 'Z' and the NUL padding some writers keep.
  std::string s = text;
  while (!s.empty() && (s.back() == '\0' || s.back() == ' ')) s.pop_back();
  if (!s.empty() && s.back() == 'Z') s.pop_back();
  if (s.size() != 19) return std::nullopt;
  const char date_sep = s[4];
  if ((date_sep != ':' && date_sep != '-') || s[7] != date_sep || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' ||
      s[16] != ':')
    return std::nullopt;
  int y, mo, d, h, mi, se;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d) || !digits(s, 11, 2, h) ||
      !digits(s, 14, 2, mi) || !digits(s, 17, 2, se))
    return std::nullopt;
  // Year 0000 is what cameras without a clock write: no time, not 1 BC.
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 60)
    return std::nullopt;
  return double(days_from_civil(y, mo, d)) * 86400.0 + h * 3600.0 + mi * 60.0 + se;
}

}  // namespace mgscope
