#include "pipelines/python/py_modules.hpp"
namespace mgscope::py { void bind_curves(pybind11::module_&) {} }
