# mgscope_standard_headers(TARGET): the standard headers most of TARGET's files include, parsed once
# for the target (a precompiled header) instead of once a file.
#
# Used for the analysis libraries, compiled a file at a time: there ~40 % of a file's compile time
# was parsing, most of it the standard library's headers. With them precompiled, the five libraries'
# 108 files took 256 s of CPU against 296 s, the headers' own compiles included (session 58). Which headers a file may use is unchanged: each
# still includes what it uses (a file compiled without the precompiled header, as with
# SKIP_PRECOMPILE_HEADERS or another compiler, must build as well). The code generated is the same.
function(mgscope_standard_headers target)
  target_precompile_headers(${target} PRIVATE <algorithm> <array> <bitset> <cmath> <complex> <cstdint> <cstring>
                            <functional> <limits> <map> <memory> <mutex> <optional> <sstream> <stdexcept> <string>
                            <tuple> <vector>)
endfunction()
