// `import mgscope`: the C++ core from Python (issue 16). The numbers are those of the command line
// because the same library calls and output formatters run underneath; see docs/python.md.
#include <pybind11/pybind11.h>

#include "fitting/base/error.hpp"
#include "mgscope_version.hpp"
#include "pipelines/python/py_modules.hpp"

PYBIND11_MODULE(mgscope, m) {
  m.doc() = R"doc(mgscope: structure-property numbers of metallic-glass samples (HRTEM local order,
nanoindentation creep and hardness, DSC, magnetocaloric effect), the same C++ core as the
`mgscope` command line. Lengths in nm, times in s, loads in mN, temperatures in K (DSC: degC),
fields in T; every name carries its unit. Bad files raise mgscope.InputError (a ValueError)
with the command line's message; invalid options raise ValueError naming the option.)doc";
  m.attr("__version__") = mgscope::kVersion;
  // A ValueError subclass: `except ValueError` in a notebook catches bad files too.
  pybind11::register_exception<mgscope::InputError>(m, "InputError", PyExc_ValueError);
  mgscope::py::bind_images(m);
  mgscope::py::bind_indentation(m);
  mgscope::py::bind_curves(m);
  mgscope::py::bind_magnetics(m);
}
