# Finds the three OpenCV modules mgscope uses (core and imgproc; PNG files are written over libdeflate, imaging/png_encoder) without the
# full libopencv-dev meta package, whose CMake config drags in every OpenCV module.
# Defines the imported targets OpenCV::core and OpenCV::imgproc.
find_path(OpenCVMinimal_INCLUDE_DIR opencv2/core.hpp PATH_SUFFIXES opencv4)
set(_ocv_libs)
foreach(_m core imgproc)
  find_library(OpenCVMinimal_${_m}_LIBRARY NAMES opencv_${_m})
  list(APPEND _ocv_libs OpenCVMinimal_${_m}_LIBRARY)
endforeach()
if(OpenCVMinimal_INCLUDE_DIR AND EXISTS "${OpenCVMinimal_INCLUDE_DIR}/opencv2/core/version.hpp")
  file(STRINGS "${OpenCVMinimal_INCLUDE_DIR}/opencv2/core/version.hpp" _v REGEX "#define CV_VERSION_(MAJOR|MINOR|REVISION) ")
  string(REGEX REPLACE ".*MAJOR +([0-9]+).*" "\\1" _maj "${_v}")
  string(REGEX REPLACE ".*MINOR +([0-9]+).*" "\\1" _min "${_v}")
  string(REGEX REPLACE ".*REVISION +([0-9]+).*" "\\1" _rev "${_v}")
  set(OpenCVMinimal_VERSION "${_maj}.${_min}.${_rev}")
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(OpenCVMinimal
  REQUIRED_VARS OpenCVMinimal_INCLUDE_DIR ${_ocv_libs}
  VERSION_VAR OpenCVMinimal_VERSION)
if(OpenCVMinimal_FOUND)
  foreach(_m core imgproc)
    if(NOT TARGET OpenCV::${_m})
      add_library(OpenCV::${_m} UNKNOWN IMPORTED)
      set_target_properties(OpenCV::${_m} PROPERTIES
        IMPORTED_LOCATION "${OpenCVMinimal_${_m}_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${OpenCVMinimal_INCLUDE_DIR}")
    endif()
  endforeach()
endif()
