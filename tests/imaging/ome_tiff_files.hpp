// Test-only OME-TIFF makers: gray pages written by libtiff with the OME-XML as the first page's
// ImageDescription, as Fiji/Bio-Formats and tifffile write them.
#pragma once
#include <tiffio.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "imaging/image.hpp"

namespace mgscope::test {

// An OME-XML block around `images` (each an <Image><Pixels ...>...</Pixels></Image> body or
// several), with Bio-Formats' prolog and warning comment and, when given, the root's UUID.
inline std::string ome_xml(const std::string& images, const std::string& uuid = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<!-- Warning: this comment is an OME-XML metadata block, which contains crucial dimensional "
         "parameters and other important metadata. -->\n"
         "<OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" Creator=\"OME Bio-Formats 6.11.1\"" +
         (uuid.empty() ? std::string() : " UUID=\"" + uuid + "\"") + ">" + images + "</OME>";
}

// One <Image> of uint16 pixels: `attributes` go into <Pixels> (sizes, order, physical sizes,
// time step), `inside` after its <Channel> (TiffData, Plane).
inline std::string ome_image(int index, const std::string& attributes, const std::string& inside = "<TiffData/>") {
  const std::string n = std::to_string(index);
  return "<Image ID=\"Image:" + n + "\" Name=\"series " + n + "\"><Pixels ID=\"Pixels:" + n +
         "\" Type=\"uint16\" BigEndian=\"false\" " + attributes + "><Channel ID=\"Channel:" + n +
         ":0\" SamplesPerPixel=\"1\"/>" + inside + "</Pixels></Image>";
}

// `pages` pages of w x h uint16 pixels (page k: value 1000 k + x + y), `description` on page 0.
inline void write_ome_tiff(const std::string& path, int pages, int w, int h, const std::string& description) {
  TIFF* tif = TIFFOpen(path.c_str(), "w");
  if (!tif) throw std::runtime_error("cannot write " + path);
  for (int k = 0; k < pages; ++k) {
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, std::uint32_t(w));
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, std::uint32_t(h));
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, std::uint16_t(16));
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, std::uint16_t(1));
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, std::uint32_t(h));
    if (k == 0) TIFFSetField(tif, TIFFTAG_IMAGEDESCRIPTION, description.c_str());
    std::vector<std::uint16_t> row(static_cast<std::size_t>(w));
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) row[std::size_t(x)] = std::uint16_t(1000 * k + x + y);
      TIFFWriteScanline(tif, row.data(), std::uint32_t(y), 0);
    }
    TIFFWriteDirectory(tif);
  }
  TIFFClose(tif);
}

// The given pages (any one gray type, as read) with `description` on page 0.
inline void write_ome_tiff(const std::string& path, const std::vector<RawImage>& pages,
                           const std::string& description) {
  TIFF* tif = TIFFOpen(path.c_str(), "w");
  if (!tif) throw std::runtime_error("cannot write " + path);
  for (std::size_t k = 0; k < pages.size(); ++k) {
    const RawImage& p = pages[k];
    const std::size_t bytes = pixel_type_bytes(p.type);
    const bool is_float = p.type == PixelType::f32 || p.type == PixelType::f64;
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, std::uint32_t(p.width));
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, std::uint32_t(p.height));
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, std::uint16_t(8 * bytes));
    TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, is_float ? SAMPLEFORMAT_IEEEFP : SAMPLEFORMAT_UINT);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, std::uint16_t(1));
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, std::uint32_t(p.height));
    if (k == 0) TIFFSetField(tif, TIFFTAG_IMAGEDESCRIPTION, description.c_str());
    const tmsize_t size = tmsize_t(p.bytes.size());
    if (TIFFWriteEncodedStrip(tif, 0, const_cast<std::uint8_t*>(p.bytes.data()), size) != size)
      throw std::runtime_error("cannot write a page of " + path);
    TIFFWriteDirectory(tif);
  }
  TIFFClose(tif);
}

}  // namespace mgscope::test
