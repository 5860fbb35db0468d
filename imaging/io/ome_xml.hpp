// OME-TIFF: the OME-XML that Fiji/Bio-Formats, tifffile and acquisition programs put in the first
// page's ImageDescription, read for what places this file's pages (image, Z, C, T) and scales them.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mgscope {

// One <Image>'s <Pixels>, the attributes as written (sizes and times already checked).
struct OmeImage {
  std::string id, name;
  std::string dimension_order = "XYZCT";
  long size_x = 0, size_y = 0, size_z = 1, size_c = 1, size_time = 1;  // SizeT is size_time
  // PhysicalSizeX/Y as text (absent: nullopt) and their units as written (OME's default: µm).
  std::optional<std::string> physical_x, physical_y;
  std::string unit_x = "\xC2\xB5m", unit_y = "\xC2\xB5m";
  std::optional<double> time_increment_s;
  std::map<long, double> time_point_s;  // T -> the earliest Plane@DeltaT of that T (s)
  long time_points_with_delta_t = 0;
  // Pages from one time point to the next of the same Z and C: the sizes of the dimensions that
  // DimensionOrder runs faster than T (2 for SizeZ=2 in XYZCT, 1 in XYTZC).
  long pages_per_time_step() const;
};

// Where the OME-XML puts one page (IFD) of this file.
struct OmePlace {
  int image = 0;
  long z = 0, c = 0, t = 0;
};

struct OmeTiff {
  std::vector<OmeImage> images;
  std::map<std::uint64_t, OmePlace> pages;  // IFD index in this file -> its place
  long planes_in_other_files = 0;           // TiffData of a multi-file dataset naming another file
  std::vector<std::string> other_files;     // their FileName attributes (the first 8)
  std::vector<std::string> warnings;        // what could not be read, for every page of the file
  std::string creator;
};

// True when an ImageDescription holds OME-XML (its root element is <OME>, after any prolog).
bool looks_like_ome_xml(const std::string& description);

// The OME-XML of `file_name` (the file's name without folder: a multi-file dataset names its
// files so) holding `ifds` pages. Never throws: a block that is not well-formed XML, or has no
// <Image>, gives an OmeTiff with no images and the reason among its warnings.
OmeTiff read_ome_xml(const std::string& xml, const std::string& file_name, std::uint64_t ifds);

// What the OME-XML says of page `ifd`: "ome.*" metadata (image, Z/C/T, sizes, the page's time in
// ome.time_s with ome.time_source, how pages share a time point in ome.layout), and warnings.
struct OmePageFacts {
  std::map<std::string, std::string> metadata;
  std::vector<std::string> warnings;
  const OmeImage* image = nullptr;  // the page's image, or nullptr when the XML does not place it
};
OmePageFacts ome_page_facts(const OmeTiff& ome, std::uint64_t ifd);

}  // namespace mgscope
