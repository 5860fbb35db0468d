// The child answers a read with framed messages, each a status byte and a length-prefixed record:
// 'S' (the shape of pixels to come) and 'R' (the next rows) while a reader streams its pixels
// (PixelRowSink: EMD reads them a band of rows at a time), or 'M' (where in the file the pixels lie
// as analysed, for the program to map: ReadOptions::map_pixels), then 'I' (the image's
// description) or 'E' / 'X' (an error's message). A reader that does neither has its pixels follow
// the 'I' record, straight from its buffer. The parent reads the pixels straight into the image's own
// buffer: the program holds them once and the child at most once (a band when streamed; a 16384^2
// uint16 EMD took 1185 MiB in the two processes when the child held the whole image, and an 8192^2
// float32 EMD 1.29 GB in `mgscope info` when the reply was one string, copied four times on its
// way). The child answers request after request on a socket pair until the parent closes its end;
// read_isolated asks one.
#include "imaging/io/isolated_read.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "fitting/base/error.hpp"
#include "imaging/io/mapped_file.hpp"

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

std::uint64_t pixel_bytes(const RawImage& raw) {
  return std::uint64_t(raw.width) * std::uint64_t(raw.height) * pixel_type_bytes(raw.type);
}

// The image's description and shape, and the byte count of its pixels (sent apart).
std::string encode(const LoadedImage& img, std::uint64_t pixel_byte_count) {
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
  w.pod(pixel_byte_count);
  return w.buf;
}

// The image `encode` described, without its pixels.
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
  if (img.raw.width < 0 || img.raw.height < 0 || r.pod<std::uint64_t>() != pixel_bytes(img.raw))
    fail_input(path, "the reader process returned pixels that do not fit the image's shape");
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

// The parent's end of the socket: a read waits for the child at most `silence_ms` for each next
// byte (negative: for ever), and says whether it gave up for that.
struct ParentEnd {
  int fd;
  int silence_ms;
  bool silent = false;  // the child sent nothing for silence_ms
};

// Reads up to `size` bytes; fewer only at the end of the stream, or when `parent` is given and the
// child stays silent too long.
std::size_t read_up_to(int fd, void* data, std::size_t size, ParentEnd* parent = nullptr) {
  char* p = static_cast<char*>(data);
  std::size_t done = 0;
  while (done < size) {
    if (parent && parent->silence_ms >= 0) {
      pollfd waiting{fd, POLLIN, 0};
      const int ready = ::poll(&waiting, 1, parent->silence_ms);
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) {
        parent->silent = true;
        break;
      }
    }
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
  std::int8_t map_pixels;
  std::int8_t keep_open;
};

// What the parent read: the final status byte ('I' image, 'E' InputError, 'X' other error; 0 when
// the child sent none), with the image or the message. `whole` is false when the stream ended early.
struct Reply {
  char status = 0;
  bool whole = false;
  LoadedImage image;
  std::string message;
};

// Reads a message's head: its status byte and its record's length.
bool read_head(ParentEnd& in, char& status, std::uint64_t& size) {
  return read_up_to(in.fd, &status, 1, &in) == 1 && read_up_to(in.fd, &size, sizeof size, &in) == sizeof size;
}

void write_head(int fd, char status, std::uint64_t size) {
  char head[1 + sizeof size];
  head[0] = status;
  std::memcpy(head + 1, &size, sizeof size);
  write_all(fd, head, sizeof head);
}

void send_message(int fd, char status, const std::string& record) {
  write_head(fd, status, record.size());
  write_all(fd, record.data(), record.size());
}

// The shape of pixels 'S' and 'M' announce.
void write_shape(Writer& w, int width, int height, PixelType type) {
  w.pod(width);
  w.pod(height);
  w.pod(type);
}

RawImage read_shape(Reader& in) {
  RawImage raw;
  raw.width = in.pod<int>();
  raw.height = in.pod<int>();
  raw.type = in.pod<PixelType>();
  return raw;
}

