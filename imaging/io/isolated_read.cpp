// The child answers a read with a status byte, a length-prefixed record (the image's description,
// or an error's message) and, for an image, the pixel bytes straight from the reader's buffer, read
// by the parent straight into the image's own: each process holds the pixels once (an 8192^2
// float32 EMD took 1.29 GB and 9.9 s in `mgscope info` when the reply was one string, copied four
// times on its way). The child answers request after request on a socket pair until the parent
// closes its end; read_isolated asks one.
#include "imaging/io/isolated_read.hpp"

#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

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

// The image's description and shape, and its pixels' byte count (the pixels follow apart).
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
  w.pod(std::uint64_t(img.raw.byte_count()));
  return w.buf;
}

// The image `encode` described, its pixel buffer sized but not yet filled.
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
  const auto bytes = r.pod<std::uint64_t>();
  if (img.raw.width < 0 || img.raw.height < 0 ||
      bytes != std::uint64_t(img.raw.width) * std::uint64_t(img.raw.height) * pixel_type_bytes(img.raw.type))
    fail_input(path, "the reader process returned pixels that do not fit the image's shape");
  img.raw.bytes.resize(static_cast<std::size_t>(bytes));
  return img;
}

void write_all(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, p + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += std::size_t(n);
  }
}

// Reads up to `size` bytes; fewer only at the end of the stream.
std::size_t read_up_to(int fd, void* data, std::size_t size) {
  char* p = static_cast<char*>(data);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, p + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += std::size_t(n);
  }
  return done;
}

// A read asked of an IsolatedReader's process.
struct Request {
  std::int32_t frame;
  std::int32_t map_pixels;
};

// What the parent read: the status byte ('I' image, 'E' InputError, 'X' other error; 0 when the
// child sent nothing), with the image or the message. `whole` is false when the stream ended early.
struct Reply {
  char status = 0;
  bool whole = false;
  LoadedImage image;
  std::string message;
};

// One reply of the child: the status byte, a length-prefixed record (the image's description, or
// the error's message), and for an image its pixels.
Reply read_reply(int fd, const std::string& path) {
  Reply r;
  if (read_up_to(fd, &r.status, 1) != 1) return r;
  std::uint64_t size = 0;
  if (read_up_to(fd, &size, sizeof size) != sizeof size || size > (std::uint64_t(1) << 30)) return r;
  std::string record(static_cast<std::size_t>(size), '\0');
  if (read_up_to(fd, record.data(), record.size()) != record.size()) return r;
  if (r.status != 'I') {
    r.message = std::move(record);
    r.whole = true;
    return r;
  }
  r.image = decode(record, path);
  std::vector<std::uint8_t>& px = r.image.raw.bytes;
  r.whole = read_up_to(fd, px.data(), px.size()) == px.size();
  return r;
}

// Runs `reader` and sends its reply ('I' image, 'E' InputError, 'X' other error) on `fd`.
void answer(int fd, const std::function<LoadedImage()>& reader) {
  char status = 'I';
  std::string record;
  LoadedImage img;
  try {
    img = reader();
    record = encode(img);
  } catch (const InputError& e) {
    status = 'E';
    record = e.what();
  } catch (const std::exception& e) {
    status = 'X';
    record = e.what();
  } catch (...) {
    status = 'X';
    record = "unknown error";
  }
  const std::uint64_t size = record.size();
  const std::string head =
      std::string(1, status) + std::string(reinterpret_cast<const char*>(&size), sizeof size) + record;
  write_all(fd, head.data(), head.size());
  if (status == 'I') write_all(fd, img.raw.data(), img.raw.byte_count());
}

// In a forked child: closes every inherited descriptor but `keep` (and the standard streams), so
// that the child holds no other reader process's socket open (that one would then never see its
// parent close it).
void close_inherited_descriptors(int keep) {
  if (keep > 3) ::close_range(3, unsigned(keep) - 1, 0);
  ::close_range(unsigned(keep) + 1, ~0U, 0);
}

// The image of a whole reply, or its error thrown; `ended_status` (waitpid's) says how the process
// that sent it ended when the reply was cut short (then refused as a crash or an unanswered read).
LoadedImage image_of(Reply&& reply, const std::string& path, const char* library, int ended_status) {
  if (!reply.whole) {
    if (WIFSIGNALED(ended_status))
      fail_input(path, std::string(library) + " crashed reading this file (signal " +
                           std::to_string(WTERMSIG(ended_status)) + "): its internal structure is damaged");
    fail_input(path, "the reader process ended without an answer");
  }
  if (reply.status == 'E') throw InputError(reply.message);
  if (reply.status == 'X') throw std::runtime_error(reply.message);
  if (reply.status != 'I') fail_input(path, "the reader process gave an answer of unknown kind");
  return std::move(reply.image);
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

}  // namespace

IsolatedReader::IsolatedReader(std::string path, const char* library,
                               std::function<LoadedImage(const ReadOptions&)> reader)
    : path_(std::move(path)), library_(library), reader_(std::move(reader)) {}

IsolatedReader::~IsolatedReader() { stop(); }

void IsolatedReader::stop() {
  if (pid_ <= 0) return;
  ::close(socket_);  // the child reads the end of its requests and ends
  wait_for(pid_);
  pid_ = -1;
  socket_ = -1;
}

void IsolatedReader::start() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
    fail_input(path_, std::string("cannot create a socket pair: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    fail_input(path_, std::string("cannot start the reader process: ") + std::strerror(errno));
  }
  if (pid == 0) {  // the child: a request is a frame and whether to map; the end of them ends it
    close_inherited_descriptors(fds[1]);
    for (;;) {
      Request request;
      if (read_up_to(fds[1], &request, sizeof request) != sizeof request) ::_exit(0);
      ReadOptions options;
      options.frame = request.frame;
      options.map_pixels = request.map_pixels != 0;
      options.keep_open = true;  // the next request is for the same file
      answer(fds[1], [&] { return reader_(options); });
    }
  }
  ::close(fds[1]);
  pid_ = pid;
  socket_ = fds[0];
}

LoadedImage IsolatedReader::read(const ReadOptions& options) {
  if (pid_ <= 0) start();
  const Request request{options.frame, options.map_pixels ? 1 : 0};
  Reply reply;
  // MSG_NOSIGNAL: a child that has died makes the request fail, not the program end by SIGPIPE.
  if (::send(socket_, &request, sizeof request, MSG_NOSIGNAL) == ssize_t(sizeof request)) {
    try {
      reply = read_reply(socket_, path_);
    } catch (...) {
      ::kill(pid_, SIGKILL);  // out of step with its replies: a new process serves the next read
      stop();
      throw;
    }
  }
  if (reply.whole) return image_of(std::move(reply), path_, library_, 0);
  ::close(socket_);
  const int status = wait_for(pid_);
  pid_ = -1;
  socket_ = -1;
  return image_of(std::move(reply), path_, library_, status);
}

// One read by a reader process of its own, ended when the read is done.
LoadedImage read_isolated(const std::string& path, const char* library, const std::function<LoadedImage()>& reader) {
  IsolatedReader once(path, library, [&](const ReadOptions&) { return reader(); });
  return once.read(ReadOptions{});
}

}  // namespace mgscope
