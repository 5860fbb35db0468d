// The child sends the image back through a pipe in a small length-prefixed record.
#include "imaging/io/isolated_read.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "fitting/base/error.hpp"

namespace mgscope {

namespace {

struct Writer {
  std::string buf;
  template <class T>
  void pod(const T& v) {
    buf.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void str(const std::string& s) {
    pod(std::uint64_t(s.size()));
    buf += s;
  }
};

struct Reader {
  const std::string& buf;
  std::size_t pos = 0;
  const std::string& path;
  void need(std::size_t n) {
    if (pos + n > buf.size()) fail_input(path, "reader process returned a truncated image");
  }
  template <class T>
  T pod() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, buf.data() + pos, sizeof v);
    pos += sizeof v;
    return v;
  }
  std::string str() {
    const auto n = pod<std::uint64_t>();
    need(n);
    std::string s = buf.substr(pos, n);
    pos += n;
    return s;
  }
};

std::string encode(const LoadedImage& img) {
  Writer w;
  const ImageInfo& i = img.info;
  w.str(i.path);
  w.str(i.format);
  w.pod(i.width);
  w.pod(i.height);
  w.pod(i.frames);
  w.pod(i.frame);
  w.pod(i.pixel_type);
  const Calibration& c = i.calibration;
  w.pod(c.calibrated);
  w.pod(c.pixel_x_nm);
  w.pod(c.pixel_y_nm);
  w.pod(c.origin_x_nm);
  w.pod(c.origin_y_nm);
  w.str(c.source);
  w.pod(std::uint64_t(i.metadata.size()));
  for (const auto& [k, v] : i.metadata) {
    w.str(k);
    w.str(v);
  }
  w.pod(std::uint64_t(i.warnings.size()));
  for (const auto& s : i.warnings) w.str(s);
  w.pod(img.raw.width);
  w.pod(img.raw.height);
  w.pod(img.raw.type);
  w.str(std::string(reinterpret_cast<const char*>(img.raw.bytes.data()), img.raw.bytes.size()));
  return w.buf;
}

LoadedImage decode(const std::string& buf, const std::string& path) {
  Reader r{buf, 0, path};
  LoadedImage img;
  ImageInfo& i = img.info;
  i.path = r.str();
  i.format = r.str();
  i.width = r.pod<int>();
  i.height = r.pod<int>();
  i.frames = r.pod<int>();
  i.frame = r.pod<int>();
  i.pixel_type = r.pod<PixelType>();
  Calibration& c = i.calibration;
  c.calibrated = r.pod<bool>();
  c.pixel_x_nm = r.pod<double>();
  c.pixel_y_nm = r.pod<double>();
  c.origin_x_nm = r.pod<double>();
  c.origin_y_nm = r.pod<double>();
  c.source = r.str();
  for (auto n = r.pod<std::uint64_t>(); n > 0; --n) {
    std::string k = r.str();
    i.metadata[k] = r.str();
  }
  for (auto n = r.pod<std::uint64_t>(); n > 0; --n) i.warnings.push_back(r.str());
  img.raw.width = r.pod<int>();
  img.raw.height = r.pod<int>();
  img.raw.type = r.pod<PixelType>();
  const std::string bytes = r.str();
  img.raw.bytes.assign(bytes.begin(), bytes.end());
  return img;
}

void write_all(int fd, const std::string& s) {
  std::size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += std::size_t(n);
  }
}

}  // namespace

LoadedImage read_isolated(const std::string& path, const char* library, const std::function<LoadedImage()>& reader) {
  int fds[2];
  if (::pipe(fds) != 0) fail_input(path, std::string("cannot create a pipe: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    fail_input(path, std::string("cannot start the reader process: ") + std::strerror(errno));
  }
  if (pid == 0) {  // child: status byte 'I' (image), 'E' (InputError), 'X' (other error)
    ::close(fds[0]);
    std::string out;
    try {
      out = 'I' + encode(reader());
    } catch (const InputError& e) {
      out = std::string("E") + e.what();
    } catch (const std::exception& e) {
      out = std::string("X") + e.what();
    } catch (...) {
      out = "Xunknown error";
    }
    write_all(fds[1], out);
    ::close(fds[1]);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string reply;
  char chunk[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(chunk, std::size_t(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status))
    fail_input(path, std::string(library) + " crashed reading this file (signal " + std::to_string(WTERMSIG(status)) +
                         "): its internal structure is damaged");
  if (reply.empty()) fail_input(path, "the reader process ended without an answer");
  if (reply[0] == 'E') throw InputError(reply.substr(1));
  if (reply[0] == 'X') throw std::runtime_error(reply.substr(1));
  return decode(reply.substr(1), path);
}

}  // namespace mgscope