// The pixels an 'M' message places in the file: mapped, or (where the file cannot be mapped) read.
// The file's stamp as the child saw it must still be the file's, so that the program uses that
// file, not one put in its place since.
RawImage pixels_in_file(const std::string& record, const std::string& path) {
  Reader in{record, 0, path};
  RawImage raw = read_shape(in);
  const auto offset = in.pod<std::uint64_t>();
  FileStamp seen;
  seen.bytes = in.pod<std::uint64_t>();
  seen.modified_ns = in.pod<std::int64_t>();
  const std::uint64_t bytes = pixel_bytes(raw);
  if (raw.width <= 0 || raw.height <= 0 || offset > seen.bytes || bytes > seen.bytes - offset)
    fail_input(path, "the reader process placed the pixels outside the file");
  const auto changed = [&] { fail_input(path, "the file changed while it was read"); };
  if (auto mapped = MappedFile::open(path)) {
    if (mapped->stamp() != seen) changed();
    raw.mapped = std::move(mapped);
    raw.mapped_offset = static_cast<std::size_t>(offset);
    return raw;
  }
  std::ifstream file(path, std::ios::binary);
  if (file_stamp(path) != seen) changed();
  raw.bytes.resize(static_cast<std::size_t>(bytes));
  file.seekg(std::streamoff(offset));
  if (!file.read(reinterpret_cast<char*>(raw.bytes.data()), std::streamsize(bytes)))
    fail_input(path, "cannot read the pixels at byte " + std::to_string(offset));
  return raw;
}

// One reply of the child (the file's comment gives its messages).
Reply read_reply(ParentEnd& in, const std::string& path) {
  const int fd = in.fd;
  Reply r;
  RawImage pixels;  // announced by 'S' and sent in 'R' messages, or left in the file ('M')
  bool announced = false;
  std::uint64_t received = 0;
  std::string record;
  for (;;) {
    std::uint64_t size = 0;
    if (!read_head(in, r.status, size)) {
      r.status = 0;
      return r;
    }
    if (r.status == 'R') {
      if (!announced || received > pixels.bytes.size() || size > pixels.bytes.size() - received)
        fail_input(path, "the reader process sent more pixels than the image holds");
      if (read_up_to(fd, pixels.bytes.data() + received, size, &in) != size) return r;
      received += size;
      continue;
    }
    if (size > (std::uint64_t(1) << 30)) return r;
    record.assign(static_cast<std::size_t>(size), '\0');
    if (read_up_to(fd, record.data(), record.size(), &in) != record.size()) return r;
    if (r.status != 'S' && r.status != 'M') break;
    if (announced) fail_input(path, "the reader process announced the pixels twice");
    announced = true;
    if (r.status == 'M') {
      pixels = pixels_in_file(record, path);
      received = pixel_bytes(pixels);
      continue;
    }
    Reader shape{record, 0, path};
    pixels = read_shape(shape);
    if (pixels.width <= 0 || pixels.height <= 0 || pixel_bytes(pixels) > (std::uint64_t(1) << 34))
      fail_input(path, "the reader process announced pixels of an impossible shape");
    pixels.bytes.resize(static_cast<std::size_t>(pixel_bytes(pixels)));
  }
  if (r.status != 'I') {
    r.message = std::move(record);
    r.whole = true;
    return r;
  }
  r.image = decode(record, path);
  RawImage& raw = r.image.raw;
  if (announced) {
    if (pixels.width != raw.width || pixels.height != raw.height || pixels.type != raw.type ||
        received != pixel_bytes(raw))
      fail_input(path, "the reader process sent pixels that do not fit the image's shape");
    raw = std::move(pixels);
    r.whole = true;
    return r;
  }
  raw.bytes.resize(static_cast<std::size_t>(pixel_bytes(raw)));
  r.whole = read_up_to(fd, raw.bytes.data(), raw.bytes.size(), &in) == raw.bytes.size();
  return r;
}

