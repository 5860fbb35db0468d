// Gatan DigitalMicrograph DM3/DM4 files: the first real 2-D image (thumbnails skipped), its
// per-axis calibration and the microscope tags, read from the tag tree.
#pragma once
#include <cstddef>
#include <string>

#include "imaging/io/byte_reader.hpp"
#include "imaging/image.hpp"

namespace mgscope {

// Throws InputError naming the file for anything that is not a readable 2-D image or stack
// (spectra, complex FFT images, truncated or inconsistent tag trees).
LoadedImage read_dm(const std::string& path, const ReadOptions& options);
LoadedImage read_dm(const ByteReader& file, const ReadOptions& options);

// True when the first `n` bytes start with the DM version word (big-endian 32-bit 3 or 4). The
// version alone is the signature: DM files have no magic string.
bool looks_like_dm3(const unsigned char* head, std::size_t n);
bool looks_like_dm4(const unsigned char* head, std::size_t n);

}  // namespace mgscope
