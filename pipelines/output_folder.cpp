#include "pipelines/output_folder.hpp"

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "fitting/base/error.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/output_guard.hpp"

namespace mgscope {

OutputFolder::OutputFolder(std::filesystem::path destination)
    : destination_(std::move(destination)), temp_(temp_path_for(destination_)) {
  refuse_overwriting_inputs(destination_);
  if (destination_.has_parent_path()) create_output_folder(destination_.parent_path());
  remove_stale_temporaries(destination_);
  // Named by the destination, where the user looks: "OUT/a.tmp-PID-N: cannot create ..." had named
  // a folder that never existed.
  std::error_code ec;
  if (!std::filesystem::create_directory(temp_, ec) || ec)
    fail_output(destination_, "cannot create the output folder", ec ? ec.value() : EEXIST);
}

OutputFolder::~OutputFolder() {
  if (!committed_) {
    std::error_code ec;
    std::filesystem::remove_all(temp_, ec);
  }
}

void OutputFolder::write(const std::string& file_name, std::string_view bytes) const {
  write_with(file_name, [&](const std::filesystem::path& p) { write_file_atomic(p, bytes); });
}

void OutputFolder::write_with(const std::string& file_name,
                              const std::function<void(const std::filesystem::path&)>& write) const {
  try {
    write(temp_ / file_name);
  } catch (const OutputError& e) {  // named where the user will look for it, not by the temporary folder
    const std::string what = e.what();
    if (what.rfind(temp_.string(), 0) != 0) throw;
    throw OutputError(at_destination(what));
  }
}

std::string OutputFolder::at_destination(std::string text) const {
  const std::string temp = temp_.string(), destination = destination_.string();
  for (std::size_t at = text.find(temp); at != std::string::npos; at = text.find(temp, at + destination.size()))
    text.replace(at, temp.size(), destination);
  return text;
}

void OutputFolder::commit() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path old;
  refuse_overwriting_inputs(destination_);
  if (fs::exists(destination_)) {
    old = temp_path_for(destination_);
    fs::rename(destination_, old, ec);
    if (ec) fail_output(destination_, "cannot replace the old outputs", ec.value());
  }
  fs::rename(temp_, destination_, ec);
  if (ec) {
    if (!old.empty()) fs::rename(old, destination_);
    fail_output(destination_, "cannot move the outputs into place", ec.value());
  }
  committed_ = true;
  if (!old.empty()) fs::remove_all(old, ec);
}

}  // namespace mgscope
