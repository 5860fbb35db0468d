// FEI/Thermo TIA series files (.ser, versions 0x210 and 0x220) with the optional .emi beside
// them for the microscope settings.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "imaging/io/byte_reader.hpp"
#include "imaging/image.hpp"

namespace mgscope {

// Reads element options.frame of a series of 2-D images, rows flipped to top-down, pixel
// size from the element's calibration in metres. Looks for `<stem>.emi` when the file is named
// `<stem>_<n>.ser`. Throws InputError naming the file for spectra, complex data or bad files.
LoadedImage read_ser(const std::string& path, const ReadOptions& options);
// Same from bytes in memory; `emi_path` may be empty (no metadata then).
LoadedImage read_ser(const ByteReader& file, const ReadOptions& options, const std::string& emi_path);

// Path of the .emi that belongs to a .ser path, or "" when the name does not follow TIA's
// `<stem>_<n>.ser` pattern.
std::string emi_path_for(const std::string& ser_path);

// The .ser files beside a .emi that belong to it (`<stem>_1.ser`, `<stem>_2.ser`, ... in the
// numbers' order), for telling a user who gave the .emi, which holds settings but no pixels.
std::vector<std::string> ser_paths_for_emi(const std::string& emi_path);

// True when the first `n` bytes hold TIA's ByteOrder 0x4949 and SeriesID 0x0197 (little-endian).
bool looks_like_ser(const unsigned char* head, std::size_t n);

}  // namespace mgscope
