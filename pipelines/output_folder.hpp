// A folder of outputs that appears whole or not at all: files are written into a temporary
// sibling folder, which replaces the destination on commit().
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace mgscope {

class OutputFolder {
 public:
  explicit OutputFolder(std::filesystem::path destination);
  ~OutputFolder();  // without commit(): the temporary folder is removed
  OutputFolder(const OutputFolder&) = delete;
  OutputFolder& operator=(const OutputFolder&) = delete;

  // Where to write files now (inside the temporary folder).
  std::filesystem::path path(const std::string& file_name) const { return temp_ / file_name; }
  const std::filesystem::path& temp() const { return temp_; }
  void write(const std::string& file_name, std::string_view bytes) const;
  // Runs `write` with the file's path in the temporary folder; an OutputError it throws naming that
  // path is thrown again naming the file where the user will look for it (the destination).
  void write_with(const std::string& file_name, const std::function<void(const std::filesystem::path&)>& write) const;
  // `text` (a warning, an error) with the temporary folder's path replaced by the destination's
  // wherever it occurs: a figure that gnuplot failed to draw must be named where the user looks.
  std::string at_destination(std::string text) const;
  void commit();

 private:
  std::filesystem::path destination_, temp_;
  bool committed_ = false;
};

}  // namespace mgscope
