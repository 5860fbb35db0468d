// When an input fails in one command, what the file looks like if another command reads it: the
// usual cause of "no temperature column" or "not a supported image format" on a good file is the
// wrong command (`mgscope dsc` given an MPMS file, `mce --mh` given an M(T) sweep).
#pragma once
#include <string>

namespace mgscope {

// `command`: "hrtem", "creep", "hardness", "dsc", "mce --mt" or "mce --mh". Returns "; it looks
// like KIND: `mgscope OTHER` reads it" when the file sniffer (measurement_sniffer.hpp) places
// `path` with another command or option, else "" (the file is this command's, or nobody's, or
// `command` is empty).
// Reads the file's head only; never throws.
std::string reader_hint(const std::string& path, const std::string& command);

}  // namespace mgscope
