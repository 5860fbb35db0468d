#include "pipelines/python/py_modules.hpp"
namespace mgscope::py { void bind_magnetics(pybind11::module_&) {} }
