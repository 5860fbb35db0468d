// Thin RAII layer over libhdf5's C API for the EMD readers: handles that close themselves, and
// reads whose failures become InputError naming the file and the HDF5 object path.
// Internal to mgscope_imaging (it includes hdf5.h, which the library links privately).
#pragma once
#include <hdf5.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "imaging/image.hpp"
#include "imaging/io/pixel_copy.hpp"  // number_text

namespace mgscope {

// One hid_t with the H5*close that matches its kind; move-only.
class H5Id {
 public:
  using Closer = herr_t (*)(hid_t);
  H5Id() = default;
  H5Id(hid_t id, Closer close) : id_(id), close_(close) {}
  H5Id(H5Id&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = H5I_INVALID_HID; }
  H5Id& operator=(H5Id&& o) noexcept;
  H5Id(const H5Id&) = delete;
  H5Id& operator=(const H5Id&) = delete;
  ~H5Id() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer close_ = nullptr;
};

// An HDF5 file opened read-only. Every failure names the file and the object path, plus the
// innermost message of HDF5's error stack (its automatic printing is switched off).
class Hdf5File {
 public:
  // With `keep_chunks` (a file kept open for a series' frames): every dataset opened stays open
  // with the file, with a chunk cache of one chunk (up to 1 GiB), so that the chunk a frame was
  // read from serves the next frames it holds: a stack stored as one chunk (as the Velox example
  // in shared/data is) is then read once, not once per frame, in memory of one chunk.
  explicit Hdf5File(const std::string& path, bool keep_chunks = false);

  const std::string& path() const { return path_; }
  hid_t id() const { return file_.get(); }
  std::uintmax_t file_bytes() const { return file_bytes_; }

  [[noreturn]] void fail(const std::string& object, const std::string& what) const;

  // True when every link along `object` ("/a/b/c") exists; never throws.
  bool exists(const std::string& object) const;
  bool is_group(const std::string& object) const;
  bool is_dataset(const std::string& object) const;
  H5Id open_group(const std::string& object) const;
  H5Id open_dataset(const std::string& object) const;
  // Names of the links directly under a group, in name order.
  std::vector<std::string> children(const std::string& group) const;
  // Paths ("/a/b") of every group below the root, in name order, each visited once.
  std::vector<std::string> all_groups() const;

 private:
  std::string path_;
  std::uintmax_t file_bytes_ = 0;
  H5Id file_;
  bool keep_chunks_ = false;
  mutable std::map<std::string, H5Id> kept_datasets_;  // by path; closed before the file (declared after it)
};

// Frees the strings libhdf5 allocated for a variable-length read (H5Treclaim since 1.12).
void reclaim_strings(hid_t type, hid_t space, void* buf);

// Attributes of an open object (`object` names it in errors).
std::vector<std::string> attribute_names(const Hdf5File& f, hid_t obj, const std::string& object);
// The value as text: strings (fixed or variable length, NUL padding removed), numbers printed
// with 10 significant digits, small arrays joined with ", ". Empty optional when absent or of
// a type that has no sensible text (compound, reference, more than 16 elements).
std::optional<std::string> attribute_text(const Hdf5File& f, hid_t obj, const std::string& object,
                                          const std::string& name);
// A scalar number, also from a string holding one ("0" in HyperSpy-written version attributes).
std::optional<double> attribute_number(const Hdf5File& f, hid_t obj, const std::string& object,
                                       const std::string& name);

// Shape of a dataset, slowest axis first (C order).
std::vector<hsize_t> dataset_shape(const Hdf5File& f, hid_t dset, const std::string& object);
// A short 1-D numeric dataset (a coordinate vector) as doubles; refuses more than `max_values`.
std::vector<double> read_vector(const Hdf5File& f, hid_t dset, const std::string& object,
                                std::size_t max_values);
// A 1-D column of a 2-D uint8 dataset: all rows at column `col` (Velox per-frame metadata).
std::string read_byte_column(const Hdf5File& f, hid_t dset, const std::string& object, hsize_t col,
                             std::size_t max_bytes);

// One 2-D plane of a rank-2 or rank-3 numeric dataset in its native pixel type.
// `frame_axis` (0..2, rank 3 only) is held at index `frame`; the two other axes, in C order,
// become rows (y) and columns (x). Refuses non-numeric types, more than 2^31 pixels per plane,
// and planes larger than the file's bytes can justify, before allocating. With a `sink`, the pixels
// go to it a band of whole chunk rows (about 8 MiB) at a time, and the RawImage returned holds the
// shape and type alone.
RawImage read_plane(const Hdf5File& f, hid_t dset, const std::string& object, int frame_axis,
                    hsize_t frame, std::vector<std::string>& warnings, PixelRowSink* sink = nullptr);

}  // namespace mgscope
