#include "pipelines/python/py_modules.hpp"
namespace mgscope::py { void bind_indentation(pybind11::module_&) {} }
