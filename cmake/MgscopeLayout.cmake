# The dependency graph the layout promises (README "Layout"), checked at configure time so that
# a new link that breaks it fails the build instead of slipping in:
#   mgscope -> mgscope_pipelines -> {mgscope_imaging, mgscope_fitting, mgscope_magnetics} -> base
# and the image readers (mgscope_image_io) link the base only: no Eigen, libzip, FFTW or OpenCV.
# libhdf5 is linked by the EMD module alone (mgscope_emd <- mgscope_emd_reader), loaded with dlopen,
# and libzip by the zip module alone (mgscope_zip).
#   mgscope -> mgscope_work_team -> mgscope_pipelines
# MPI is linked by the MPI module alone (mgscope_mpi, libmgscope_mpi.so), which mgscope_work_team
# loads with dlopen when mpirun or srun started the program: the libraries, the executable, the
# tests and the Python module never carry it (only a program started by mpirun may initialise
# MPI, and a run without mpirun should not pay for mapping Open MPI's libraries).

# All targets `target` links, directly or through others (LINK_LIBRARIES and INTERFACE_LINK_LIBRARIES).
function(mgscope_collect_links target out_var)
  set(seen "")
  set(queue ${target})
  while(queue)
    list(POP_FRONT queue t)
    foreach(prop LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
      get_target_property(libs ${t} ${prop})
      if(NOT libs)
        continue()
      endif()
      foreach(lib IN LISTS libs)
        string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" lib "${lib}")
        if(lib IN_LIST seen)
          continue()
        endif()
        list(APPEND seen ${lib})
        if(TARGET ${lib})
          list(APPEND queue ${lib})
        endif()
      endforeach()
    endforeach()
  endwhile()
  set(${out_var} ${seen} PARENT_SCOPE)
endfunction()

# Fails the configuration when `target` links any of the FORBIDDEN targets.
function(mgscope_forbid_links target)
  cmake_parse_arguments(F "" "" "FORBIDDEN" ${ARGN})
  mgscope_collect_links(${target} links)
  foreach(bad IN LISTS F_FORBIDDEN)
    if(bad IN_LIST links)
      message(FATAL_ERROR "layout: ${target} must not link ${bad} (see README, Layout)")
    endif()
  endforeach()
endfunction()

function(mgscope_check_layout)
  set(ours mgscope_pipelines mgscope_imaging mgscope_image_io mgscope_fitting mgscope_magnetics
           mgscope_least_squares)
  foreach(lib mgscope_pipelines mgscope_imaging mgscope_fitting mgscope_magnetics)
    mgscope_forbid_links(${lib} FORBIDDEN mgscope_work_team MPI::MPI_CXX MPI::MPI_C)
  endforeach()
  foreach(target mgscope_work_team mgscope)
    mgscope_forbid_links(${target} FORBIDDEN MPI::MPI_CXX MPI::MPI_C)
  endforeach()
  # The MPI module holds the dealing and nothing of ours: no second copy of the libraries.
  if(TARGET mgscope_mpi)
    mgscope_forbid_links(mgscope_mpi FORBIDDEN ${ours} mgscope_base mgscope_work_team)
  endif()
  mgscope_forbid_links(mgscope_base FORBIDDEN ${ours} Eigen3::Eigen PkgConfig::LIBZIP)
  mgscope_forbid_links(mgscope_image_io FORBIDDEN mgscope_pipelines mgscope_imaging mgscope_fitting
                       mgscope_magnetics mgscope_least_squares Eigen3::Eigen PkgConfig::LIBZIP
                       PkgConfig::FFTW3F OpenCV::core)
  mgscope_forbid_links(mgscope_imaging FORBIDDEN mgscope_pipelines mgscope_fitting mgscope_magnetics)
  # libhdf5 (with the libcurl, gnutls and Kerberos it brings) stays in the EMD module, loaded only
  # to read an EMD file: the program's start does not pay for it.
  foreach(lib mgscope_image_io mgscope_imaging mgscope_pipelines)
    mgscope_forbid_links(${lib} FORBIDDEN mgscope_emd_reader PkgConfig::HDF5)
  endforeach()
  mgscope_forbid_links(mgscope_fitting FORBIDDEN mgscope_pipelines mgscope_imaging mgscope_image_io
                       mgscope_magnetics)
  mgscope_forbid_links(mgscope_magnetics FORBIDDEN mgscope_pipelines mgscope_imaging mgscope_image_io
                       mgscope_fitting PkgConfig::LIBZIP)
  # libzip (with the libcrypto and libbz2 it brings) stays in the zip module, loaded only to read
  # or write a zip (fitting/base/zip_archive.hpp); the module holds nothing of ours.
  foreach(target mgscope_imaging mgscope_fitting mgscope_pipelines mgscope_work_team mgscope)
    mgscope_forbid_links(${target} FORBIDDEN PkgConfig::LIBZIP)
  endforeach()
  mgscope_forbid_links(mgscope_zip FORBIDDEN ${ours} mgscope_base)
  mgscope_forbid_direct_json_include()
endfunction()

# nlohmann-json is included through fitting/base/json.hpp alone, which keeps its assertions as
# exceptions: a file that included it directly would compile the same inline functions without them.
function(mgscope_forbid_direct_json_include)
  file(GLOB_RECURSE sources RELATIVE ${PROJECT_SOURCE_DIR} CONFIGURE_DEPENDS
       ${PROJECT_SOURCE_DIR}/imaging/*.[ch]pp ${PROJECT_SOURCE_DIR}/fitting/*.[ch]pp
       ${PROJECT_SOURCE_DIR}/magnetics/*.[ch]pp ${PROJECT_SOURCE_DIR}/pipelines/*.[ch]pp
       ${PROJECT_SOURCE_DIR}/tests/*.[ch]pp)
  foreach(source IN LISTS sources)
    if(source STREQUAL "fitting/base/json.hpp")
      continue()
    endif()
    file(STRINGS ${PROJECT_SOURCE_DIR}/${source} direct REGEX "^#include [<\"]nlohmann/")
    if(direct)
      message(FATAL_ERROR "layout: ${source} includes nlohmann-json directly; include \"fitting/base/json.hpp\"")
    endif()
  endforeach()
endfunction()
