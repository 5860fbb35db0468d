// MRC2014 image files and stacks (cryo-EM, tomography, direct-electron cameras), with the FEI
// extended header's per-frame pixel size when present.
#pragma once
#include <cstddef>
#include <string>

#include "imaging/io/byte_reader.hpp"
#include "imaging/image.hpp"

namespace mgscope {

// Reads section options.frame of an nx x ny x nz map. Pixel size = cell length / sampling in
// Angstrom (divided by 10 for nm), or the FEI1 record's pixel size in metres. Big-endian files
// are byte-swapped. Throws InputError naming the file for complex modes or bad headers.
LoadedImage read_mrc(const std::string& path, const ReadOptions& options);
LoadedImage read_mrc(const ByteReader& file, const ReadOptions& options);

// True when the first `n` bytes carry MRC2014's 'MAP' stamp at byte 208 (needs n >= 211), or
// (older writers without the stamp, temp.mrc) look like an MRC header in either byte order:
// positive sizes, a known mode and (mapc, mapr, maps) a permutation of (1, 2, 3) (needs n >= 76).
// The header has no magic at byte 0, so read_image() asks this after every other format.
bool looks_like_mrc(const unsigned char* head, std::size_t n);

}  // namespace mgscope
