// libmgscope_zip.so: zip archives with libzip, loaded by zip_archive.cpp with dlopen the first
// time a zip is read or written. Its entry point is exported; everything else stays hidden.
#include <zip.h>

#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "fitting/base/zip_archive.hpp"

namespace mgscope {

namespace {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

struct SourceFree {
  void operator()(zip_source_t* s) const { zip_source_free(s); }
};

void for_each_member(const std::string& path, const std::function<void(const std::string&, std::uint64_t)>& check,
                     const std::function<void(const std::string&, std::string)>& take) {
  int err = 0;
  std::unique_ptr<zip_t, ZipCloser> za(zip_open(path.c_str(), ZIP_RDONLY, &err));
  if (!za) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    const std::string why = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    fail_input(path, "not a readable zip archive (" + why + ")");
  }
  const zip_int64_t n = zip_get_num_entries(za.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    if (zip_stat_index(za.get(), static_cast<zip_uint64_t>(i), 0, &st) != 0) fail_input(path, "unreadable zip entry");
    const std::string member = st.name ? st.name : "";
    if (member.empty() || member.back() == '/' || st.size == 0) continue;
    check(member, st.size);  // the archive's own claim, before anything is allocated
    const std::string label = path + ":" + member;
    zip_file_t* zf = zip_fopen_index(za.get(), static_cast<zip_uint64_t>(i), 0);
    if (!zf) fail_input(label, std::string("cannot open zip member (") + zip_strerror(za.get()) + ")");
    std::string bytes(static_cast<std::size_t>(st.size), '\0');
    const zip_int64_t got = zip_fread(zf, bytes.data(), st.size);
    zip_fclose(zf);
    if (got != static_cast<zip_int64_t>(st.size)) fail_input(label, "truncated or corrupt zip member");
    take(member, std::move(bytes));
  }
}

// 1980-01-01, the earliest time a zip entry can carry: any fixed stamp makes the bytes
// reproducible, and this one says plainly that it is not a real date.
constexpr time_t kFixedTime = 315532800;

std::runtime_error zip_failure(const char* step, zip_error_t* e) {
  return std::runtime_error(std::string("writing a zip: ") + step + ": " + zip_error_strerror(e));
}

// Written in memory through a libzip buffer source, so the caller decides where the bytes go
// (an atomic output folder).
std::vector<std::uint8_t> stored(const std::vector<ZipEntry>& entries) {
  // libzip writes nothing for an archive without entries: the empty zip is its end record alone.
  if (entries.empty()) return {'P', 'K', 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  zip_error_t error;
  zip_error_init(&error);
  std::unique_ptr<zip_source_t, SourceFree> buffer(zip_source_buffer_create(nullptr, 0, 0, &error));
  if (!buffer) throw zip_failure("buffer", &error);
  zip_t* za = zip_open_from_source(buffer.get(), ZIP_TRUNCATE, &error);
  if (!za) throw zip_failure("open", &error);
  zip_source_keep(buffer.get());  // zip_close would otherwise free the buffer holding the result
  for (const ZipEntry& e : entries) {  // the sources point into `entries` until zip_close
    zip_source_t* s = zip_source_buffer(za, e.bytes.data(), e.bytes.size(), 0);
    const zip_int64_t idx = s ? zip_file_add(za, e.name.c_str(), s, ZIP_FL_ENC_UTF_8) : -1;
    if (idx < 0) {
      if (s) zip_source_free(s);
      const std::string why = zip_strerror(za);
      zip_discard(za);
      throw std::runtime_error("writing a zip: entry " + e.name + ": " + why);
    }
    zip_set_file_compression(za, zip_uint64_t(idx), ZIP_CM_STORE, 0);
    zip_file_set_mtime(za, zip_uint64_t(idx), kFixedTime, 0);
  }
  if (zip_close(za) < 0) {
    const std::string why = zip_strerror(za);
    zip_discard(za);
    throw std::runtime_error("writing a zip: " + why);
  }
  zip_stat_t st;
  if (zip_source_open(buffer.get()) < 0) throw zip_failure("reopen", zip_source_error(buffer.get()));
  zip_source_stat(buffer.get(), &st);
  std::vector<std::uint8_t> out(std::size_t(st.size));
  const zip_int64_t n = zip_source_read(buffer.get(), out.data(), st.size);
  zip_source_close(buffer.get());
  if (n < 0 || zip_uint64_t(n) != st.size) throw std::runtime_error("writing a zip: reading the buffer back");
  return out;
}

}  // namespace

}  // namespace mgscope

extern "C" __attribute__((visibility("default"))) const mgscope::ZipModule* mgscope_zip_module() {
  static const mgscope::ZipModule table = [] {
    mgscope::ZipModule t;
    t.for_each_member = &mgscope::for_each_member;
    t.stored = &mgscope::stored;
    return t;
  }();
  return &table;
}
