// `import mgscope`: the C++ core from Python (issue 16). The numbers are those of the command line
// because the same library calls and output formatters run underneath; see docs/python.md.
#include <pybind11/eval.h>
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
  mgscope::py::bind_spot_calibration(m);
  mgscope::py::bind_images(m);
  mgscope::py::bind_hrtem_series(m);
  mgscope::py::bind_indentation(m);
  mgscope::py::bind_curves(m);
  mgscope::py::bind_magnetics(m);
  // pybind11's functions cannot be pickled (their __self__ is a capsule), so Dask, multiprocessing
  // and concurrent.futures could not send `mgscope.hrtem` to a worker. Each public function is
  // wrapped in a plain Python function of this module, which pickles by reference.
  pybind11::exec(R"py(
import functools as _functools

def _by_reference(f):
    @_functools.wraps(f)
    def call(*args, **kwargs):
        return f(*args, **kwargs)
    call.__module__ = __name__
    call.__qualname__ = f.__name__  # pybind11 says "PyCapsule.<name>"
    return call

for _name, _f in list(globals().items()):
    if not _name.startswith("_") and type(_f).__name__ == "builtin_function_or_method":
        globals()[_name] = _by_reference(_f)
del _name, _f, _by_reference
)py",
                 m.attr("__dict__"));
}
