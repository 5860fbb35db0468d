# mgscope_unity_build(TARGET BATCH): compiles TARGET's sources BATCH at a time, as one translation
# unit each, when MGSCOPE_UNITY_BUILD is ON (the default); BATCH 0 compiles them all as one unit.
#
# Used for the glue (the executable, the output/report library, the batch team and the Python
# bindings) and the test executables, one unit each. The glue's time goes to the
# templates of CLI11 2.1 (header-only in Debian 12: its header alone is ~5 s at -O1), nlohmann-json,
# toml++ and pybind11, which every unit instantiates and compiles again: the glue took 205 s of CPU
# as 11 units of 5-8 files and takes 129 s as 4 (session 58); the tests', GoogleTest's (225 s as 46
# units, 108 s as 7: tests/CMakeLists.txt). The analysis libraries are not batched: their hot loops'
# code should not depend on which files happen to share a unit.
#
# In a batch, file-local names share one anonymous namespace: the sources keep their local helpers'
# names distinct (a clash is a compile error, except for overloads, which
# scripts/check_unity_names.py lists; a ctest runs it on every batched folder and test executable).
# OFF compiles each file alone, for quick rebuilds of one file while editing the glue or a test (a
# change to one file rebuilds its target's whole unit otherwise: 25-60 s).
option(MGSCOPE_UNITY_BUILD "Compile the command-line, report and Python glue and the tests a batch of files at a time" ON)

function(mgscope_unity_build target batch)
  if(MGSCOPE_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE BATCH
                          UNITY_BUILD_BATCH_SIZE ${batch})
  endif()
endfunction()
