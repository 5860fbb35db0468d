// The parts of the OME data model that place and scale a TIFF's pages: Image/Pixels with its
// sizes, DimensionOrder, PhysicalSize and TimeIncrement, Plane@TheT/DeltaT and TiffData@IFD/
// PlaneCount/FirstZ/FirstC/FirstT with the UUID that names the file of a multi-file dataset.
#include "imaging/io/ome_xml.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include "fitting/base/text_file.hpp"
#include "imaging/io/xml_elements.hpp"

namespace mgscope {

namespace {

// OME's UnitsTime as the schema spells them (case matters: "ms" is not "Ms").
std::optional<double> seconds_per_ome_unit(const std::string& unit) {
  static const std::pair<const char*, double> units[] = {
      {"s", 1.0},   {"ms", 1e-3},  {"\xC2\xB5s", 1e-6}, {"\xCE\xBCs", 1e-6}, {"us", 1e-6},
      {"ns", 1e-9}, {"ps", 1e-12}, {"min", 60.0},       {"h", 3600.0},       {"d", 86400.0}};
  for (const auto& [name, s] : units)
    if (unit == name) return s;
  return std::nullopt;
}

const char* dimension_name(char d, bool plural) {
  switch (d) {
    case 'Z':
      return plural ? "Z planes" : "Z plane";
    case 'C':
      return plural ? "channels" : "channel";
    default:
      return plural ? "time points" : "time point";
  }
}

long size_of(const OmeImage& im, char d) { return d == 'Z' ? im.size_z : d == 'C' ? im.size_c : im.size_time; }

// A whole count of at least 1; `warnings` says when the attribute is there but is not one.
long count_attribute(const XmlElement& e, const char* key, long fallback, const std::string& where,
                     std::vector<std::string>& warnings) {
  const std::string* text = e.attribute(key);
  if (!text) return fallback;
  const auto v = strict_number(*text);
  if (!v || *v < 1 || *v != std::floor(*v) || *v > 1e9) {
    warnings.push_back("OME-XML " + where + " " + key + "=\"" + *text +
                       "\" is not a whole number of 1 or more: " + std::to_string(fallback) + " taken");
    return fallback;
  }
  return long(*v);
}

// An index attribute (IFD, FirstZ, ...): a whole number of 0 or more, else nullopt with a warning.
std::optional<long> index_attribute(const XmlElement& e, const char* key, const std::string& where,
                                    std::vector<std::string>& warnings) {
  const std::string* text = e.attribute(key);
  if (!text) return 0L;
  const auto v = strict_number(*text);
  if (!v || *v < 0 || *v != std::floor(*v) || *v > 1e12) {
    warnings.push_back("OME-XML " + where + " " + key + "=\"" + *text + "\" is not a whole number of 0 or more");
    return std::nullopt;
  }
  return long(*v);
}

std::string image_label(int index, const OmeImage& im) {
  return "Image " + std::to_string(index) + (im.id.empty() ? "" : " (" + im.id + ")");
}

// Sizes, order, physical size, time step and plane times of one <Pixels>.
OmeImage read_pixels(const XmlElement& image, const XmlElement& pixels, int index, std::vector<std::string>& warnings) {
  OmeImage im;
  if (const std::string* v = image.attribute("ID")) im.id = v->substr(0, 128);
  if (const std::string* v = image.attribute("Name")) im.name = v->substr(0, 256);
  const std::string where = image_label(index, im) + " Pixels";
  if (const std::string* v = pixels.attribute("DimensionOrder")) {
    static const std::set<std::string> orders = {"XYZCT", "XYZTC", "XYCTZ", "XYCZT", "XYTCZ", "XYTZC"};
    if (orders.count(*v))
      im.dimension_order = *v;
    else
      warnings.push_back("OME-XML " + where + " DimensionOrder=\"" + *v +
                         "\" is none of OME's six orders: XYZCT taken");
  }
  im.size_x = count_attribute(pixels, "SizeX", 0, where, warnings);
  im.size_y = count_attribute(pixels, "SizeY", 0, where, warnings);
  im.size_z = count_attribute(pixels, "SizeZ", 1, where, warnings);
  im.size_c = count_attribute(pixels, "SizeC", 1, where, warnings);
  im.size_time = count_attribute(pixels, "SizeT", 1, where, warnings);
  if (const std::string* v = pixels.attribute("PhysicalSizeX")) im.physical_x = *v;
  if (const std::string* v = pixels.attribute("PhysicalSizeY")) im.physical_y = *v;
  if (const std::string* v = pixels.attribute("PhysicalSizeXUnit")) im.unit_x = *v;
  if (const std::string* v = pixels.attribute("PhysicalSizeYUnit")) im.unit_y = *v;

  // A time written in a unit that is not a time, or not as a number, is named and left out: a
  // series then falls back to what else it has, never to a wrong scale.
  auto seconds = [&](const XmlElement& e, const char* key, const char* unit_key, const std::string& at) {
    const std::string* text = e.attribute(key);
    if (!text) return std::optional<double>();
    const std::string* unit_text = e.attribute(unit_key);
    const std::string unit = unit_text ? *unit_text : "s";
    const auto value = strict_number(*text);
    const auto factor = seconds_per_ome_unit(unit);
    if (!value || !factor) {
      warnings.push_back("OME-XML " + at + " " + key + "=\"" + *text + "\"" +
                         (unit_text ? std::string(" ") + unit_key + "=\"" + unit + "\"" : std::string()) +
                         (value ? " is not in a time unit" : " is not a number") + ": not used");
      return std::optional<double>();
    }
    return std::optional<double>(*value * *factor);
  };
  if (const auto dt = seconds(pixels, "TimeIncrement", "TimeIncrementUnit", where)) {
    if (*dt > 0)
      im.time_increment_s = dt;
    else
      warnings.push_back("OME-XML " + where + " TimeIncrement is " + number_text(*dt, 10) + " s, not a step: not used");
  }
  for (const XmlElement* plane : pixels.all("Plane")) {
    const auto t = index_attribute(*plane, "TheT", where + " Plane", warnings);
    if (!t) continue;
    const auto at = seconds(*plane, "DeltaT", "DeltaTUnit", where + " Plane TheT=" + std::to_string(*t));
    if (!at) continue;
    auto [it, fresh] = im.time_point_s.emplace(*t, *at);
    if (!fresh) it->second = std::min(it->second, *at);  // a time point starts with its first plane
  }
  for (const auto& [t, s] : im.time_point_s) im.time_points_with_delta_t += t < im.size_time;
  return im;
}

// The plane index of (z, c, t) in DimensionOrder rasterisation, and back.
long plane_index(const OmeImage& im, const OmePlace& p) {
  long index = 0, stride = 1;
  for (int k = 2; k < 5; ++k) {
    const char d = im.dimension_order[std::size_t(k)];
    index += stride * (d == 'Z' ? p.z : d == 'C' ? p.c : p.t);
    stride *= size_of(im, d);
  }
  return index;
}
OmePlace place_of(const OmeImage& im, int image, long index) {
  OmePlace p;
  p.image = image;
  for (int k = 2; k < 5; ++k) {
    const char d = im.dimension_order[std::size_t(k)];
    const long n = size_of(im, d);
    (d == 'Z' ? p.z : d == 'C' ? p.c : p.t) = index % n;
    index /= n;
  }
  return p;
}

struct Reading {
  OmeTiff out;
  std::string file_name, own_uuid;
  std::uint64_t ifds = 0;
  bool warned_past_end = false, warned_twice = false;
};

// Whether a TiffData's planes lie in this file: its UUID child names this file's UUID, or (no
// UUID to compare) this file's name; a TiffData without a UUID child is this file's.
bool in_this_file(const XmlElement& tiff_data, const Reading& r, std::string& other_name) {
  const XmlElement* uuid = tiff_data.first("UUID");
  if (!uuid) return true;
  const std::string id = trim(uuid->text);
  const std::string* name = uuid->attribute("FileName");
  other_name = name ? *name : id;
  if (!id.empty() && !r.own_uuid.empty()) return id == r.own_uuid;
  return name && *name == r.file_name;
}

void place_tiff_data(const XmlElement& td, const OmeImage& im, int image, Reading& r, bool only_one) {
  const std::string where = image_label(image, im) + " TiffData";
  const auto ifd = index_attribute(td, "IFD", where, r.out.warnings);
  const auto z = index_attribute(td, "FirstZ", where, r.out.warnings);
  const auto c = index_attribute(td, "FirstC", where, r.out.warnings);
  const auto t = index_attribute(td, "FirstT", where, r.out.warnings);
  if (!ifd || !z || !c || !t) return;
  const long planes = im.size_z * im.size_c * im.size_time;
  // PlaneCount's default: 1 when an IFD is named, else every IFD of the file.
  const long fallback = td.attribute("IFD") ? 1 : long(std::min<std::uint64_t>(r.ifds, std::uint64_t(planes)));
  const long count = count_attribute(td, "PlaneCount", std::max(1L, fallback), where, r.out.warnings);
  if (*z >= im.size_z || *c >= im.size_c || *t >= im.size_time) {
    r.out.warnings.push_back("OME-XML " + where + " FirstZ/FirstC/FirstT " + std::to_string(*z) + "/" +
                             std::to_string(*c) + "/" + std::to_string(*t) + " lie outside SizeZ/SizeC/SizeT " +
                             std::to_string(im.size_z) + "/" + std::to_string(im.size_c) + "/" +
                             std::to_string(im.size_time) + ": its planes are not placed");
    return;
  }
  std::string other;
  if (!in_this_file(td, r, other)) {
    r.out.planes_in_other_files += count;
    if (r.out.other_files.size() < 8 &&
        std::find(r.out.other_files.begin(), r.out.other_files.end(), other) == r.out.other_files.end())
      r.out.other_files.push_back(other);
    return;
  }
  const long start = plane_index(im, {image, *z, *c, *t});
  for (long k = 0; k < count && start + k < planes; ++k) {
    const std::uint64_t page = std::uint64_t(*ifd) + std::uint64_t(k);
    if (page >= r.ifds) {
      if (!r.warned_past_end)
        r.out.warnings.push_back("OME-XML " + where + " places a plane at IFD " + std::to_string(page) +
                                 " but the file has " + std::to_string(r.ifds) +
                                 " page(s): the planes past its end are missing");
      r.warned_past_end = true;
      break;
    }
    const auto [it, fresh] = r.out.pages.emplace(page, place_of(im, image, start + k));
    if (!fresh && !r.warned_twice && !only_one) {
      r.out.warnings.push_back("OME-XML places page " + std::to_string(page) + " twice (in Image " +
                               std::to_string(it->second.image) + " and Image " + std::to_string(image) +
                               "): the first place is kept");
      r.warned_twice = true;
    }
  }
}

}  // namespace

long OmeImage::pages_per_time_step() const {
  long step = 1;
  for (std::size_t k = 2; k < dimension_order.size() && dimension_order[k] != 'T'; ++k)
    step *= size_of(*this, dimension_order[k]);
  return step;
}

bool looks_like_ome_xml(const std::string& description) {
  std::size_t at = 0;
  // Skip the prolog and comments (Bio-Formats writes a warning comment before <OME>).
  for (;;) {
    at = description.find('<', at);
    if (at == std::string::npos) return false;
    if (description.compare(at, 2, "<?") == 0 || description.compare(at, 4, "<!--") == 0) {
      const std::size_t end = description.find(description.compare(at, 2, "<?") == 0 ? "?>" : "-->", at + 2);
      if (end == std::string::npos) return false;
      at = end;
      continue;
    }
    break;
  }
  std::size_t name_end = at + 1;
  while (name_end < description.size() && description[name_end] != ' ' && description[name_end] != '>' &&
         description[name_end] != '\n' && description[name_end] != '\t' && description[name_end] != '\r')
    ++name_end;
  const std::string name = description.substr(at + 1, name_end - at - 1);
  return name == "OME" || (name.size() > 4 && name.compare(name.size() - 4, 4, ":OME") == 0);
}

OmeTiff read_ome_xml(const std::string& xml, const std::string& file_name, std::uint64_t ifds) {
  Reading r;
  r.file_name = file_name;
  r.ifds = ifds;
  const XmlDocument doc = parse_xml(xml);
  if (!doc.root) {
    r.out.warnings.push_back("the OME-XML in the first page's ImageDescription is not well-formed XML (" + doc.error +
                             "): its pixel size, planes and times are not read");
    return r.out;
  }
  const XmlElement& ome = *doc.root;
  if (const std::string* v = ome.attribute("Creator")) r.out.creator = v->substr(0, 256);
  if (const std::string* v = ome.attribute("UUID")) r.own_uuid = trim(*v);
  if (const XmlElement* binary_only = ome.first("BinaryOnly")) {
    const std::string* companion = binary_only->attribute("MetadataFile");
    r.out.warnings.push_back("the OME-XML is a BinaryOnly block: this file's metadata is in the companion file '" +
                             (companion ? *companion : std::string("?")) +
                             "', which mgscope does not read: no OME pixel size, planes or times");
    return r.out;
  }
  const std::vector<const XmlElement*> images = ome.all("Image");
  if (images.empty()) {
    r.out.warnings.push_back("the OME-XML holds no <Image>: no OME pixel size, planes or times");
    return r.out;
  }
  for (std::size_t i = 0; i < images.size(); ++i) {
    const XmlElement* pixels = images[i]->first("Pixels");
    if (!pixels) {
      r.out.warnings.push_back("OME-XML Image " + std::to_string(i) + " has no <Pixels>: its planes are not placed");
      r.out.images.emplace_back();
      continue;
    }
    r.out.images.push_back(read_pixels(*images[i], *pixels, int(i), r.out.warnings));
    const OmeImage& im = r.out.images.back();
    const std::vector<const XmlElement*> tiff_data = pixels->all("TiffData");
    if (tiff_data.empty() && images.size() == 1) {
      // No TiffData: the file's pages in DimensionOrder from IFD 0, as an empty <TiffData/>.
      place_tiff_data(XmlElement{"TiffData", {}, {}, {}}, im, int(i), r, true);
    }
    for (const XmlElement* td : tiff_data) place_tiff_data(*td, im, int(i), r, false);
  }
  return r.out;
}

OmePageFacts ome_page_facts(const OmeTiff& ome, std::uint64_t ifd) {
  OmePageFacts f;
  f.warnings = ome.warnings;
  auto& m = f.metadata;
  if (!ome.creator.empty()) m["ome.creator"] = ome.creator;
  if (ome.images.empty()) return f;
  m["ome.images"] = std::to_string(ome.images.size());
  if (ome.planes_in_other_files > 0) {
    std::string names;
    for (std::size_t i = 0; i < ome.other_files.size(); ++i) names += (i ? ", " : "") + ome.other_files[i];
    const std::string text = std::to_string(ome.planes_in_other_files) +
                             " plane(s) of the OME dataset lie in other files (" + names +
                             (ome.other_files.size() >= 8 ? ", ..." : "") + ")";
    m["ome.other_files"] = text;
    f.warnings.push_back(text +
                         ", which mgscope does not open with this one: give them as inputs of their own; "
                         "this file's pages keep their Z, C and T in the dataset");
  }
  const auto it = ome.pages.find(ifd);
  if (it == ome.pages.end()) {
    m["ome.page"] = "not placed by the OME-XML";
    f.warnings.push_back("page " + std::to_string(ifd) +
                         " is not among the planes the OME-XML places in this file: "
                         "read without its OME pixel size or time");
    return f;
  }
  const OmePlace& p = it->second;
  const OmeImage& im = ome.images[std::size_t(p.image)];
  f.image = &im;
  m["ome.image"] = std::to_string(p.image) + (im.name.empty() ? "" : " (" + im.name + ")");
  m["ome.dimension_order"] = im.dimension_order;
  m["ome.sizes"] = "X " + std::to_string(im.size_x) + ", Y " + std::to_string(im.size_y) + ", Z " +
                   std::to_string(im.size_z) + ", C " + std::to_string(im.size_c) + ", T " +
                   std::to_string(im.size_time);
  m["ome.plane"] = "Z " + std::to_string(p.z) + ", C " + std::to_string(p.c) + ", T " + std::to_string(p.t);
  if (im.physical_x) m["ome.physical_size_x"] = *im.physical_x + " " + im.unit_x;
  if (im.physical_y) m["ome.physical_size_y"] = *im.physical_y + " " + im.unit_y;
  if (im.time_increment_s) m["ome.time_increment_s"] = number_text(*im.time_increment_s, 10);

  // One clock for every page of the image (a series takes a point's time from the first point's
  // source only): DeltaT when every time point has one, else TimeIncrement x T, else the DeltaT
  // of the time points that have one.
  const bool every_delta_t = im.time_points_with_delta_t == im.size_time;
  if (every_delta_t || (!im.time_increment_s && im.time_point_s.count(p.t))) {
    m["ome.time_s"] = number_text(im.time_point_s.at(p.t), 12);
    m["ome.time_source"] = "OME-XML Plane DeltaT";
  } else if (im.time_increment_s) {
    m["ome.time_s"] = number_text(double(p.t) * *im.time_increment_s, 12);
    m["ome.time_source"] = "OME-XML Pixels TimeIncrement x TheT";
    if (im.time_points_with_delta_t > 0)
      f.warnings.push_back("OME-XML Plane DeltaT is given for " + std::to_string(im.time_points_with_delta_t) + " of " +
                           std::to_string(im.size_time) + " time points: TimeIncrement x TheT used for all");
  }
  const long per_time = im.size_z * im.size_c;
  if (per_time > 1) {
    const long step = im.pages_per_time_step();
    char inner = 'Z';  // the fastest of Z and C that has more than one
    for (const char d : im.dimension_order.substr(2))
      if (d != 'T' && size_of(im, d) > 1) {
        inner = d;
        break;
      }
    std::string what;
    for (const char d : im.dimension_order.substr(2))
      if (d != 'T' && size_of(im, d) > 1)
        what += std::to_string(size_of(im, d)) + " " + dimension_name(d, true) + " x ";
    const std::string block_end = std::to_string(step * im.size_time - 1);
    m["ome.layout"] =
        "the file is an OME-TIFF of " + what + std::to_string(im.size_time) + " " +
        dimension_name('T', im.size_time != 1) + " (DimensionOrder " + im.dimension_order + "), " +
        (step > 1 ? "a time point every " + std::to_string(step) + " pages (--frames 0:" + block_end + ":" +
                        std::to_string(step) + " reads the first " + dimension_name(inner, false) + " of each)"
                  : "the time points of one " + std::string(dimension_name(inner, false)) +
                        " on consecutive pages (--frames 0:" + block_end + " reads those of the first)");
  }
  return f;
}

}  // namespace mgscope
