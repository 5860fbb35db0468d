// One entry point for every microscope format: detect by magic bytes, dispatch to the reader.
#pragma once
#include <string>

#include "imaging/image.hpp"

namespace mgscope {

enum class FileFormat { unknown, tiff, dm3, dm4, ser, mrc, hdf5 };

const char* file_format_name(FileFormat f);

// Looks at the first bytes (and MRC's 'MAP ' at byte 208), never at the extension alone.
FileFormat detect_format(const std::string& path);

// Reads one 2-D image with its calibration. Throws InputError naming the file on bad input.
LoadedImage read_image(const std::string& path, const ReadOptions& options = {});

}  // namespace mgscope
