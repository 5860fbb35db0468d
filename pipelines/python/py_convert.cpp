#include "pipelines/python/py_convert.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace mgscope::py {

namespace {

// numpy.asarray(obj): lists and array-likes (HyperSpy data, memmaps) become arrays without a copy
// when they already are one.
pyb::array as_array(pyb::handle obj) {
  return pyb::module_::import("numpy").attr("asarray")(obj).cast<pyb::array>();
}

// Refuses what is not a real number: a bool image or a complex FFT passed by mistake would
// otherwise be cast silently.
void require_real(const pyb::array& a, const std::string& name) {
  const char kind = a.dtype().kind();
  if (kind == 'b')
    throw std::invalid_argument(
        name + ": bool arrays are not measurements; convert them first, e.g. a.astype(np.uint8)");
  if (kind == 'c')
    throw std::invalid_argument(name +
                                ": complex arrays are refused; pass the real part or the modulus");
  if (kind != 'u' && kind != 'i' && kind != 'f')
    throw std::invalid_argument(name + ": dtype " + pyb::str(a.dtype()).cast<std::string>() +
                                " is not a real number type");
}

template <class T>
void copy_pixels(const pyb::array& a, RawImage& raw) {
  // forcecast + c_style: strided views and non-native byte orders are converted here, once.
  const auto c = pyb::array_t<T, pyb::array::c_style | pyb::array::forcecast>::ensure(a);
  if (!c) throw pyb::error_already_set();
  raw.bytes.resize(std::size_t(c.size()) * sizeof(T));
  if (c.size()) std::memcpy(raw.bytes.data(), c.data(), raw.bytes.size());
}

// RFC 4180 fields of one CSV line (no line breaks inside fields: the CLI's cells hold none).
std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        fields.back() += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      fields.emplace_back();
    } else {
      fields.back() += ch;
    }
  }
  return fields;
}

bool parse_int(const std::string& s, std::int64_t& v) {
  if (s.empty()) return false;
  char* end = nullptr;
  v = std::strtoll(s.c_str(), &end, 10);
  return *end == '\0';
}

bool parse_double(const std::string& s, double& v) {
  if (s.empty()) return false;
  char* end = nullptr;
  v = std::strtod(s.c_str(), &end);
  return *end == '\0';
}

// One column: int64 when it is a count column and every cell is an integer, float64 (NaN for
// empty cells) when every non-empty cell is a number, else str objects.
pyb::object column_array(const std::vector<std::string>& cells, bool count_column) {
  bool all_int = count_column, all_num = true;
  for (const std::string& s : cells) {
    std::int64_t i = 0;
    double d = 0;
    if (!parse_int(s, i)) all_int = false;
    if (!s.empty() && !parse_double(s, d)) all_num = false;
  }
  if (all_int && !cells.empty()) {
    pyb::array_t<std::int64_t> a(pyb::ssize_t(cells.size()));
    auto m = a.mutable_unchecked<1>();
    for (std::size_t k = 0; k < cells.size(); ++k) parse_int(cells[k], m(pyb::ssize_t(k)));
    return std::move(a);
  }
  if (all_num) {
    pyb::array_t<double> a(pyb::ssize_t(cells.size()));
    auto m = a.mutable_unchecked<1>();
    for (std::size_t k = 0; k < cells.size(); ++k) {
      double d = std::numeric_limits<double>::quiet_NaN();
      parse_double(cells[k], d);
      m(pyb::ssize_t(k)) = d;
    }
    return std::move(a);
  }
  pyb::list items;
  for (const std::string& s : cells) items.append(pyb::str(s));
  return pyb::module_::import("numpy").attr("array")(items, pyb::arg("dtype") = "object");
}

}  // namespace

