#include "pipelines/output_folder.hpp"

#include <stdexcept>
#include <system_error>

#include "pipelines/atomic_file.hpp"
#include "pipelines/output_guard.hpp"

namespace mgscope {

OutputFolder::OutputFolder(std::filesystem::path destination)
    : destination_(std::move(destination)), temp_(temp_path_for(destination_)) {
  refuse_overwriting_inputs(destination_);
  if (destination_.has_parent_path()) std::filesystem::create_directories(destination_.parent_path());
  remove_stale_temporaries(destination_);
  std::filesystem::create_directories(temp_);
}

OutputFolder::~OutputFolder() {
  if (!committed_) {
    std::error_code ec;
    std::filesystem::remove_all(temp_, ec);
  }
}

void OutputFolder::write(const std::string& file_name, std::string_view bytes) const {
  write_file_atomic(temp_ / file_name, bytes);
}

void OutputFolder::commit() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path old;
  refuse_overwriting_inputs(destination_);
  if (fs::exists(destination_)) {
    old = temp_path_for(destination_);
    fs::rename(destination_, old, ec);
    if (ec) throw std::runtime_error(destination_.string() + ": cannot replace the old outputs: " + ec.message());
  }
  fs::rename(temp_, destination_, ec);
  if (ec) {
    if (!old.empty()) fs::rename(old, destination_);
    throw std::runtime_error(destination_.string() + ": cannot move outputs into place: " + ec.message());
  }
  committed_ = true;
  if (!old.empty()) fs::remove_all(old, ec);
}

}  // namespace mgscope
