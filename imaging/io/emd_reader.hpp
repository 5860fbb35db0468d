// EMD files (HDF5): Berkeley/NCEM EMD v0.2 and Thermo Fisher Velox, told apart by their layout.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "imaging/image.hpp"
#include "imaging/io/isolated_read.hpp"

namespace mgscope {

// Reads frame `options.frame` of the first image in an EMD file, with its calibration (nm) and
// the microscope metadata. Throws InputError naming the file and the HDF5 object on bad input.
// Conventions and errors: docs/readers-emd.md.
// The file is read in a child process (imaging/isolated_read.hpp): libhdf5 1.10.8 can crash on
// damaged files, and a crash must not take a batch down. The child loads the EMD module
// (libmgscope_emd.so: this reader and libhdf5), so the program itself never loads libhdf5.
LoadedImage read_emd(const std::string& path, const ReadOptions& options);

// The files the EMD module is looked for in, in order (module_candidates), for the run stamp.
std::vector<std::string> emd_module_candidates();

// The same reads, served by one child process kept for the file's frames (IsolatedReader).
std::unique_ptr<IsolatedReader> emd_reader_process(const std::string& path);

// The same, in this process (the module's entry; the fuzz target and the reader tests link it
// directly, as the static library mgscope_emd_reader).
LoadedImage read_emd_in_process(const std::string& path, const ReadOptions& options);

// True when the first `n` bytes start with the HDF5 signature (\x89HDF\r\n\x1a\n at byte 0, where
// EMD writers put the superblock). Any HDF5 file passes; read_emd tells Berkeley from Velox and
// refuses other layouts with a message.
bool looks_like_emd(const unsigned char* head, std::size_t n);

// Whether the file at `path` begins as an EMD (HDF5) file does; false when it cannot be read.
bool is_emd_file(const std::string& path);

}  // namespace mgscope
