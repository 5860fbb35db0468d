// EMD dispatch: Velox files have /Data/Image; Berkeley files have groups marked
// emd_group_type = 1. Anything else is an HDF5 file that is not an image we know. This file and
// the HDF5 code behind it make the EMD module (libmgscope_emd.so, emd_module.cpp) that the
// program loads only when it reads an EMD file.
#include "imaging/io/emd_reader.hpp"

#include <memory>
#include <optional>
#include <string>

#include "fitting/base/error.hpp"
#include "imaging/io/emd_flavours.hpp"
#include "imaging/io/mapped_file.hpp"

namespace mgscope {

namespace {

// The file ReadOptions::keep_open kept, with its stamp: a file rewritten since (another size or
// modification time) is opened again.
struct KeptFile {
  std::unique_ptr<Hdf5File> file;
  std::string path;
  FileStamp stamp;
};

const Hdf5File& kept_file(const std::string& path) {
  static KeptFile kept;
  const FileStamp stamp = file_stamp(path);
  if (!kept.file || kept.path != path || stamp != kept.stamp || stamp == FileStamp{}) {
    kept.file.reset();  // closed before another is opened
    kept.file = std::make_unique<Hdf5File>(path, true);
    kept.path = path;
    kept.stamp = stamp;
  }
  return *kept.file;
}

}  // namespace

LoadedImage read_emd_in_process(const std::string& path, const ReadOptions& options) {
  if (options.frame < 0) fail_input(path, "frame " + std::to_string(options.frame) + " asked; frames count from 0");
  std::optional<Hdf5File> own;
  if (!options.keep_open) own.emplace(path);
  const Hdf5File& f = options.keep_open ? kept_file(path) : *own;
  if (f.is_group("/Data/Image")) return read_emd_velox(f, options);
  std::vector<std::string> data_groups;
  for (const std::string& g : f.all_groups()) {
    const H5Id group = f.open_group(g);
    const auto type = attribute_number(f, group.get(), g, "emd_group_type");
    if (type && *type == 1) data_groups.push_back(g);
  }
  if (!data_groups.empty()) return read_emd_berkeley(f, data_groups, options);
  f.fail("/", "HDF5 file but not an EMD image: no group with emd_group_type = 1 (Berkeley EMD) "
              "and no /Data/Image group (Velox)");
}

}  // namespace mgscope

