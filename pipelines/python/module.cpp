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
`mgscope` command line. Lengths in nm, times in s, loads in mN, areas in nm^2, temperatures in K
(DSC too), fields in Oe (field_Oe; mu0H_T in T), moduli in GPa; every name carries its unit.
Bad files raise mgscope.InputError (a ValueError) with the command line's message; invalid options
raise ValueError naming the option. Results are dicts with status, message, warnings and usable
(each warning also issued as a mgscope.DoubtWarning at the caller's line);
docs/python.md says which calls return status 'Failure' for bad data and which raise. A 'Failure' has
no numbers: its floats are NaN (counts such as n_points stay), where the command writes null.)doc";
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
  // functools.wraps left __wrapped__ pointing at the builtin, whose signature inspect cannot read:
  // inspect.signature() (help(), IDEs, notebooks' completion) raised ValueError for every function.
  // The wrapper instead carries the signature pybind11 writes on its docstring's first line.
  pybind11::exec(R"py(
import ast as _ast
import functools as _functools
import inspect as _inspect
import os as _os
import warnings as _warnings


class _Default:
    """A default whose repr is not Python (pybind11 prints some objects as <...>): shown as written."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def _parameter(src, arg, default, kind):
    annotation = _ast.get_source_segment(src, arg.annotation) if arg.annotation else _inspect.Parameter.empty
    if default is None:
        value = _inspect.Parameter.empty
    else:
        text = _ast.get_source_segment(src, default)
        try:
            value = _ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = _Default(text)
    return _inspect.Parameter(arg.arg, kind, default=value, annotation=annotation)


def _signature(f):
    """The signature of "name(a: int, *, b: float = 1.0) -> dict", pybind11's first docstring line;
    (*args, **kwargs) when that line does not parse."""
    P = _inspect.Parameter
    try:
        src = "def " + (f.__doc__ or "").split("\n", 1)[0] + ": pass"
        args = _ast.parse(src).body[0].args
        returns = _ast.parse(src).body[0].returns
        positional = args.posonlyargs + args.args
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        params = [_parameter(src, a, d, P.POSITIONAL_OR_KEYWORD) for a, d in zip(positional, defaults)]
        if args.vararg:
            params.append(P(args.vararg.arg, P.VAR_POSITIONAL))
        params += [_parameter(src, a, d, P.KEYWORD_ONLY) for a, d in zip(args.kwonlyargs, args.kw_defaults)]
        if args.kwarg:
            params.append(P(args.kwarg.arg, P.VAR_KEYWORD))
        ret = _ast.get_source_segment(src, returns) if returns else _inspect.Signature.empty
        return _inspect.Signature(params, return_annotation=ret)
    except (SyntaxError, ValueError, AttributeError, IndexError):
        return _inspect.Signature([P("args", P.VAR_POSITIONAL), P("kwargs", P.VAR_KEYWORD)])


# The command line's options whose keyword is not their name with "_" for "-", nor that name and a
# unit ("--box" is box_nm): named by the notes of _add_keyword_note.
_KEYWORD_OF_OPTION = {"--pixel-size": "pixel_nm", "--spectrum-tau-min-s": "tau_min_s",
                      "--spectrum-tau-max-s": "tau_max_s", "--spectrum-points-per-decade": "points_per_decade"}


def _add_keyword_note(error, keywords):
    """A ValueError keeps the command line's message (the file, the place, the rule), whose advice
    names options ("give --pixel-size"): a note under it names this function's keywords for them
    ("In Python: --pixel-size is pixel_nm="), where the two spellings differ and the message does
    not name the keyword already ("--rate (CurveOptions.rate_K_per_min)")."""
    import re
    said = []
    for option in dict.fromkeys(re.findall(r"--[a-z][a-z0-9-]*[a-z0-9]", str(error))):
        base = option[2:].replace("-", "_")
        keyword = _KEYWORD_OF_OPTION.get(option)
        if keyword is None:
            keyword = next((k for k in keywords if k.startswith(base + "_")), None)
        if keyword in keywords and keyword != base and not re.search(r"\b" + keyword + r"\b", str(error)):
            said.append(f"{option} is {keyword}=")
    if said and hasattr(error, "add_note"):  # Python 3.11
        error.add_note("In Python: " + ", ".join(said))


class DoubtWarning(UserWarning):
    """A number mgscope doubts, said where a notebook shows it: the text of the result's `warnings`
    (the same text as in the command's terminal, JSON, CSV and report page). The result still carries
    it in `warnings`; `warnings.simplefilter("ignore", mgscope.DoubtWarning)` silences them."""


DoubtWarning.__module__ = __name__


def _doubts(value, found):
    """The texts of every `warnings` list of a result, in its nested dicts and lists too, each once
    (a table, such as a DataFrame, is not looked into; a series' per-point counts are not texts)."""
    if isinstance(value, dict):
        own = value.get("warnings")
        if isinstance(own, (list, tuple)):  # a dict's own first, then its parts'
            found.extend(text for text in own if isinstance(text, str) and text not in found)
        for key, item in value.items():
            if key != "warnings":
                _doubts(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _doubts(item, found)
    return found


def _by_reference(f):
    signature = _signature(f)
    keywords = list(signature.parameters)

    @_functools.wraps(f)
    def call(*args, **kwargs):
        try:
            result = f(*args, **kwargs)
        except ValueError as error:
            _add_keyword_note(error, keywords)
            raise
        # A doubt kept only in a dict's key is the log file nobody reads: a notebook shows a warning,
        # naming the file it was called on where the text does not.
        where = _os.fspath(args[0]) if args and isinstance(args[0], (str, _os.PathLike)) else ""
        for text in _doubts(result, []):
            head = f"mgscope.{f.__name__}({where!r})" if where and where not in text else f"mgscope.{f.__name__}"
            _warnings.warn(f"{head}: {text}", DoubtWarning, stacklevel=2)
        return result
    del call.__wrapped__  # inspect would follow it to the builtin
    call.__signature__ = signature
    call.__module__ = __name__
    call.__qualname__ = f.__name__  # pybind11 says "PyCapsule.<name>"
    return call


for _name, _f in list(globals().items()):
    if not _name.startswith("_") and type(_f).__name__ == "builtin_function_or_method":
        globals()[_name] = _by_reference(_f)
del _name, _f, _by_reference, _signature, _parameter
)py",
                 m.attr("__dict__"));
}
