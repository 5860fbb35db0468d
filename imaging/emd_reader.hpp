// EMD files (HDF5): Berkeley/NCEM EMD v0.2 and Thermo Fisher Velox, told apart by their layout.
#pragma once
#include <string>

#include "imaging/image.hpp"
#include "imaging/read_image.hpp"

namespace mgscope {

// Reads frame `options.frame` of the first image in an EMD file, with its calibration (nm) and
// the microscope metadata. Throws InputError naming the file and the HDF5 object on bad input.
// Conventions and errors: docs/readers-emd.md.
LoadedImage read_emd(const std::string& path, const ReadOptions& options);

}  // namespace mgscope
