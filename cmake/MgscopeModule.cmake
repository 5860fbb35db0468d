# mgscope_add_module(NAME SOURCES a.cpp ... LINK lib ... LOADER target MACRO NAME)
#
# A module of mgscope: a shared library loaded with dlopen only by the runs that need it (the EMD
# reader with libhdf5, the MPI team with Open MPI, the figures with OpenCV), so that the libraries
# it brings cost nothing at the start of every other run. Only its entry point is exported; the
# copies of our static code it links stay hidden. Installed to <libdir>/mgscope; the LOADER target
# gets MACRO, the ':'-separated places to look (fitting/base/module_paths.hpp): beside the running
# program wherever it was installed (@exe), the build tree, the configured prefix. The build tree
# comes before the prefix so that a program run from the build tree loads the module built with it,
# not an older one installed at the prefix (an installed program finds its own through @exe).
function(mgscope_add_module name)
  cmake_parse_arguments(M "" "LOADER;MACRO" "SOURCES;LINK" ${ARGN})
  add_library(${name} MODULE ${M_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${M_LINK})
  set_target_properties(${name} PROPERTIES CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
                        LINK_OPTIONS "-Wl,--exclude-libs,ALL")
  mgscope_warnings(${name})
  install(TARGETS ${name} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/mgscope)
  set(file "lib${name}.so")
  target_compile_definitions(${M_LOADER} PRIVATE
    ${M_MACRO}="@exe/../${CMAKE_INSTALL_LIBDIR}/mgscope/${file}:$<TARGET_FILE:${name}>:${CMAKE_INSTALL_FULL_LIBDIR}/mgscope/${file}")
endfunction()
