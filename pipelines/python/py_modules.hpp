// The binding files of the Python module, one per area, each adding its functions to the module.
#pragma once
#include <pybind11/pybind11.h>

namespace mgscope::py {

void bind_images(pybind11::module_& m);  // read_image, hrtem, hrtem_combined (py_images.cpp)
void bind_hrtem_series(pybind11::module_& m);  // hrtem_series (py_hrtem_series.cpp)
void bind_spot_calibration(pybind11::module_& m);  // SpotCalibration (py_spot_calibration.cpp)
void bind_indentation(
    pybind11::module_& m);  // creep, relaxation spectrum, Oliver-Pharr (py_indentation.cpp)
void bind_curves(pybind11::module_& m);  // DSC transitions, power law (py_curves.cpp)
void bind_magnetics(
    pybind11::module_& m);  // Quantum Design files, -dSm(T, H), figures of merit (py_magnetics.cpp)

}  // namespace mgscope::py