std::vector<double> to_doubles(pyb::handle values, const std::string& name) {
  const pyb::array a = as_array(values);
  require_real(a, name);
  if (a.ndim() != 1)
    throw std::invalid_argument(name + ": expected a 1-D array, got " + std::to_string(a.ndim()) +
                                "-D");
  const auto c = pyb::array_t<double, pyb::array::c_style | pyb::array::forcecast>::ensure(a);
  if (!c) throw pyb::error_already_set();
  return std::vector<double>(c.data(), c.data() + c.size());
}

RawImage to_raw_image(pyb::handle array, const std::string& name) {
  const pyb::array a = as_array(array);
  require_real(a, name);
  if (a.ndim() != 2)
    throw std::invalid_argument(name + ": expected a 2-D image (rows, columns), got " +
                                std::to_string(a.ndim()) + "-D");
  const pyb::ssize_t h = a.shape(0), w = a.shape(1);
  if (h < 1 || w < 1 || h > std::numeric_limits<int>::max() || w > std::numeric_limits<int>::max())
    throw std::invalid_argument(name + ": image of " + std::to_string(h) + " x " +
                                std::to_string(w) + " pixels");
  RawImage raw;
  raw.width = int(w);
  raw.height = int(h);
  const char kind = a.dtype().kind();
  const pyb::ssize_t size = a.dtype().itemsize();
  if (kind == 'u' && size == 1) {
    raw.type = PixelType::u8;
    copy_pixels<std::uint8_t>(a, raw);
  } else if (kind == 'i' && size == 1) {
    raw.type = PixelType::i8;
    copy_pixels<std::int8_t>(a, raw);
  } else if (kind == 'u' && size == 2) {
    raw.type = PixelType::u16;
    copy_pixels<std::uint16_t>(a, raw);
  } else if (kind == 'i' && size == 2) {
    raw.type = PixelType::i16;
    copy_pixels<std::int16_t>(a, raw);
  } else if (kind == 'u' && size == 4) {
    raw.type = PixelType::u32;
    copy_pixels<std::uint32_t>(a, raw);
  } else if (kind == 'i' && size == 4) {
    raw.type = PixelType::i32;
    copy_pixels<std::int32_t>(a, raw);
  } else if (kind == 'u' && size == 8) {
    raw.type = PixelType::u64;
    copy_pixels<std::uint64_t>(a, raw);
  } else if (kind == 'i' && size == 8) {
    raw.type = PixelType::i64;
    copy_pixels<std::int64_t>(a, raw);
  } else if (kind == 'f' && size == 4) {
    raw.type = PixelType::f32;
    copy_pixels<float>(a, raw);
  } else {
    raw.type = PixelType::f64;
    copy_pixels<double>(a, raw);
  }  // float16, longdouble: as float64
  return raw;
}

std::string path_text(pyb::handle obj, const std::string& name) {
  const pyb::object p = pyb::module_::import("os").attr("fspath")(obj);
  if (pyb::isinstance<pyb::bytes>(p))
    throw std::invalid_argument(name + ": a path as bytes (" + pyb::repr(obj).cast<std::string>() +
                                "): give a str or os.PathLike");
  return p.cast<std::string>();
}

bool looks_like_path(pyb::handle obj) {
  return pyb::isinstance<pyb::str>(obj) || pyb::isinstance<pyb::bytes>(obj) || pyb::hasattr(obj, "__fspath__");
}

pyb::dtype pixel_dtype(PixelType t) {
  switch (t) {
    case PixelType::u8:
      return pyb::dtype::of<std::uint8_t>();
    case PixelType::i8:
      return pyb::dtype::of<std::int8_t>();
    case PixelType::u16:
      return pyb::dtype::of<std::uint16_t>();
    case PixelType::i16:
      return pyb::dtype::of<std::int16_t>();
    case PixelType::u32:
      return pyb::dtype::of<std::uint32_t>();
    case PixelType::i32:
      return pyb::dtype::of<std::int32_t>();
    case PixelType::u64:
      return pyb::dtype::of<std::uint64_t>();
    case PixelType::i64:
      return pyb::dtype::of<std::int64_t>();
    case PixelType::f32:
      return pyb::dtype::of<float>();
    case PixelType::f64:
      return pyb::dtype::of<double>();
  }
  return pyb::dtype::of<float>();
}

