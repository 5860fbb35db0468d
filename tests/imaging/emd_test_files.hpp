// Small EMD files with known pixels and calibration, written with libhdf5 for the EMD tests.
#pragma once
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "imaging/io/hdf5_file.hpp"

namespace mgscope::test {

inline H5Id create_h5(const std::string& path) {
  return H5Id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
}

inline H5Id make_group(hid_t loc, const std::string& name) {
  return H5Id(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
}

// `file_type` is how it is stored (e.g. big-endian), `mem_type` how `data` is laid out here.
// `chunk`: the chunk's dimensions (empty: contiguous storage).
inline void write_dataset(hid_t loc, const std::string& name, hid_t file_type, hid_t mem_type,
                          const std::vector<hsize_t>& dims, const void* data, const std::vector<hsize_t>& chunk = {}) {
  const H5Id space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose);
  const H5Id create(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  if (!chunk.empty()) H5Pset_chunk(create.get(), int(chunk.size()), chunk.data());
  const H5Id ds(H5Dcreate2(loc, name.c_str(), file_type, space.get(), H5P_DEFAULT, create.get(), H5P_DEFAULT),
                H5Dclose);
  H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
}

// Variable-length UTF-8 (h5py str) or fixed-length ASCII (numpy bytes, as NCEM writes units).
inline void write_string_attr(hid_t obj, const std::string& name, const std::string& value, bool variable) {
  const H5Id type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), variable ? H5T_VARIABLE : std::max<std::size_t>(value.size(), 1));
  if (variable) H5Tset_cset(type.get(), H5T_CSET_UTF8);
  const H5Id space(H5Screate(H5S_SCALAR), H5Sclose);
  const H5Id a(H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  const char* p = value.c_str();
  if (variable) H5Awrite(a.get(), type.get(), &p);
  else H5Awrite(a.get(), type.get(), value.empty() ? "" : p);
}

inline void write_number_attr(hid_t obj, const std::string& name, hid_t file_type, double value) {
  const H5Id space(H5Screate(H5S_SCALAR), H5Sclose);
  const H5Id a(H5Acreate2(obj, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  H5Awrite(a.get(), H5T_NATIVE_DOUBLE, &value);
}

// A Berkeley dimK vector: first + i * step for `n` values.
inline void write_dim(hid_t group, int k, std::size_t n, double first, double step, const std::string& name,
                      const std::string& units, bool variable_strings) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = first + double(i) * step;
  const std::string ds_name = "dim" + std::to_string(k);
  write_dataset(group, ds_name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {hsize_t(n)}, v.data());
  const H5Id ds(H5Dopen2(group, ds_name.c_str(), H5P_DEFAULT), H5Dclose);
  write_string_attr(ds.get(), "name", name, variable_strings);
  write_string_attr(ds.get(), "units", units, variable_strings);
}

// Pixel value of the synthetic stacks: frame f, row y, column x.
inline float berkeley_pixel(int f, int y, int x) { return float(1000 * f + 10 * y + x) + 0.5f; }

// Berkeley EMD v0.2: /data/stack holds float32 (3 frames, 4 rows, 5 cols); dim1 time in 's',
// dim2 Y in 'n_m' (0.25 nm from 10 nm), dim3 X in Angstrom (2 A = 0.2 nm from 30 A = 3 nm).
// `x_values` overrides the length of dim3 (to make it disagree with the data).
inline void write_berkeley_stack(const std::string& path, std::size_t x_values = 5) {
  const H5Id f = create_h5(path);
  const H5Id root(H5Gopen2(f.get(), "/", H5P_DEFAULT), H5Gclose);
  write_number_attr(root.get(), "version_major", H5T_STD_I32LE, 0);
  write_number_attr(root.get(), "version_minor", H5T_STD_I32LE, 2);
  const H5Id data = make_group(f.get(), "data");
  const H5Id g = make_group(data.get(), "stack");
  write_number_attr(g.get(), "emd_group_type", H5T_STD_I32LE, 1);
  std::vector<float> px;
  for (int fr = 0; fr < 3; ++fr)
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 5; ++x) px.push_back(berkeley_pixel(fr, y, x));
  write_dataset(g.get(), "data", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {3, 4, 5}, px.data());
  write_dim(g.get(), 1, 3, 0, 0.5, "time", "s", true);
  write_dim(g.get(), 2, 4, 10, 0.25, "Y", "n_m", false);
  write_dim(g.get(), 3, x_values, 30, 2, "X", "A", false);
  const H5Id mic = make_group(f.get(), "microscope");
  write_string_attr(mic.get(), "name", "Synthetic scope", true);
  write_number_attr(mic.get(), "high tension", H5T_IEEE_F64LE, 300000);
  write_number_attr(mic.get(), "magnification", H5T_IEEE_F64LE, 2e6);
  const H5Id sample = make_group(f.get(), "sample");
  write_string_attr(sample.get(), "sample name", "Zr-Cu glass", false);
}

// Velox per-frame metadata: 0.2 nm pixels, offset (-1, 2.5) nm, 200 kV, start 1600000000 + 10 f.
inline std::string velox_json(int frame) {
  return R"({"Instrument":{"InstrumentModel":"Talos","Manufacturer":"FEI Company"},)"
         R"("Optics":{"AccelerationVoltage":"200000","NominalMagnification":"630000"},)"
         R"("Acquisition":{"AcquisitionStartDatetime":{"DateTime":")" +
         std::to_string(1600000000 + 10 * frame) +
         R"("}},"BinaryResult":{"Detector":"HAADF","PixelSize":{"width":"2.0000000000000001e-10",)"
         R"("height":"2.0000000000000001e-10"},"PixelUnitX":"m","PixelUnitY":"m",)"
         R"("Offset":{"x":"-1e-9","y":"2.5e-9"}}})";
}

