// The two EMD flavours behind read_emd; internal to mgscope_imaging.
#pragma once
#include <string>
#include <vector>

#include "imaging/io/hdf5_file.hpp"

namespace mgscope {

// Berkeley/NCEM EMD v0.2: `data_groups` are the groups with emd_group_type = 1, in name order.
LoadedImage read_emd_berkeley(const Hdf5File& f, const std::vector<std::string>& data_groups,
                              const ReadOptions& options);
// Thermo Fisher Velox: /Data/Image/<uuid>/Data stored (y, x, frames) with per-frame JSON.
LoadedImage read_emd_velox(const Hdf5File& f, const ReadOptions& options);

}  // namespace mgscope
