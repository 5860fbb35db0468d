// mgscope.read_image, mgscope.hrtem, mgscope.hrtem_combined: the HRTEM chain from Python, through
// the same read -> calibrate -> analyse -> format steps as `mgscope hrtem`.
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "fitting/base/error.hpp"
#include "fitting/base/length_units.hpp"
#include "imaging/calibrate.hpp"
#include "imaging/hrtem_analysis.hpp"
#include "imaging/io/read_image.hpp"
#include "imaging/overlay.hpp"
#include "pipelines/hrtem_image_run.hpp"
#include "pipelines/hrtem_outputs.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/python/py_convert.hpp"
#include "pipelines/python/py_hrtem_keywords.hpp"
#include "pipelines/python/py_modules.hpp"
#include "pipelines/python/py_spot_calibration.hpp"

namespace mgscope::py {

namespace {

using namespace pybind11::literals;

pyb::dict calibration_dict(const Calibration& c) {
  return pyb::dict("calibrated"_a = c.calibrated, "pixel_x_nm"_a = c.pixel_x_nm,
                   "pixel_y_nm"_a = c.pixel_y_nm, "origin_x_nm"_a = c.origin_x_nm,
                   "origin_y_nm"_a = c.origin_y_nm, "source"_a = c.source);
}

// The native pixels as a numpy array that views the reader's buffer: the buffer is handed to a
// capsule that frees it with the last array referring to it.
pyb::array pixels_view(RawImage raw) {
  auto* owned = new RawImage(std::move(raw));
  pyb::capsule owner(owned, [](void* p) { delete static_cast<RawImage*>(p); });
  const pyb::ssize_t item = pyb::ssize_t(pixel_type_bytes(owned->type));
  return pyb::array(pixel_dtype(owned->type),
                    {pyb::ssize_t(owned->height), pyb::ssize_t(owned->width)},
                    {item * owned->width, item}, owned->bytes.data(), owner);
}

// The readers' frame index. Taken as int64 so that a frame past int (10**12) gets this message, not
// pybind11's TypeError listing the signature.
int frame_index(std::int64_t frame) {
  if (frame < 0 || frame > std::numeric_limits<int>::max())
    throw std::invalid_argument("frame must be between 0 and 2^31-1 (frames count from 0), got " +
                                std::to_string(frame));
  return int(frame);
}

pyb::dict read_image_py(const pyb::object& path_like, std::int64_t frame_number) {
  const int frame = frame_index(frame_number);
  const std::string path = path_text(path_like, "path");
  LoadedImage img;
  {
    pyb::gil_scoped_release release;
    ReadOptions options;
    options.frame = frame;
    img = read_image(path, options);
  }
  const ImageInfo& i = img.info;
  pyb::dict out("path"_a = i.path, "format"_a = i.format, "width_px"_a = i.width,
                "height_px"_a = i.height, "frames"_a = i.frames, "frame"_a = i.frame,
                "pixel_type"_a = pixel_type_name(i.pixel_type),
                "calibration"_a = calibration_dict(i.calibration),
                "metadata"_a = pyb::cast(i.metadata), "warnings"_a = pyb::cast(i.warnings));
  out["pixels"] = pixels_view(std::move(img.raw));
  return out;
}

// What the analysis needs from the caller's object: native pixels and the reader's account.
struct ImageInput {
  RawImage raw;
  ImageInfo info;
  bool from_file = false;  // read here, exactly as the CLI reads
};

// A HyperSpy Signal2D, duck-typed: .data and .axes_manager.signal_axes with .scale/.units/.offset
// (HyperSpy lists the signal axes x first, the array holds them y first).
void take_signal_axes(const pyb::handle& signal, ImageInfo& info) {
  const pyb::object axes = signal.attr("axes_manager").attr("signal_axes");
  if (pyb::len(axes) != 2)
    throw InputError(info.path + ": a HyperSpy signal with " + std::to_string(pyb::len(axes)) +
                     " signal axes; pass a Signal2D (one image, e.g. s.inav[0])");
  Calibration& c = info.calibration;
  double nm[2] = {0, 0}, origin_nm[2] = {0, 0};
  std::string units[2];
  for (int k = 0; k < 2; ++k) {
    const pyb::object axis = axes[pyb::int_(k)];
    units[k] = pyb::str(axis.attr("units")).cast<std::string>();
    const std::optional<double> per_unit = nm_per_unit(units[k]);
    if (!per_unit) {
      info.warnings.push_back("HyperSpy axis " + std::to_string(k) + " has units '" + units[k] +
                              "', not a length: its scale is not used");
      return;
    }
    nm[k] = axis.attr("scale").cast<double>() * *per_unit;
    origin_nm[k] =
        pyb::hasattr(axis, "offset") ? axis.attr("offset").cast<double>() * *per_unit : 0.0;
  }
  c.calibrated = true;
  c.pixel_x_nm = nm[0];
  c.pixel_y_nm = nm[1];
  c.origin_x_nm = origin_nm[0];
  c.origin_y_nm = origin_nm[1];
  c.source = "HyperSpy axes_manager scale, units=" + units[0] +
             (units[1] != units[0] ? "/" + units[1] : "");
}

ImageInput take_image(const pyb::handle& obj, const std::optional<std::string>& name) {
  ImageInput in;
  if (looks_like_path(obj)) {
    in.from_file = true;
    in.info.path = path_text(obj, "image");
    return in;
  }
  if (pyb::isinstance<pyb::dict>(obj) && obj.contains("pixels")) {  // a read_image() result
    const pyb::dict d = pyb::reinterpret_borrow<pyb::dict>(obj);
    in.info.path = d.contains("path") ? d["path"].cast<std::string>() : "image";
    in.raw = to_raw_image(d["pixels"], in.info.path);
    if (d.contains("format")) in.info.format = d["format"].cast<std::string>();
    if (d.contains("frames")) in.info.frames = d["frames"].cast<int>();
    if (d.contains("frame")) in.info.frame = d["frame"].cast<int>();
    if (d.contains("metadata"))
      in.info.metadata = d["metadata"].cast<std::map<std::string, std::string>>();
    if (d.contains("warnings")) in.info.warnings = d["warnings"].cast<std::vector<std::string>>();
    if (d.contains("calibration")) {
      const pyb::dict c = d["calibration"].cast<pyb::dict>();
      Calibration& cal = in.info.calibration;
      cal.calibrated = c["calibrated"].cast<bool>();
      cal.pixel_x_nm = c["pixel_x_nm"].cast<double>();
      cal.pixel_y_nm = c["pixel_y_nm"].cast<double>();
      cal.origin_x_nm = c["origin_x_nm"].cast<double>();
      cal.origin_y_nm = c["origin_y_nm"].cast<double>();
      cal.source = c["source"].cast<std::string>();
    }
  } else if (pyb::hasattr(obj, "data") && pyb::hasattr(obj, "axes_manager")) {
    std::string title = "Signal2D";
    try {
      const std::string t =
          pyb::str(obj.attr("metadata").attr("General").attr("title")).cast<std::string>();
      if (!t.empty()) title = t;
    } catch (const pyb::error_already_set&) {
      // a stand-in without HyperSpy's metadata tree: keep the generic name
    }
    in.info.path = title;
    in.info.format = "HyperSpy Signal2D";
    const pyb::object data = obj.attr("data");
    if (pyb::hasattr(data, "ndim") && data.attr("ndim").cast<int>() > 2)
      throw InputError(title + ": a stack of " + pyb::str(data.attr("shape")).cast<std::string>() +
                       " pixels; pass one image, e.g. s.inav[0]");
    in.raw = to_raw_image(data, title);
    take_signal_axes(obj, in.info);
  } else {
    in.info.path = "array";
    in.info.format = "numpy";
    in.raw = to_raw_image(obj, "array");
  }
  if (name) in.info.path = *name;
  in.info.width = in.raw.width;
  in.info.height = in.raw.height;
  in.info.pixel_type = in.raw.type;
  return in;
}

// Integer columns of tiles.csv and combined.csv; every other numeric column is float64.
const std::vector<std::string> kTileCounts = {"box",   "ix",    "iy",         "x0_px",
                                              "y0_px", "pairs", "directions", "flat"};
const std::vector<std::string> kCombinedCounts = {"boxes", "amorphous", "crystal_like",
                                                  "nanocrystal"};

}  // namespace

pyb::dict hrtem_py(const pyb::object& image MGSCOPE_HRTEM_KEYWORDS(MGSCOPE_HRTEM_PARAM), std::int64_t frame_number,
                   const pyb::object& threshold_from, std::optional<std::string> name, bool pandas, bool overlay,
                   int overlay_max_px) {
  const HrtemSettings settings = hrtem_py_settings(HrtemKeywords{MGSCOPE_HRTEM_KEYWORDS(MGSCOPE_HRTEM_PASS)});
  const HrtemOptions& o = settings.options;
  const CalibrateOptions& co = settings.calibrate;
  const int frame = frame_index(frame_number);
  if (overlay && (overlay_max_px < 64 || overlay_max_px > 16384))
    throw InputError("overlay_max_px must be 64 to 16384 (px), as the command's --overlay-max-px");

  HrtemUserInputs user;
  pyb::object calibration;  // referenced here while the GIL is released
  if (!threshold_from.is_none()) {
    calibration = calibration_object(threshold_from);
    user.shared_threshold = &checked_calibration(calibration, o).shared;
  }
  ImageInput in = take_image(image, name);
  if (!in.from_file && !in.info.calibration.calibrated && !pixel_nm)
    fail_input(
        in.info.path,
        in.info.format == "HyperSpy Signal2D"
            ? "the signal axes carry no length unit (nm, A, um, pm); pass pixel_nm= (nm per pixel)"
            : "an array carries no pixel size; pass pixel_nm= (nm per pixel)");
  const HrtemAreaSettings& area_settings = settings.area;
  std::string tiles_csv, summary_json;
  HrtemResult result;
  std::vector<BlockSums> blocks;
  std::vector<std::string> notes;
  bool threshold_shared = false;
  std::optional<SpotCalibration> own_calibration;  // this image's own null calibration, for the next calls
  std::vector<std::uint8_t> overlay_png;
  {
    pyb::gil_scoped_release release;  // the read and the analysis run without the GIL
    const std::string path = in.info.path;
    if (in.from_file) {
      ReadOptions ro;
      ro.frame = frame;
      LoadedImage img = read_image(path, ro);
      in.raw = std::move(img.raw);
      in.info = std::move(img.info);
      if (name) in.info.path = *name;  // read from the path, called by the name in the outputs
    }
    StoredImage pixels = StoredImage::from_raw(std::move(in.raw), path);  // 8/16-bit pixels stay as read
    const HrtemImageRun analysed =
        analyse_hrtem_image(std::move(pixels), std::move(in.info), co, o, area_settings, user);
    result = analysed.result;
    notes = analysed.run.notes;
    if (const std::string note = frame_of_stack_note(analysed.run.file); !note.empty())
      notes.push_back(note + " (frame=K for another)");
    threshold_shared = analysed.threshold_shared;
    if (!threshold_shared && result.threshold.mode == ThresholdMode::null_model) {
      own_calibration = SpotCalibration{
          share_threshold(analysed, path, "calibrated on " + path + " and passed by threshold_from",
                          "taken from threshold_from"),
          calibration_settings(o), analysed.result.threshold.description};
    }
    tiles_csv = hrtem_tiles_csv(result, analysed.run);
    summary_json = json_text(hrtem_summary_json(result, analysed.run, o, analysed.area ? &*analysed.area : nullptr));
    if (analysed.area) blocks = analysed.area->blocks;
    if (overlay) {  // the command's overlay.png: the same drawing, and the same bytes for any threads
      overlay_png =
          render_overlay_png(analysed.image.pixels, result, analysed.overlay_options(overlay_max_px, o.threads));
    }
  }
  pyb::dict out = json_to_python(summary_json).cast<pyb::dict>();
  out["status"] = to_string(result.status);
  out["message"] = result.message;
  out["usable"] = result.usable();
  out["tiles"] = csv_to_table(tiles_csv, kTileCounts, pandas);
  // The area bootstrap's blocks (ordered, specimen pixels), so hrtem_combined pools images as
  // the command does.
  pyb::list block_list;
  for (const BlockSums& b : blocks) block_list.append(pyb::make_tuple(b.numerator, b.denominator));
  out["area_blocks"] = block_list;
  out["area_bootstrap_resamples"] = bootstrap_resamples;
  out["seed"] = seed;
  out["notes"] = notes;
  if (threshold_shared) out["spot_calibration"] = calibration;
  else if (own_calibration) out["spot_calibration"] = pyb::cast(std::move(*own_calibration));
  else out["spot_calibration"] = pyb::none();
  if (overlay) out["overlay_png"] = pyb::bytes(reinterpret_cast<const char*>(overlay_png.data()), overlay_png.size());
  return out;
}

// The CLI's combined.csv from hrtem() results: per image and pooled box counts (exact integers
// taken back from each result) formatted by the CLI's own writer.
// `call` names the function in messages. A str iterated as results ('abc') or an empty list gave
// errors of Python's about dicts and floats.
std::string hrtem_combined_csv_py(const pyb::iterable& results, const std::string& call) {
  const auto type_name = [](pyb::handle h) { return pyb::str(pyb::type::of(h).attr("__name__")).cast<std::string>(); };
  if (pyb::isinstance<pyb::str>(results) || pyb::isinstance<pyb::bytes>(results) || pyb::isinstance<pyb::dict>(results))
    throw std::invalid_argument(call + ": results is of type " + type_name(results) +
                                "; expected a list of hrtem() results (one result: [r])");
  std::vector<HrtemImageFractions> images;
  int resamples = HrtemAreaSettings{}.bootstrap_resamples;
  std::uint64_t seed = HrtemOptions{}.threshold.seed;
  double alpha = HrtemOptions{}.threshold.alpha;  // the results' own, below
  for (const pyb::handle r : results) {
    const std::string which = call + ": results[" + std::to_string(images.size()) + "]";
    if (!pyb::isinstance<pyb::dict>(r))
      throw std::invalid_argument(which + " is of type " + type_name(r) + ", not a result of mgscope.hrtem()");
    const pyb::dict d = pyb::reinterpret_borrow<pyb::dict>(r);
    if (!d.contains("input") || !d.contains("classes"))
      throw std::invalid_argument(which + ": expected a result of mgscope.hrtem()");
    HrtemRunInfo run;
    run.file.path = d["input"]["path"].cast<std::string>();
    ClassFractions f;
    for (int c = 0; c < kBoxClassCount; ++c) {
      f.box_counts[std::size_t(c)] =
          d["classes"][box_class_name(BoxClass(c))]["boxes"].cast<long>();
      f.boxes += f.box_counts[std::size_t(c)];
    }
    HrtemImageFractions row{std::move(run), f, false, 0, {}, {}, {}};
    row.warnings = d["warnings"].cast<std::vector<std::string>>();  // the summary's, as the CLI's row
    const pyb::dict ordered = d["ordered"].cast<pyb::dict>();
    if (d.contains("area_blocks") && ordered.contains("ordered_area_fraction") &&
        !ordered["ordered_area_fraction"].is_none()) {
      row.has_area = true;
      row.ordered_area_fraction = ordered["ordered_area_fraction"].cast<double>();
      const auto ci = ordered["ordered_area_fraction_95ci_block_bootstrap"].cast<std::vector<double>>();
      row.ordered_area_fraction_95 = {ci.at(0), ci.at(1)};
      for (const pyb::handle b : d["area_blocks"]) {
        const auto nd = b.cast<std::pair<double, double>>();
        row.blocks.push_back({nd.second, nd.first});
      }
      resamples = d["area_bootstrap_resamples"].cast<int>();
      seed = d["seed"].cast<std::uint64_t>();
    }
    if (d["threshold"].contains("alpha")) alpha = d["threshold"]["alpha"].cast<double>();
    images.push_back(std::move(row));
  }
  if (images.empty()) throw std::invalid_argument(call + " needs at least one hrtem() result");
  return hrtem_combined_csv(images, resamples, seed, alpha);
}

void bind_images(pyb::module_& m) {
  m.def(
      "read_image", &read_image_py, "path"_a, "frame"_a = 0,
      R"doc(Read one 2-D image of a microscope file (TIFF, DM3/DM4, TIA SER, MRC, Berkeley or Velox EMD) or of a
PNG or JPEG export (uncalibrated).

Returns a dict:
  pixels      numpy array (rows, columns) in the file's own dtype; a view of the reader's
              buffer (no copy)
  calibration {"calibrated", "pixel_x_nm", "pixel_y_nm", "origin_x_nm", "origin_y_nm",
              "source"}: nm per pixel along x (columns) and y (rows) and where it came from
  path, format, width_px, height_px, frames, frame, pixel_type, metadata (dict of str),
  warnings (list of str)

frame: image of a multi-frame file, from 0. Raises mgscope.InputError (a ValueError) naming the
file for a bad or unsupported file, with the command line's message.)doc");

  m.def("hrtem", &hrtem_py, "image"_a, pyb::kw_only(), MGSCOPE_HRTEM_KEYWORDS(MGSCOPE_HRTEM_ARG) "frame"_a = 0,
        "threshold_from"_a = pyb::none(), "name"_a = pyb::none(), "pandas"_a = true, "overlay"_a = false,
        "overlay_max_px"_a = 2048,
        R"doc(HRTEM local order: boxes of box_nm, FFT + autocorrelation per box, classes amorphous /
crystal-like / nanocrystal (the command `mgscope hrtem`, same defaults, the same numbers as the
command on this image alone: each call calibrates its own spot threshold, where a batch of the
command calibrates once, on its first image; threshold_from= does the same here).

image: a file path (read and calibrated exactly as the command line does), a read_image()
  result, a 2-D numpy array (any real dtype, any strides; bool is refused), or a HyperSpy
  Signal2D (its data, and its signal axes' scale/units/offset as the calibration: nm, A, um, pm).
pixel_nm: nm per pixel; overrides the file's or signal's calibration (--pixel-size). Required
  for a bare array.
Lengths in nm: box_nm, stride_nm (default: the box), d_min_nm, d_max_nm, acf_min_lag_nm.
frame: image of a multi-frame file. anisotropic: 'refuse' or 'resample' non-square pixels.
window: hann, hamming, tukey, none. acf: circular or linear. same_direction_deg: degrees.
threshold_mode: null, formula, fixed (spot_threshold: a fixed whitened level, implies fixed).
alpha, alpha_secondary, null_boxes, seed, nanocrystal_directions, nanocrystal_pairs,
anisotropy_min: as the command's options. threads: 0 = all cores (results do not depend on it).
area: the sliding-grid ordered area fraction (--area-stride off: False); area_stride_nm (default a
  quarter box), area_vote_share, bootstrap_resamples: as --area-stride, --area-vote-share,
  --bootstrap-resamples.
threshold_from: an earlier call's result, or its 'spot_calibration': its null calibration of
  the spot threshold is reused when this image has the same pixel size and box and a matching
  radial spectrum (as the command's batch reuses its first image's); otherwise this image
  calibrates its own and says why in 'notes' and threshold.description. The settings must be
  those it was calibrated with (ValueError naming the one that differs).
name: what the outputs call the image (default: the path, the signal's title, or 'array').
pandas: the tile table as a pandas DataFrame when pandas is importable (False: a dict of arrays).
overlay: also draw the command's overlay.png (classes framed on the contrast-stretched image, what
  was left out shaded, fractions and scale bar below), its longer side at most overlay_max_px, into
  'overlay_png' (PNG bytes; in a notebook: IPython.display.Image(r["overlay_png"])).

Returns a dict: the keys of the command's summary.json (input, calibration, metadata, boxes,
threshold, classes with fraction_95ci_wilson, ordered, nanocrystals, settings, warnings), plus
status, message, usable, notes, spot_calibration (an mgscope.SpotCalibration, None unless
threshold_mode='null'), tiles: the per-box table of tiles.csv (same columns, same
printed digits), and with overlay=True, overlay_png. The GIL is released while the file is read and analysed.)doc");

  m.def(
      "hrtem_combined_csv",
      [](const pyb::iterable& results) { return hrtem_combined_csv_py(results, "hrtem_combined_csv"); }, "results"_a,
      "The command's combined.csv text (per image and pooled fractions with Wilson intervals) "
      "for a list "
      "of hrtem() results.");
  m.def(
      "hrtem_combined",
      [](const pyb::iterable& results, bool pandas) {
        return csv_to_table(hrtem_combined_csv_py(results, "hrtem_combined"), kCombinedCounts, pandas);
      },
      "results"_a, pyb::kw_only(), "pandas"_a = true,
      "combined.csv of a list of hrtem() results as a table (a DataFrame when pandas is "
      "importable, else a dict of "
      "numpy arrays): image, box counts per class, fractions, ordered fraction and its 95 % Wilson "
      "interval; the "
      "last row 'pooled' counts all boxes of all images together.");
}

}  // namespace mgscope::py
