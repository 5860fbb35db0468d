# mgscope_standard_headers(TARGET): the standard headers most of TARGET's files include, parsed once
# for the target (a precompiled header) instead of once a file.
#
# Used for the readers, fitting, magnetics and base libraries, compiled a file at a time: there ~40 %
# of a file's compile time was parsing, most of it the standard library's headers. Which headers a
# file may use is unchanged: each still includes what it uses (a file compiled without the
# precompiled header, as with SKIP_PRECOMPILE_HEADERS or another compiler, must build as well).
# The results are the same bits (IEEE arithmetic, no contraction), but the machine code is not the
# same: with the headers seen first, GCC inlines some string, mutex and shared_ptr helpers otherwise
# and allocates registers otherwise (25 of these libraries' 100 objects differ). For mgscope_imaging
# that made the HRTEM batch ~2 % slower (paired runs, session 58), so it has none; for the others,
# whose loops are not a speed target, it saves ~23 s of CPU a build.
function(mgscope_standard_headers target)
  target_precompile_headers(${target} PRIVATE <algorithm> <array> <bitset> <cmath> <complex> <cstdint> <cstring>
                            <functional> <limits> <map> <memory> <mutex> <optional> <sstream> <stdexcept> <string>
                            <tuple> <vector>)
endfunction()
