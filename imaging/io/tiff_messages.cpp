// libtiff message capture: per-handle handlers plus a thread-local catch-all.
#include "imaging/io/tiff_messages.hpp"

#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace mgscope {

namespace {

thread_local TiffMessages* t_active = nullptr;

std::string format_message(const char* module, const char* fmt, va_list ap) {
  char buf[1024];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  std::string text = buf;
  if (module && *module) text = std::string(module) + ": " + text;
  return text;
}

int handle_error(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
  static_cast<TiffMessages*>(user)->errors.push_back(format_message(module, fmt, ap));
  return 1;  // handled: libtiff does not call the global handlers as well
}

int handle_warning(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
  static_cast<TiffMessages*>(user)->warnings.push_back(format_message(module, fmt, ap));
  return 1;
}

void global_error(const char* module, const char* fmt, va_list ap) {
  if (t_active) t_active->errors.push_back(format_message(module, fmt, ap));
}

void global_warning(const char* module, const char* fmt, va_list ap) {
  if (t_active) t_active->warnings.push_back(format_message(module, fmt, ap));
}

}  // namespace

std::string TiffMessages::errors_text() const {
  if (errors.empty()) return {};
  std::string s = "libtiff: ";
  for (std::size_t i = 0; i < errors.size(); ++i)
    if (i == 0 || errors[i] != errors[i - 1]) s += (i ? "; " : "") + errors[i];  // libtiff repeats itself
  return s;
}

TiffMessageScope::TiffMessageScope(TiffMessages& messages) : previous_(t_active) {
  static std::once_flag installed;
  std::call_once(installed, [] {
    TIFFSetErrorHandler(global_error);
    TIFFSetWarningHandler(global_warning);
  });
  t_active = &messages;
  options_ = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetErrorHandlerExtR(options_, handle_error, &messages);
  TIFFOpenOptionsSetWarningHandlerExtR(options_, handle_warning, &messages);
}

TiffMessageScope::~TiffMessageScope() {
  TIFFOpenOptionsFree(options_);
  t_active = previous_;
}

}  // namespace mgscope
