// Routes libtiff's warnings and errors into the caller's result, never to stderr.
#pragma once
#include <string>
#include <vector>

#include <tiffio.h>

namespace mgscope {

struct TiffMessages {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  // "libtiff: a; b" or "" when libtiff said nothing.
  std::string errors_text() const;
};

// While alive, every libtiff message about a handle opened with options() goes to `messages`,
// and so does any message libtiff emits without a handle on this thread. Handle-bound messages
// use libtiff 4.5's per-handle handlers (re-entrant, immune to another library replacing the
// global ones); the process-wide handlers, installed once, only catch the rest through a
// thread-local pointer and drop what arrives while no scope is alive on that thread.
class TiffMessageScope {
 public:
  explicit TiffMessageScope(TiffMessages& messages);
  ~TiffMessageScope();
  TiffMessageScope(const TiffMessageScope&) = delete;
  TiffMessageScope& operator=(const TiffMessageScope&) = delete;

  // Open options carrying the per-handle handlers, for TIFFOpenExt.
  TIFFOpenOptions* options() const { return options_; }

 private:
  TiffMessages* previous_;
  TIFFOpenOptions* options_;
};

}  // namespace mgscope
