// Dispatch to the per-format readers. Each reader owns its detection rule (looks_like_*), so the
// rule that picks a reader is the one `mgscope init` uses to recognise a micrograph.
#include "imaging/io/read_image.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "fitting/base/error.hpp"
#include "fitting/base/input_file.hpp"
#include "imaging/io/dm_reader.hpp"
#include "imaging/io/emd_reader.hpp"
#include "imaging/io/jpeg_reader.hpp"
#include "imaging/io/mrc_reader.hpp"
#include "imaging/io/png_reader.hpp"
#include "imaging/io/ser_reader.hpp"
#include "imaging/io/tiff_reader.hpp"

namespace mgscope {

const char* file_format_name(FileFormat f) {
  switch (f) {
    case FileFormat::tiff: return "TIFF";
    case FileFormat::dm3: return "DM3";
    case FileFormat::dm4: return "DM4";
    case FileFormat::ser: return "SER";
    case FileFormat::mrc: return "MRC";
    case FileFormat::hdf5: return "HDF5";
    case FileFormat::png: return "PNG";
    case FileFormat::jpeg: return "JPEG";
    case FileFormat::unknown: break;
  }
  return "unknown";
}

FileFormat detect_format(const unsigned char* head, std::size_t n) {
  // Formats with a magic word at byte 0 first; MRC, which has none there, last (a big-endian MRC
  // of width 3 or 4 would otherwise pass for DM).
  if (looks_like_tiff(head, n)) return FileFormat::tiff;
  if (looks_like_emd(head, n)) return FileFormat::hdf5;
  if (looks_like_ser(head, n)) return FileFormat::ser;
  if (looks_like_dm3(head, n)) return FileFormat::dm3;
  if (looks_like_dm4(head, n)) return FileFormat::dm4;
  if (looks_like_png(head, n)) return FileFormat::png;
  if (looks_like_jpeg(head, n)) return FileFormat::jpeg;
  if (looks_like_mrc(head, n)) return FileFormat::mrc;
  return FileFormat::unknown;
}

FileFormat detect_format(const std::string& path) {
  require_regular_file(path);  // before opening: opening a FIFO blocks, a device never ends
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_open(path);
  std::array<unsigned char, kImageHeadBytes> h{};
  in.read(reinterpret_cast<char*>(h.data()), h.size());
  const std::streamsize n = in.gcount();
  if (n == 0) fail_input(path, "file is empty");
  return detect_format(h.data(), std::size_t(n));
}

namespace {

bool is_tia_emi_name(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".emi";
}

// TIA writes a session as NAME.emi (the settings) and NAME_1.ser, NAME_2.ser... (the data): users
// often give the .emi, the file TIA opens.
std::string tia_emi_advice(const std::string& path) {
  const std::vector<std::string> sers = ser_paths_for_emi(path);
  std::string text = "a TIA .emi file holds the microscope settings of its .ser files, not their pixels: ";
  if (sers.empty())
    return text + "no " + std::filesystem::path(path).stem().string() + "_1.ser is beside it; give the .ser file";
  text += "give " + std::filesystem::path(sers[0]).filename().string();
  if (sers.size() > 1) text += " (or another of the " + std::to_string(sers.size()) + " .ser files beside it)";
  return text + " instead; its settings are read from the .emi";
}

LoadedImage read_by_format(const std::string& path, const ReadOptions& options) {
  const FileFormat f = detect_format(path);
  switch (f) {
    case FileFormat::tiff: return read_tiff(path, options);
    case FileFormat::dm3:
    case FileFormat::dm4: return read_dm(path, options);
    case FileFormat::ser: return read_ser(path, options);
    case FileFormat::mrc: return read_mrc(path, options);
    case FileFormat::hdf5: return read_emd(path, options);
    case FileFormat::png: return read_png(path, options);
    case FileFormat::jpeg: return read_jpeg(path, options);
    case FileFormat::unknown: break;
  }
  if (is_tia_emi_name(path)) fail_input(path, tia_emi_advice(path));
  fail_input(path, "not a supported image format (TIFF, DM3/DM4, TIA SER, MRC, EMD, PNG or JPEG expected)");
}

}  // namespace

void set_aside_implausible_calibration(ImageInfo& info) {
  Calibration& c = info.calibration;
  if (!c.calibrated) return;
  for (const auto& [axis, nm] : {std::pair{"x", c.pixel_x_nm}, std::pair{"y", c.pixel_y_nm}}) {
    if (std::isfinite(nm) && nm >= kMinPixelSizeNm && nm <= kMaxPixelSizeNm) continue;
    std::ostringstream m;
    m << "the calibration (" << c.source << ") gives a pixel size along " << axis << " of " << nm
      << " nm, outside the plausible 1 pm to 1 mm (rule of docs/readers.md): it is corrupt and not used";
    Calibration none;
    none.set_aside = m.str();
    c = none;
    info.warnings.push_back(m.str());
    return;
  }
}

LoadedImage read_image(const std::string& path, const ReadOptions& options) {
  LoadedImage image = read_by_format(path, options);
  set_aside_implausible_calibration(image.info);
  return image;
}

}  // namespace mgscope
