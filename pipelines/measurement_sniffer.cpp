// No format rule of its own: every test below is a reader's looks_like_* check (the rule that
// reader's dispatcher uses), asked in an order that keeps them apart; this file only maps what
// they say to a module and a manifest role.
#include "pipelines/measurement_sniffer.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "fitting/base/text_file.hpp"
#include "fitting/io/dsc_readers.hpp"
#include "fitting/io/indent_readers.hpp"
#include "imaging/io/read_image.hpp"
#include "magnetics/io/qd_reader.hpp"

namespace mgscope {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

// Indentation curves serve both creep and hardness; the file or folder name can tell which.
SniffedFile indentation(const std::string& path, IndentFormat format) {
  const std::string kind = indent_format_name(format);
  const std::string p = lower(path);
  if (contains(p, "creep")) return {{"creep"}, "files", kind};
  if (contains(p, "hard") || contains(p, "indent") || contains(p, "grid") || contains(p, "map"))
    return {{"hardness"}, "files", kind};
  return {{"creep", "hardness"}, "files", kind + " (creep or hardness: check)"};
}

// Every zip starts with the same magic: a Word document or a zip of notes had been filed as
// NanoTest data, and `mgscope sample` then failed on it. Indentation only when a member is an export.
SniffedFile zip_archive(const std::string& path) {
  const NanotestZipContents zip = survey_nanotest_zip(path);
  if (zip.holds_export) return indentation(path, IndentFormat::nanotest_zip);
  if (zip.members == 0) return {{}, "", "a zip holding no files"};
  // Office Open XML (docx, xlsx, pptx) and OpenDocument files are zips with these members.
  const bool office = std::any_of(zip.names.begin(), zip.names.end(),
                                  [](const std::string& n) { return n == "[Content_Types].xml" || n == "mimetype"; });
  return {{},
          "",
          "a zip with no indentation export among its " + std::to_string(zip.members) + " member" +
              (zip.members == 1 ? "" : "s") + (office ? " (a Word/Office document?)" : "")};
}

// A Quantum Design file sweeps the field (M(H) isotherms) or the temperature (M(T)): read it
// with the reader itself and look at the field column it picked.
SniffedFile quantum_design(const std::string& path) {
  const QdData d = read_qd_file(path);
  double lo = INFINITY, hi = -INFINITY;
  for (double h : d.field_Oe) {
    if (!std::isfinite(h)) continue;
    lo = std::min(lo, h);
    hi = std::max(hi, h);
  }
  if (!(hi >= lo)) return {{}, "", "Quantum Design file without field values"};
  // M(T) runs hold the field; isotherms sweep it over thousands of oersted.
  if (hi - lo > 1000) return {{"mce"}, "mh", "Quantum Design M(H) isotherms"};
  return {{"mce"}, "mt", "Quantum Design M(T)"};
}

}  // namespace

SniffedFile sniff_measurement_file(const std::string& path) {
  namespace fs = std::filesystem;
  const std::string name = lower(fs::path(path).filename().string());
  try {
    const std::string head = read_file_head(path);
    if (head.empty()) return {{}, "", "empty file"};
    const auto* bytes = reinterpret_cast<const unsigned char*>(head.data());
    if (const FileFormat image = detect_format(bytes, head.size()); image != FileFormat::unknown) {
      // A PNG or JPEG in a sample's folder is far more often a figure (ours, or a plot, a photo)
      // than a micrograph, and carries no calibration: given by hand (`mgscope hrtem x.png
      // --pixel-size ...`).
      if (image == FileFormat::png || image == FileFormat::jpeg)
        return {{},
                "",
                std::string("a ") + file_format_name(image) + " picture (not taken as a micrograph: give it by hand)"};
      if (contains(name, "label") || contains(name, "mask"))
        return {{}, "", "an image that looks like a label/mask (not an HRTEM micrograph)"};
      return {{"hrtem"}, "files", "image"};
    }
    if (looks_like_nanotest_zip(bytes, head.size())) return zip_archive(path);
    if (head.find('\0') != std::string::npos && !starts_with_utf16_bom(head))
      return {{}, "", "binary file of unknown format"};
    const std::vector<std::string> lines = decode_text_head(path, head).lines;
    if (looks_like_qd(lines)) return quantum_design(path);
    if (looks_like_ta_universal_dsc(lines)) return {{"dsc"}, "files", to_string(DscFormat::TaUniversal)};
    if (looks_like_netzsch_dsc(lines)) return {{"dsc"}, "files", to_string(DscFormat::Netzsch)};
    if (looks_like_triboscan(lines)) return indentation(path, IndentFormat::triboscan);
    if (looks_like_indent_positions(lines)) return {{"hardness"}, "positions", "indent positions"};
    if (looks_like_indent_csv(lines)) return indentation(path, IndentFormat::csv);
    if (looks_like_dsc_csv(lines)) return {{"dsc"}, "files", std::string("DSC ") + to_string(DscFormat::GenericCsv)};
    if (looks_like_nanotest_txt(lines)) return indentation(path, IndentFormat::nanotest_txt);
    const bool blank = std::all_of(lines.begin(), lines.end(), [](const std::string& l) {
      const std::string t = trim(l);
      return t.empty() || t[0] == '#';
    });
    return {{}, "", blank ? "empty text file" : "text file of unknown layout"};
  } catch (const std::exception& e) {
    return {{}, "", std::string("unreadable: ") + e.what()};
  }
}

}  // namespace mgscope
