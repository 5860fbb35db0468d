// HDF5 access for the EMD readers. Only calls whose signatures are the same in libhdf5 1.10 and
// 1.12+ (no H5Ovisit/H5Oget_info, whose structs changed), so a newer libhdf5 still builds.
#include "imaging/io/hdf5_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <system_error>

#include "fitting/base/error.hpp"

namespace mgscope {

void reclaim_strings(hid_t type, hid_t space, void* buf) {
#if H5_VERSION_GE(1, 12, 0)
  H5Treclaim(type, space, H5P_DEFAULT, buf);
#else
  H5Dvlen_reclaim(type, space, H5P_DEFAULT, buf);
#endif
}

H5Id& H5Id::operator=(H5Id&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    close_ = o.close_;
    o.id_ = H5I_INVALID_HID;
  }
  return *this;
}

void H5Id::reset() {
  if (id_ >= 0 && close_) close_(id_);
  id_ = H5I_INVALID_HID;
}

namespace {

// The most specific message on HDF5's error stack ("truncated file: eof = ..."), then clears it.
std::string hdf5_error_detail() {
  std::string msg;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* e, void* data) -> herr_t {
        if (n == 0 && e->desc) *static_cast<std::string*>(data) = e->desc;
        return 0;
      },
      &msg);
  H5Eclear2(H5E_DEFAULT);
  return msg;
}

std::vector<std::string> split_path(const std::string& object) {
  std::vector<std::string> parts;
  std::size_t a = 0;
  while (a < object.size()) {
    const std::size_t b = std::min(object.find('/', a), object.size());
    if (b > a) parts.push_back(object.substr(a, b - a));
    a = b + 1;
  }
  return parts;
}

std::string strip_padding(std::string s) {
  const std::size_t nul = s.find('\0');
  if (nul != std::string::npos) s.resize(nul);
  while (!s.empty() && s.back() == ' ') s.pop_back();  // H5T_STR_SPACEPAD
  return s;
}

}  // namespace

Hdf5File::Hdf5File(const std::string& path, bool keep_chunks) : path_(path), keep_chunks_(keep_chunks) {
  // In a thread-safe libhdf5 the automatic error printing is per thread: switch it off here.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  std::error_code ec;
  file_bytes_ = std::filesystem::file_size(path, ec);
  if (ec) fail_input(path, "cannot read file size: " + ec.message());
  // A file kept open for a series takes no lock: libhdf5's shared lock would keep a writer out
  // of it for as long as the series runs (a rewrite is seen by its size and time, emd_read.cpp).
  const H5Id access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  if (keep_chunks && access.valid()) H5Pset_file_locking(access.get(), false, true);
  file_ = H5Id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, keep_chunks && access.valid() ? access.get() : H5P_DEFAULT),
               H5Fclose);
  if (!file_.valid()) {
    const std::string detail = hdf5_error_detail();
    fail_input(path, "cannot open as HDF5" + (detail.empty() ? std::string() : " (HDF5: " + detail + ")") +
                         "; the file may be truncated or damaged");
  }
}

void Hdf5File::fail(const std::string& object, const std::string& what) const {
  const std::string detail = hdf5_error_detail();
  fail_input(path_, "HDF5 object '" + object + "': " + what + (detail.empty() ? "" : " (HDF5: " + detail + ")"));
}