// Velox EMD: two image groups (the first in name order is read), Data uint16 stored big-endian
// as (4 rows, 5 cols, 2 frames), value 100 f + 10 y + x; per-frame JSON in Metadata (bytes, 2).
// `frame_json` replaces the JSON of both frames when not empty. `one_chunk`: the pixels stored as
// one chunk holding both frames (as the Velox example in shared/data is), else contiguous.
inline void write_velox_stack(const std::string& path, const std::string& frame_json = "",
                              bool compound_pixels = false, bool one_chunk = false) {
  const H5Id f = create_h5(path);
  const H5Id data = make_group(f.get(), "Data");
  const H5Id image = make_group(data.get(), "Image");
  for (const char* uuid : {"0a1b", "ff00"}) {
    const H5Id g = make_group(image.get(), uuid);
    if (compound_pixels) {
      const H5Id type(H5Tcreate(H5T_COMPOUND, 8), H5Tclose);
      H5Tinsert(type.get(), "realFloatHalfEven", 0, H5T_NATIVE_FLOAT);
      H5Tinsert(type.get(), "imagFloatHalfEven", 4, H5T_NATIVE_FLOAT);
      const std::vector<float> z(4 * 5 * 2 * 2, 1.f);
      write_dataset(g.get(), "Data", type.get(), type.get(), {4, 5, 2}, z.data());
    } else {
      std::vector<std::uint16_t> px;
      for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 5; ++x)
          for (int fr = 0; fr < 2; ++fr) px.push_back(std::uint16_t(100 * fr + 10 * y + x));
      write_dataset(g.get(), "Data", H5T_STD_U16BE, H5T_NATIVE_UINT16, {4, 5, 2}, px.data(),
                    one_chunk ? std::vector<hsize_t>{4, 5, 2} : std::vector<hsize_t>{});
    }
    const std::size_t n = 4096;
    std::vector<std::uint8_t> meta(n * 2, 0);
    for (int fr = 0; fr < 2; ++fr) {
      const std::string j = frame_json.empty() ? velox_json(fr) : frame_json;
      for (std::size_t i = 0; i < j.size() && i < n; ++i) meta[i * 2 + std::size_t(fr)] = std::uint8_t(j[i]);
    }
    write_dataset(g.get(), "Metadata", H5T_STD_U8LE, H5T_NATIVE_UINT8, {n, 2}, meta.data());
  }
}

}  // namespace mgscope::test
