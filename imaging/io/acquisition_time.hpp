// When an image was taken, as its file records it. Every reader that finds a time puts it in the
// image's metadata under the keys below, so that `mgscope info` shows it for any format and an
// in-situ series can put frames written one per file (or one per element) on a time axis.
#pragma once
#include <map>
#include <optional>
#include <string>

namespace mgscope {

// Seconds since 1970-01-01. UTC where the file says so (TIA SER, Velox, DM's "Acquisition Time
// (OS)"); a TIFF DateTime is the instrument computer's local clock, read as if it were UTC: a
// series uses only the differences between its frames.
inline constexpr const char* kAcquisitionEpochKey = "acquisition_epoch_s";
// Which field of the file it came from ("TIFF DateTime (tag 306)").
inline constexpr const char* kAcquisitionSourceKey = "acquisition_time_source";
// The step of the field (s): 1 for whole seconds, so that a series can tell two frames taken in
// the same second from a clock that stopped.
inline constexpr const char* kAcquisitionResolutionKey = "acquisition_time_resolution_s";

void set_acquisition_time(std::map<std::string, std::string>& metadata, double epoch_s, double resolution_s,
                          const std::string& source);

// A Windows FILETIME (100 ns ticks since 1601-01-01 UTC), as DigitalMicrograph writes "DataBar.
// Acquisition Time (OS)", in seconds since 1970; nullopt outside 1970-2200 (not such a time).
std::optional<double> filetime_epoch_s(double ticks_100ns);

// A TIFF DateTime, "YYYY:MM:DD HH:MM:SS" (TIFF 6.0, tag 306), in seconds since 1970 as if UTC.
// Also takes '-' between the date's fields and 'T' before the time (ISO 8601, which some writers
// put there), with a trailing 'Z'. nullopt for anything else, or a date that does not exist.
std::optional<double> tiff_datetime_epoch_s(const std::string& text);

}  // namespace mgscope
