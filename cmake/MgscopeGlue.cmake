# Glue compiled at -O1 in Release: the sources of the executable, the output/report library, the
# batch team and the Python bindings (the tests: tests/CMakeLists.txt). None of their loops is hot
# (the analysis runs in imaging/, fitting/ and magnetics/, which keep the build type's -O3), and at
# -O3 each of these files spent 8-20 s compiling, more than half of it generating code for CLI11's,
# nlohmann-json's and pybind11's templates: -O1 takes ~30 % less. The results are the same bits
# (IEEE arithmetic at either level, no -ffast-math).
function(mgscope_glue_optimisation target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE $<$<CONFIG:Release>:-O1>)
  endif()
endfunction()