// The child's end of a read: each band of rows goes to the parent as it comes ('S', 'R'), or where
// the pixels lie in the file ('M') when the parent asked to map them.
class SocketRowSink : public PixelRowSink {
 public:
  SocketRowSink(int fd, const std::string& path, bool map) : fd_(fd), path_(path), map_(map) {}
  bool pixels_in_file(int width, int height, PixelType type, std::uint64_t offset) override {
    if (!map_) return false;
    const FileStamp stamp = file_stamp(path_);
    Writer w;
    write_shape(w, width, height, type);
    w.pod(offset);
    w.pod(stamp.bytes);
    w.pod(stamp.modified_ns);
    send_message(fd_, 'M', w.buf);
    announced_ = true;
    return true;
  }
  void start(int width, int height, PixelType type) override {
    Writer w;
    write_shape(w, width, height, type);
    send_message(fd_, 'S', w.buf);
    announced_ = true;
  }
  void rows(const std::uint8_t* data, std::size_t bytes) override {
    write_head(fd_, 'R', bytes);
    write_all(fd_, data, bytes);
  }
  bool announced() const { return announced_; }

 private:
  int fd_;
  const std::string& path_;
  bool map_;
  bool announced_ = false;
};

// Runs `reader` (given a sink for its rows) and sends its reply on `fd`.
void answer(int fd, const std::string& path, bool map, const std::function<LoadedImage(PixelRowSink*)>& reader) {
  char status = 'I';
  std::string record;
  LoadedImage img;
  SocketRowSink sink(fd, path, map);
  try {
    img = reader(&sink);
    record = encode(img, sink.announced() ? pixel_bytes(img.raw) : img.raw.byte_count());
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
  send_message(fd, status, record);
  if (status == 'I' && !sink.announced()) write_all(fd, img.raw.data(), img.raw.byte_count());
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
                               std::function<LoadedImage(const ReadOptions&)> reader, int silence_limit_s)
    : path_(std::move(path)), library_(library), reader_(std::move(reader)), silence_limit_s_(silence_limit_s) {}

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
      options.keep_open = request.keep_open != 0;
      answer(fds[1], path_, options.map_pixels, [&](PixelRowSink* sink) {
        options.row_sink = sink;
        return reader_(options);
      });
    }
  }
  ::close(fds[1]);
  pid_ = pid;
  socket_ = fds[0];
}

LoadedImage IsolatedReader::read(const ReadOptions& options) {
  if (pid_ <= 0) start();
  const Request request{options.frame, std::int8_t(options.map_pixels), std::int8_t(options.keep_open)};
  Reply reply;
  ParentEnd in{socket_, silence_limit_s_ > 0 ? 1000 * silence_limit_s_ : -1};
  // MSG_NOSIGNAL: a child that has died makes the request fail, not the program end by SIGPIPE.
  if (::send(socket_, &request, sizeof request, MSG_NOSIGNAL) == ssize_t(sizeof request)) {
    try {
      reply = read_reply(in, path_);
    } catch (...) {
      ::kill(pid_, SIGKILL);  // out of step with its replies: a new process serves the next read
      stop();
      throw;
    }
  }
  if (in.silent) {
    // Found by mutating a Berkeley EMD: a flipped bit sent libhdf5 round a loop for ever.
    ::kill(pid_, SIGKILL);
    stop();
    fail_input(path_, std::string(library_) + " sent nothing for " + std::to_string(silence_limit_s_) +
                          " s reading this file and was stopped: its internal structure is probably damaged");
  }
  if (reply.whole) return image_of(std::move(reply), path_, library_, 0);
  ::close(socket_);
  const int status = wait_for(pid_);
  pid_ = -1;
  socket_ = -1;
  return image_of(std::move(reply), path_, library_, status);
}

// One read by a reader process of its own, ended when the read is done.
LoadedImage read_isolated(const std::string& path, const char* library,
                          const std::function<LoadedImage(const ReadOptions&)>& reader, const ReadOptions& options,
                          int silence_limit_s) {
  IsolatedReader once(path, library, reader, silence_limit_s);
  return once.read(options);
}

}  // namespace mgscope
