# mgscope_unity_build(TARGET BATCH): compiles TARGET's sources BATCH at a time, as one translation
# unit each, when MGSCOPE_UNITY_BUILD is ON (the default).
#
# Used for the glue (the executable, the output/report library, the batch team and the Python
# bindings) and the test executables of several files. The glue's time goes to the templates of
# CLI11 2.1 (header-only in Debian 12), nlohmann-json, toml++ and pybind11, which every file
# instantiated and compiled again: ~8 s a command file at any optimisation level (-O0 saves ~5 %,
# a precompiled header ~12 %), where four command files compiled as one take ~12 s instead of
# ~33 s; the tests', to GoogleTest's. The analysis libraries are not batched: their hot loops'
# code should not depend on which files happen to share a unit.
#
# In a batch, file-local names share one anonymous namespace: the sources keep their local helpers'
# names distinct (a clash is a compile error, except for overloads, which
# scripts/check_unity_names.py lists; a ctest runs it on every batched folder and test executable).
# OFF compiles each file alone, for quick rebuilds of one file.
option(MGSCOPE_UNITY_BUILD "Compile the command-line, report and Python glue and the tests a batch of files at a time" ON)

function(mgscope_unity_build target batch)
  if(MGSCOPE_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE BATCH
                          UNITY_BUILD_BATCH_SIZE ${batch})
  endif()
endfunction()
