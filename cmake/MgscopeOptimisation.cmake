# mgscope_release_optimisation(TARGET LEVEL): compiles TARGET's own sources at LEVEL (-O1, -O0) in
# Release builds instead of the build type's -O3.
#
# Used for glue, at -O1: the executable's sources, the output/report library, the batch team and
# the Python bindings. None of their loops is hot (the analysis runs in imaging/, fitting/ and
# magnetics/, which keep -O3), and at -O3 each of these files spent 8-20 s compiling, more than half
# of it generating code for CLI11's, nlohmann-json's and pybind11's templates: -O1 takes ~30 % less.
# The tests use -O0 (tests/CMakeLists.txt says why). The results are the same bits at any level (IEEE
# arithmetic, no -ffast-math).
function(mgscope_release_optimisation target level)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE $<$<CONFIG:Release>:${level}>)
  endif()
endfunction()