pyb::array_t<double> to_array(const std::vector<double>& values) {
  pyb::array_t<double> a(pyb::ssize_t(values.size()));
  if (!values.empty()) std::memcpy(a.mutable_data(), values.data(), values.size() * sizeof(double));
  return a;
}

namespace {

// A Failure has no usable numbers (fitting/base/summary.hpp), yet its fields keep what they were
// initialised to, mostly 0, which reads as a measured 0 (an exponent of 0.0, a hardness of
// 0.0 GPa); the command line writes null or an empty cell. Floats become NaN, also in nested plain
// dicts and lists; a nested result with its own status was already judged by its own summary.
// Counts (int) stay: a fit of 2 points has n_points 2, as the command's powerlaw.json.
pyb::object without_numbers(pyb::handle v) {
  if (pyb::isinstance<pyb::float_>(v)) return pyb::float_(std::numeric_limits<double>::quiet_NaN());
  if (pyb::isinstance<pyb::dict>(v)) {
    pyb::dict d = pyb::reinterpret_borrow<pyb::dict>(v);
    if (d.contains("status")) return std::move(d);
    for (const pyb::handle key : pyb::list(d.attr("keys")())) d[key] = without_numbers(d[key]);
    return std::move(d);
  }
  if (pyb::isinstance<pyb::list>(v)) {
    pyb::list l = pyb::reinterpret_borrow<pyb::list>(v);
    for (std::size_t i = 0; i < l.size(); ++i) l[i] = without_numbers(l[i]);
    return std::move(l);
  }
  return pyb::reinterpret_borrow<pyb::object>(v);
}

}  // namespace

void add_summary(pyb::dict& out, const Summary& summary) {
  if (!summary.usable())
    for (const pyb::handle key : pyb::list(out.attr("keys")())) out[key] = without_numbers(out[key]);
  out["status"] = to_string(summary.status);
  out["message"] = summary.message;
  out["warnings"] = pyb::cast(summary.warnings);
  out["usable"] = summary.usable();
}

pyb::object json_to_python(const std::string& json_text) {
  return pyb::module_::import("json").attr("loads")(json_text);
}

pyb::object columns_to_table(const pyb::dict& columns, bool frame) {
  if (frame) {
    try {
      return pyb::module_::import("pandas").attr("DataFrame")(columns);
    } catch (const pyb::error_already_set& e) {
      if (!e.matches(PyExc_ImportError)) throw;
    }
  }
  return std::move(columns);
}

pyb::object csv_to_table(const std::string& csv_text, const std::vector<std::string>& int_columns,
                         bool frame) {
  std::vector<std::vector<std::string>> rows;
  std::size_t start = 0;
  while (start < csv_text.size()) {
    std::size_t end = csv_text.find('\n', start);
    if (end == std::string::npos) end = csv_text.size();
    rows.push_back(split_csv_line(csv_text.substr(start, end - start)));
    start = end + 1;
  }
  pyb::dict columns;
  if (rows.empty()) return columns_to_table(columns, frame);
  const std::vector<std::string>& header = rows.front();
  for (std::size_t c = 0; c < header.size(); ++c) {
    std::vector<std::string> cells;
    cells.reserve(rows.size() - 1);
    for (std::size_t r = 1; r < rows.size(); ++r)
      cells.push_back(c < rows[r].size() ? rows[r][c] : std::string());
    const bool count_column =
        std::find(int_columns.begin(), int_columns.end(), header[c]) != int_columns.end();
    columns[pyb::str(header[c])] = column_array(cells, count_column);
  }
  return columns_to_table(columns, frame);
}

}  // namespace mgscope::py
