// The files of `mgscope hrtem` that other programs open: 32-bit float TIFF maps calibrated for
// ImageJ/Fiji, their PNG renderings, and the ImageJ ROI set of the ordered boxes.
#pragma once
#include "imaging/area_map.hpp"
#include "imaging/hrtem_analysis.hpp"
#include "pipelines/hrtem_outputs.hpp"
#include "pipelines/output_folder.hpp"

namespace mgscope {

// map_class, map_peak_over_threshold, map_d_spacing_nm, map_direction_deg as .tif and .png.
void write_hrtem_maps(const OutputFolder& folder, const AreaMap& area, const HrtemResult& result,
                      const HrtemRunInfo& run, const HrtemOptions& options);

// ordered_boxes_roiset.zip: one rectangle per ordered specimen box of the box grid, named
// boxNNNNN_CLASS after its row in tiles.csv; coordinates in pixels of the analysed image.
void write_ordered_roi_set(const OutputFolder& folder, const HrtemResult& result);

}  // namespace mgscope