bool Hdf5File::exists(const std::string& object) const {
  std::string prefix;
  for (const std::string& part : split_path(object)) {
    prefix += "/" + part;
    if (H5Lexists(id(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    // External links would open other files: a file names only its own objects here.
    H5L_info_t info;
    if (H5Lget_info(id(), prefix.c_str(), &info, H5P_DEFAULT) < 0 || info.type == H5L_TYPE_EXTERNAL) {
      H5Eclear2(H5E_DEFAULT);
      return false;
    }
  }
  H5Eclear2(H5E_DEFAULT);
  return true;
}

namespace {
H5I_type_t object_kind(const Hdf5File& f, const std::string& object) {
  if (!f.exists(object)) return H5I_BADID;
  const H5Id o(H5Oopen(f.id(), object.c_str(), H5P_DEFAULT), H5Oclose);
  const H5I_type_t t = o.valid() ? H5Iget_type(o.get()) : H5I_BADID;
  H5Eclear2(H5E_DEFAULT);
  return t;
}
}  // namespace

bool Hdf5File::is_group(const std::string& object) const { return object_kind(*this, object) == H5I_GROUP; }
bool Hdf5File::is_dataset(const std::string& object) const { return object_kind(*this, object) == H5I_DATASET; }

H5Id Hdf5File::open_group(const std::string& object) const {
  if (!exists(object)) fail(object, "group is missing");
  H5Id g(H5Gopen2(id(), object.c_str(), H5P_DEFAULT), H5Gclose);
  if (!g.valid()) fail(object, "cannot open as a group");
  return g;
}

namespace {

// How a dataset's values are stored: the layout and, for chunked data, the chunk's shape (empty
// when it cannot be read) and whether chunks pass through filters (compression).
struct Storage {
  H5D_layout_t layout = H5D_LAYOUT_ERROR;
  std::vector<hsize_t> chunk;
  bool filtered = false;
};

Storage storage_of(hid_t dset) {
  Storage s;
  const H5Id create(H5Dget_create_plist(dset), H5Pclose);
  if (!create.valid()) return s;
  s.layout = H5Pget_layout(create.get());
  if (s.layout != H5D_CHUNKED) return s;
  hsize_t dims[H5S_MAX_RANK];
  const int rank = H5Pget_chunk(create.get(), H5S_MAX_RANK, dims);
  if (rank > 0) s.chunk.assign(dims, dims + rank);
  s.filtered = H5Pget_nfilters(create.get()) > 0;
  return s;
}

// Bytes of one chunk of a chunked dataset; 0 for other layouts.
std::uint64_t chunk_bytes(hid_t dset) {
  const Storage s = storage_of(dset);
  const H5Id type(H5Dget_type(dset), H5Tclose);
  if (!type.valid() || s.chunk.empty()) return 0;
  std::uint64_t bytes = H5Tget_size(type.get());
  for (hsize_t d : s.chunk) bytes *= d;
  return bytes;
}

}  // namespace

H5Id Hdf5File::open_dataset(const std::string& object) const {
  if (!exists(object)) fail(object, "dataset is missing");
  if (keep_chunks_ && !kept_datasets_.count(object)) {
    // Kept open with a chunk cache of one chunk (up to 1 GiB), so that the chunk a frame was read
    // from serves the next frames it holds, in memory that does not grow with the frames read.
    // libhdf5 shares one open dataset among its handles, and takes the cache of the first open:
    // the kept handle is opened before the caller's.
    std::uint64_t bytes = 0;
    {
      const H5Id probe(H5Dopen2(id(), object.c_str(), H5P_DEFAULT), H5Dclose);
      if (!probe.valid()) fail(object, "cannot open as a dataset");
      bytes = chunk_bytes(probe.get());
    }
    const H5Id access(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose);
    if (access.valid() && bytes > 0 && bytes <= (std::uint64_t(1) << 30))
      H5Pset_chunk_cache(access.get(), 521, std::size_t(bytes), 1.0);  // 521 slots: a prime, as libhdf5 advises
    kept_datasets_.emplace(object, H5Id(H5Dopen2(id(), object.c_str(), access.valid() ? access.get() : H5P_DEFAULT),
                                        H5Dclose));
  }
  H5Id d(H5Dopen2(id(), object.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d.valid()) fail(object, "cannot open as a dataset");
  return d;
}

std::vector<std::string> Hdf5File::children(const std::string& group) const {
  const H5Id g = open_group(group);
  H5G_info_t info;
  if (H5Gget_info(g.get(), &info) < 0) fail(group, "cannot list the group");
  // A damaged group header can claim 2^63 links; an EMD group holds a handful.
  if (info.nlinks > 100000) fail(group, "claims " + std::to_string(info.nlinks) + " links (damaged group?)");
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t n = H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (n < 0) fail(group, "cannot read the name of link " + std::to_string(i));
    std::string name(std::size_t(n) + 1, '\0');
    H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
    name.resize(std::size_t(n));
    names.push_back(name);
  }
  return names;
}

std::vector<std::string> Hdf5File::all_groups() const {
  // Hard links can make cycles; a depth and count limit ends them without tracking addresses.
  constexpr int kMaxDepth = 16;
  constexpr std::size_t kMaxGroups = 10000;
  std::vector<std::string> out;
  std::function<void(const std::string&, int)> walk = [&](const std::string& group, int depth) {
    for (const std::string& name : children(group)) {
      const std::string child = (group == "/" ? "" : group) + "/" + name;
      if (!is_group(child)) continue;
      out.push_back(child);
      if (out.size() > kMaxGroups) fail(child, "more than 10000 groups (cyclic links?)");
      if (depth < kMaxDepth) walk(child, depth + 1);
    }
  };
  walk("/", 1);
  return out;
}

std::vector<std::string> attribute_names(const Hdf5File& f, hid_t obj, const std::string& object) {
  std::vector<std::string> names;
  hsize_t idx = 0;
  const herr_t rc = H5Aiterate2(
      obj, H5_INDEX_NAME, H5_ITER_INC, &idx,
      [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->push_back(name);
        return 0;
      },
      &names);
  if (rc < 0) f.fail(object, "cannot list attributes");
  return names;
}

namespace {
struct OpenAttribute {
  H5Id attr, type, space;
  hssize_t count = 0;
};

std::optional<OpenAttribute> open_attribute(const Hdf5File& f, hid_t obj, const std::string& object,
                                            const std::string& name) {
  if (H5Aexists(obj, name.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return std::nullopt;
  }
  OpenAttribute a;
  a.attr = H5Id(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!a.attr.valid()) f.fail(object, "cannot open attribute '" + name + "'");
  a.type = H5Id(H5Aget_type(a.attr.get()), H5Tclose);
  a.space = H5Id(H5Aget_space(a.attr.get()), H5Sclose);
  if (!a.type.valid() || !a.space.valid()) f.fail(object, "attribute '" + name + "' has no type or shape");
  a.count = H5Sget_simple_extent_npoints(a.space.get());
  if (a.count < 0) f.fail(object, "attribute '" + name + "' has an unreadable shape");
  return a;
}
}  // namespace

std::optional<std::string> attribute_text(const Hdf5File& f, hid_t obj, const std::string& object,
                                          const std::string& name) {
  const auto a = open_attribute(f, obj, object, name);
  if (!a || a->count == 0 || a->count > 16) return std::nullopt;
  const std::size_t n = std::size_t(a->count);
  std::vector<std::string> items;
  const H5T_class_t cls = H5Tget_class(a->type.get());
  if (cls == H5T_STRING && H5Tis_variable_str(a->type.get()) > 0) {
    const H5Id mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(a->type.get()));
    std::vector<char*> ptrs(n, nullptr);
    if (H5Aread(a->attr.get(), mem.get(), ptrs.data()) < 0) f.fail(object, "cannot read attribute '" + name + "'");
    for (char* p : ptrs) items.push_back(strip_padding(p ? p : ""));
    reclaim_strings(mem.get(), a->space.get(), ptrs.data());
  } else if (cls == H5T_STRING) {
    const std::size_t size = H5Tget_size(a->type.get());
    if (size == 0 || size > (1u << 20)) f.fail(object, "attribute '" + name + "' has an absurd string size");
    std::string buf(size * n, '\0');
    if (H5Aread(a->attr.get(), a->type.get(), buf.data()) < 0) f.fail(object, "cannot read attribute '" + name + "'");
    for (std::size_t i = 0; i < n; ++i) items.push_back(strip_padding(buf.substr(i * size, size)));
  } else if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
    std::vector<double> v(n);
    if (H5Aread(a->attr.get(), H5T_NATIVE_DOUBLE, v.data()) < 0) f.fail(object, "cannot read attribute '" + name + "'");
    for (double x : v) items.push_back(number_text(x));
  } else {
    return std::nullopt;  // enum (h5py booleans), compound, reference: no text worth carrying
  }
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out;
}

std::optional<double> attribute_number(const Hdf5File& f, hid_t obj, const std::string& object,
                                       const std::string& name) {
  const auto a = open_attribute(f, obj, object, name);
  if (!a || a->count != 1) return std::nullopt;
  const H5T_class_t cls = H5Tget_class(a->type.get());
  if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
    double v = 0;
    if (H5Aread(a->attr.get(), H5T_NATIVE_DOUBLE, &v) < 0) f.fail(object, "cannot read attribute '" + name + "'");
    return v;
  }
  if (cls != H5T_STRING) return std::nullopt;
  const auto text = attribute_text(f, obj, object, name);
  if (!text || text->empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text->c_str(), &end);
  if (*end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::vector<hsize_t> dataset_shape(const Hdf5File& f, hid_t dset, const std::string& object) {
  const H5Id space(H5Dget_space(dset), H5Sclose);
  const int rank = space.valid() ? H5Sget_simple_extent_ndims(space.get()) : -1;
  if (rank < 0 || rank > 32) f.fail(object, "dataset has an unreadable shape");
  std::vector<hsize_t> dims(std::size_t(rank), 0);
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

std::vector<double> read_vector(const Hdf5File& f, hid_t dset, const std::string& object,
                                std::size_t max_values) {
  const std::vector<hsize_t> shape = dataset_shape(f, dset, object);
  if (shape.size() != 1) f.fail(object, "expected a 1-D vector, found rank " + std::to_string(shape.size()));
  if (shape[0] > max_values)
    f.fail(object, "vector holds " + std::to_string(shape[0]) + " values, more than the " +
                       std::to_string(max_values) + " expected");
  const H5Id type(H5Dget_type(dset), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) f.fail(object, "vector does not hold numbers");
  std::vector<double> v(shape[0]);
  if (!v.empty() && H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
    f.fail(object, "cannot read the vector");
  return v;
}

std::string read_byte_column(const Hdf5File& f, hid_t dset, const std::string& object, hsize_t col,
                             std::size_t max_bytes) {
  const std::vector<hsize_t> shape = dataset_shape(f, dset, object);
  const H5Id type(H5Dget_type(dset), H5Tclose);
  if (shape.size() != 2 || H5Tget_class(type.get()) != H5T_INTEGER || H5Tget_size(type.get()) != 1)
    f.fail(object, "expected a 2-D uint8 array (bytes x frames)");
  if (col >= shape[1])
    f.fail(object, "has " + std::to_string(shape[1]) + " columns, column " + std::to_string(col) + " asked");
  if (shape[0] > max_bytes) f.fail(object, "holds " + std::to_string(shape[0]) + " bytes per column, too many");
  std::string out(shape[0], '\0');
  if (out.empty()) return out;
  const H5Id file_space(H5Dget_space(dset), H5Sclose);
  const hsize_t start[2] = {0, col}, count[2] = {shape[0], 1};
  const hsize_t mem_dims[1] = {shape[0]};
  const H5Id mem_space(H5Screate_simple(1, mem_dims, nullptr), H5Sclose);
  if (H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr) < 0 ||
      H5Dread(dset, H5T_NATIVE_UCHAR, mem_space.get(), file_space.get(), H5P_DEFAULT, out.data()) < 0)
    f.fail(object, "cannot read column " + std::to_string(col));
  return out;
}

namespace {

struct PixelKind {
  PixelType type;
  hid_t memory;  // H5T_NATIVE_*: libhdf5 converts byte order and odd precisions to it
};

PixelKind pixel_kind(const Hdf5File& f, hid_t file_type, const std::string& object,
                     std::vector<std::string>& warnings) {
  const H5T_class_t cls = H5Tget_class(file_type);
  const std::size_t size = H5Tget_size(file_type);
  if (cls == H5T_INTEGER) {
    const bool is_signed = H5Tget_sign(file_type) == H5T_SGN_2;
    switch (size) {
      case 1: return is_signed ? PixelKind{PixelType::i8, H5T_NATIVE_INT8} : PixelKind{PixelType::u8, H5T_NATIVE_UINT8};
      case 2:
        return is_signed ? PixelKind{PixelType::i16, H5T_NATIVE_INT16} : PixelKind{PixelType::u16, H5T_NATIVE_UINT16};
      case 4:
        return is_signed ? PixelKind{PixelType::i32, H5T_NATIVE_INT32} : PixelKind{PixelType::u32, H5T_NATIVE_UINT32};
      case 8:
        return is_signed ? PixelKind{PixelType::i64, H5T_NATIVE_INT64} : PixelKind{PixelType::u64, H5T_NATIVE_UINT64};
      default: f.fail(object, "integer pixels of " + std::to_string(size) + " bytes are not supported");
    }
  }
  if (cls == H5T_FLOAT) {
    if (size == 4) return {PixelType::f32, H5T_NATIVE_FLOAT};
    if (size == 8) return {PixelType::f64, H5T_NATIVE_DOUBLE};
    if (size < 4) {
      warnings.push_back(object + ": " + std::to_string(size * 8) + "-bit float pixels converted to float32");
      return {PixelType::f32, H5T_NATIVE_FLOAT};
    }
    f.fail(object, "float pixels of " + std::to_string(size) + " bytes are not supported");
  }
  if (cls == H5T_COMPOUND)
    f.fail(object, "pixels have a compound type of " + std::to_string(H5Tget_nmembers(file_type)) +
                       " members (Velox stores FFT and DPC images, complex or vector valued, this way); "
                       "only real-valued images can be read");
  f.fail(object, "pixels are not numbers (HDF5 type class " + std::to_string(int(cls)) + ")");
}

// Refuses a plane the file cannot hold: contiguous data must lie inside the file; chunked
// data may be compressed, but deflate never gains more than about 1032:1.
void check_storage(const Hdf5File& f, hid_t dset, const Storage& storage, const std::string& object,
                   const std::vector<hsize_t>& shape, std::size_t element_bytes, std::uintmax_t plane_bytes) {
  const H5D_layout_t layout = storage.layout;
  if (layout == H5D_CONTIGUOUS) {
    double total = double(element_bytes);  // a double: 2^31 pixels x 2^31 frames x 8 bytes overflows
    for (hsize_t d : shape) total *= double(d);
    const haddr_t offset = H5Dget_offset(dset);
    if (offset == HADDR_UNDEF) f.fail(object, "dataset has no stored data");
    if (offset > f.file_bytes() || total > double(f.file_bytes() - offset))
      f.fail(object, "data (" + number_text(total) + " bytes at offset " + std::to_string(offset) +
                         ") extends past the end of the " + std::to_string(f.file_bytes()) +
                         "-byte file (truncated?)");
  } else if (layout == H5D_CHUNKED) {
    if (H5Dget_storage_size(dset) == 0) f.fail(object, "dataset has no stored data");
    const std::uintmax_t limit = 1100 * f.file_bytes() + (std::uintmax_t(1) << 24);
    if (plane_bytes > limit)
      f.fail(object, "a plane of " + std::to_string(plane_bytes) + " bytes cannot come from a " +
                         std::to_string(f.file_bytes()) + "-byte file");
    // libhdf5 allocates whole chunks to decompress into: a damaged chunk shape would make it
    // allocate gigabytes before any error, so the chunk is held to the same bound.
    if (storage.chunk.empty()) f.fail(object, "chunked dataset without a chunk shape");
    double chunk_bytes = double(element_bytes);
    for (hsize_t d : storage.chunk) chunk_bytes *= double(d);
    if (chunk_bytes > double(limit))
      f.fail(object, "chunks of " + number_text(chunk_bytes) + " bytes cannot come from a " +
                         std::to_string(f.file_bytes()) + "-byte file");
  } else if (layout != H5D_COMPACT) {
    f.fail(object, "dataset has an unsupported storage layout");
  }
}

// Rows of a plane to read at a time when they go to a PixelRowSink: about 8 MiB; for compressed
// (filtered) chunks, whole rows of chunks along the plane's y axis, so that each chunk lies in one
// band and is decompressed once (libhdf5 reads uncompressed chunks in part where asked).
hsize_t band_rows(const Storage& storage, std::size_t y_axis, hsize_t ny, std::uintmax_t row_bytes) {
  constexpr std::uintmax_t kBandBytes = std::uintmax_t(8) << 20;
  hsize_t rows = std::max<hsize_t>(1, hsize_t(kBandBytes / std::max<std::uintmax_t>(row_bytes, 1)));
  if (storage.filtered && storage.chunk.size() > y_axis && storage.chunk[y_axis] > 0) {
    const hsize_t chunk_rows = storage.chunk[y_axis];
    rows = (rows + chunk_rows - 1) / chunk_rows * chunk_rows;
  }
  return std::min(rows, ny);
}

// Where the plane's pixels lie in the file when they can be used as stored (mapped): contiguous
// storage of the native type (no conversion), of a type analysed as stored, and a plane whose
// rows follow each other (a 2-D dataset, or a frame of a stack whose frame axis is the slowest or
// holds one frame). The first and last rows are read both ways and compared, so that an address
// libhdf5 counts from elsewhere (a user block) is never mapped; rows over 4 MiB (absurd shapes)
// are not compared, nor mapped.
std::optional<std::uint64_t> plane_in_file(const Hdf5File& f, hid_t dset, const Storage& storage, hid_t file_type,
                                           const PixelKind& kind, const std::vector<hsize_t>& shape, int frame_axis,
                                           hsize_t frame, hsize_t ny, std::uintmax_t row_bytes,
                                           const std::function<void(hsize_t, hsize_t, void*)>& read_rows) {
  if (!analysed_as_stored(kind.type) || storage.layout != H5D_CONTIGUOUS ||
      H5Tequal(file_type, kind.memory) <= 0 || row_bytes > (std::uintmax_t(4) << 20))
    return std::nullopt;
  if (frame_axis > 0 && shape[std::size_t(frame_axis)] != 1) return std::nullopt;
  const haddr_t start = H5Dget_offset(dset);
  if (start == HADDR_UNDEF) return std::nullopt;
  const std::uint64_t offset = std::uint64_t(start) + (frame_axis == 0 ? frame * ny * row_bytes : 0);
  if (offset > f.file_bytes() || ny * row_bytes > f.file_bytes() - offset) return std::nullopt;
  std::ifstream in(f.path(), std::ios::binary);
  std::vector<char> by_hdf5(static_cast<std::size_t>(row_bytes)), in_file(by_hdf5.size());
  for (const hsize_t y : {hsize_t(0), ny - 1}) {
    read_rows(y, 1, by_hdf5.data());
    in.seekg(std::streamoff(offset + y * row_bytes));
    if (!in.read(in_file.data(), std::streamsize(in_file.size())) || in_file != by_hdf5) return std::nullopt;
  }
  return offset;
}

}  // namespace

RawImage read_plane(const Hdf5File& f, hid_t dset, const std::string& object, int frame_axis,
                    hsize_t frame, std::vector<std::string>& warnings, PixelRowSink* sink) {
  const std::vector<hsize_t> shape = dataset_shape(f, dset, object);
  const int rank = int(shape.size());
  if (rank == 2) {
    frame_axis = -1;
    if (frame != 0) f.fail(object, "holds one image; frame " + std::to_string(frame) + " asked");
  } else if (rank == 3) {
    if (frame_axis < 0 || frame_axis > 2) f.fail(object, "no frame axis given for a 3-D dataset");
    if (frame >= shape[std::size_t(frame_axis)])
      f.fail(object, "holds " + std::to_string(shape[std::size_t(frame_axis)]) + " frames; frame " +
                         std::to_string(frame) + " asked (frames count from 0)");
  } else {
    f.fail(object, "is not a 2-D image or a stack of them (rank " + std::to_string(rank) + ")");
  }
  std::vector<int> image_axes;
  for (int a = 0; a < rank; ++a)
    if (a != frame_axis) image_axes.push_back(a);
  const hsize_t ny = shape[std::size_t(image_axes[0])], nx = shape[std::size_t(image_axes[1])];
  constexpr hsize_t kMaxPixels = hsize_t(1) << 31;
  constexpr hsize_t kMaxSide = hsize_t(INT32_MAX);  // width and height are ints
  if (ny == 0 || nx == 0) f.fail(object, "image is empty (" + std::to_string(ny) + " x " + std::to_string(nx) + ")");
  if (ny > kMaxSide || nx > kMaxSide || ny * nx > kMaxPixels)
    f.fail(object, "absurd shape " + std::to_string(ny) + " x " + std::to_string(nx) +
                       " (more than 2^31 pixels per frame)");

  const H5Id file_type(H5Dget_type(dset), H5Tclose);
  if (!file_type.valid()) f.fail(object, "dataset has no readable type");
  const PixelKind kind = pixel_kind(f, file_type.get(), object, warnings);
  const std::uintmax_t plane_bytes = ny * nx * pixel_type_bytes(kind.type);
  const Storage storage = storage_of(dset);
  check_storage(f, dset, storage, object, shape, H5Tget_size(file_type.get()), plane_bytes);

  const H5Id file_space(H5Dget_space(dset), H5Sclose);
  std::vector<hsize_t> start(shape.size(), 0), count = shape;
  if (frame_axis >= 0) {
    start[std::size_t(frame_axis)] = frame;
    count[std::size_t(frame_axis)] = 1;
  }
  const std::size_t y_axis = std::size_t(image_axes[0]);
  const std::uintmax_t row_bytes = nx * pixel_type_bytes(kind.type);
  // Rows [y0, y0 + rows) of the plane into `to`. The memory space has the file selection's own
  // shape (the frame axis of length 1 included): libhdf5 then maps a selection to chunks whole; a
  // 2-D memory space against a frame of a 3-D dataset made it map the frame pixel by pixel.
  auto read_rows = [&](hsize_t y0, hsize_t rows, void* to) {
    start[y_axis] = y0;
    count[y_axis] = rows;
    const H5Id mem_space(H5Screate_simple(rank, count.data(), nullptr), H5Sclose);
    if (H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr) < 0)
      f.fail(object, "cannot select rows " + std::to_string(y0) + "-" + std::to_string(y0 + rows) + " of frame " +
                         std::to_string(frame));
    if (H5Dread(dset, kind.memory, mem_space.get(), file_space.get(), H5P_DEFAULT, to) < 0)
      f.fail(object, "cannot read the pixels");
  };

  RawImage raw;
  raw.width = int(nx);
  raw.height = int(ny);
  raw.type = kind.type;
  if (!sink) {
    raw.bytes.resize(plane_bytes);
    read_rows(0, ny, raw.bytes.data());
    return raw;
  }
  const auto offset =
      plane_in_file(f, dset, storage, file_type.get(), kind, shape, frame_axis, frame, ny, row_bytes, read_rows);
  if (offset && sink->pixels_in_file(raw.width, raw.height, raw.type, *offset)) return raw;
  const hsize_t band = band_rows(storage, y_axis, ny, row_bytes);
  std::vector<std::uint8_t> buffer(static_cast<std::size_t>(band * row_bytes));
  sink->start(raw.width, raw.height, raw.type);
  for (hsize_t y0 = 0; y0 < ny; y0 += band) {
    const hsize_t rows = std::min(band, ny - y0);
    read_rows(y0, rows, buffer.data());
    sink->rows(buffer.data(), static_cast<std::size_t>(rows * row_bytes));
  }
  return raw;
}

}  // namespace mgscope
