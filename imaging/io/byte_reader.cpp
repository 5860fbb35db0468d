// Loading a file whole, with a clear error for anything that cannot be read.
#include "imaging/io/byte_reader.hpp"

#include <fstream>

#include "fitting/base/input_file.hpp"

namespace mgscope {

ByteReader::ByteReader(const std::string& path) : path_(path) {
  require_regular_file(path);
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) fail_input(path, "cannot open file");
  const std::streamoff size = in.tellg();
  if (size < 0) fail_input(path, "cannot determine file size");
  bytes_.resize(static_cast<std::size_t>(size));
  in.seekg(0);
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes_.data()), size)) fail_input(path, "read error");
}

void ByteReader::require(std::uint64_t offset, std::uint64_t count, const char* what) const {
  if (offset > bytes_.size() || count > bytes_.size() - offset)
    fail(offset, std::string("file ends before ") + what + " (needs " + std::to_string(count) +
                     " bytes, file has " + std::to_string(bytes_.size()) + ")");
}

}  // namespace mgscope
