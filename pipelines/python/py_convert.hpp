// Conversions between numpy/Python objects and the core's types, shared by every binding file.
// Inputs are converted once to what the core takes (any numeric dtype, any strides); outputs are
// numpy arrays that own their memory or view the core's buffers without a copy.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>  // std::vector, std::map, std::optional in and out

#include <string>
#include <vector>

#include "fitting/base/summary.hpp"
#include "imaging/image.hpp"

namespace mgscope::py {

namespace pyb = pybind11;

// A 1-D numeric array (any real dtype, any strides, a list) as doubles. Throws
// std::invalid_argument naming `name` for bool, complex or non-numeric input, or for other shapes.
std::vector<double> to_doubles(pyb::handle values, const std::string& name);

// A 2-D numeric array as the core's native-pixel image: dtypes the readers produce (u8..i64,
// f32, f64) keep their type, other real dtypes (float16, longdouble) become float64; bool and
// complex are refused (std::invalid_argument). Non-contiguous or byte-swapped arrays are
// converted on the way.
RawImage to_raw_image(pyb::handle array, const std::string& name);

// os.fspath(obj) as text, for every call that takes a path. A path as bytes is refused with a
// ValueError naming `name` (the core's paths are text; hrtem() took b'...' for an array of
// characters); anything else that is no path raises os.fspath's TypeError, as open() does.
std::string path_text(pyb::handle obj, const std::string& name);

// What the calls take as a path: a str, an os.PathLike, or bytes (which path_text refuses by name).
bool looks_like_path(pyb::handle obj);

// The numpy dtype of a pixel type (native byte order).
pyb::dtype pixel_dtype(PixelType t);

// A float64 array owning a copy of `values` (one copy: the vector dies with the call).
pyb::array_t<double> to_array(const std::vector<double>& values);

// Summary fields every result carries: status ("Success", ...), message, warnings, usable. For a
// Failure, every float already in `out` (nested plain dicts and lists too) becomes NaN: a failed
// result has no numbers. Add numbers of the input (a curve's rate, a scale from the arguments) after.
void add_summary(pyb::dict& out, const Summary& summary);

// A nlohmann-json text as Python objects (dicts, lists, floats), through the json module.
pyb::object json_to_python(const std::string& json_text);

// A CSV text the CLI writes (header line, RFC 4180 quoting) as a table: one numpy array per column,
// int64 for the columns named in `int_columns` (counts, indices), float64 for other numeric
// columns (NaN for an empty cell), else an object array of str. The dtype follows the column, not
// the data: a fraction column that happens to hold only 0 stays float64. A pandas DataFrame when
// pandas is importable and `frame` allows it.
pyb::object csv_to_table(const std::string& csv_text, const std::vector<std::string>& int_columns,
                         bool frame);

// Columns (name -> array, in order) as a DataFrame when pandas is importable, else the dict.
pyb::object columns_to_table(const pyb::dict& columns, bool frame);

}  // namespace mgscope::py
