// Strict, because a metadata block whose tags do not nest is no longer a description of its file:
// a reader guessing through it would place planes or sizes that the writer never said.
#include "imaging/io/xml_elements.hpp"

#include <cctype>
#include <cstdlib>
#include <cstring>

#include "fitting/base/text_file.hpp"

namespace mgscope {

const std::string* XmlElement::attribute(const std::string& key) const {
  for (const auto& [k, v] : attributes)
    if (k == key) return &v;
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::all(const std::string& child_name) const {
  std::vector<const XmlElement*> out;
  for (const XmlElement& c : children)
    if (c.name == child_name) out.push_back(&c);
  return out;
}

const XmlElement* XmlElement::first(const std::string& child_name) const {
  for (const XmlElement& c : children)
    if (c.name == child_name) return &c;
  return nullptr;
}

namespace {

constexpr std::size_t kMaxDepth = 64;

struct Failure {
  std::string what;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':' || c == '-' || c == '.' ||
         static_cast<unsigned char>(c) >= 0x80;
}

std::string local_name(const std::string& qualified) {
  const std::size_t colon = qualified.rfind(':');
  return colon == std::string::npos ? qualified : qualified.substr(colon + 1);
}

class Parser {
 public:
  Parser(const std::string& text, std::size_t max_elements) : s_(text), max_elements_(max_elements) {}

  XmlElement document() {
    std::vector<XmlElement> open;
    std::optional<XmlElement> root;
    while (pos_ < s_.size()) {
      if (s_[pos_] != '<') {
        const std::size_t lt = s_.find('<', pos_);
        const std::size_t end = lt == std::string::npos ? s_.size() : lt;
        const std::string chars = decode(pos_, end);
        if (!open.empty())
          open.back().text += chars;
        else if (chars.find_first_not_of(" \t\r\n") != std::string::npos)
          fail(pos_, "text outside the root element");
        pos_ = end;
        continue;
      }
      if (starts("<!--")) {
        skip_past("-->", "comment");
        continue;
      }
      if (starts("<?")) {
        skip_past("?>", "processing instruction");
        continue;
      }
      if (starts("<![CDATA[")) {
        const std::size_t begin = pos_ + 9;
        skip_past("]]>", "CDATA section");
        if (open.empty()) fail(begin, "CDATA outside the root element");
        open.back().text += s_.substr(begin, pos_ - 3 - begin);
        continue;
      }
      if (starts("<!")) {
        skip_past(">", "declaration");
        continue;
      }
      if (starts("</")) {
        const std::size_t at = pos_;
        pos_ += 2;
        const std::string name = read_name();
        skip_space();
        expect('>');
        if (open.empty()) fail(at, "</" + name + "> closes no element");
        if (local_name(name) != open.back().name) fail(at, "</" + name + "> closes <" + open.back().name + ">");
        close(open, root, at);
        continue;
      }
      const std::size_t at = pos_;
      ++pos_;
      if (root) fail(at, "a second root element");
      if (open.size() >= kMaxDepth) fail(at, "elements nested deeper than " + std::to_string(kMaxDepth));
      if (++elements_ > max_elements_) fail(at, "more than " + std::to_string(max_elements_) + " elements");
      XmlElement e;
      e.name = local_name(read_name());
      bool empty = false;
      for (;;) {
        const bool spaced = skip_space();
        if (pos_ >= s_.size()) fail(at, "<" + e.name + "> is not closed by '>'");
        if (starts("/>")) {
          pos_ += 2;
          empty = true;
          break;
        }
        if (s_[pos_] == '>') {
          ++pos_;
          break;
        }
        if (!spaced) fail(pos_, "no space before an attribute of <" + e.name + ">");
        const std::string key = local_name(read_name());
        skip_space();
        expect('=');
        skip_space();
        if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\''))
          fail(pos_, "attribute " + key + " of <" + e.name + "> has no quoted value");
        const char quote = s_[pos_++];
        const std::size_t end = s_.find(quote, pos_);
        if (end == std::string::npos) fail(pos_, "attribute " + key + " of <" + e.name + "> is not closed");
        if (e.attribute(key)) fail(pos_, "attribute " + key + " given twice in <" + e.name + ">");
        e.attributes.emplace_back(key, decode(pos_, end));
        pos_ = end + 1;
      }
      open.push_back(std::move(e));
      if (empty) close(open, root, at);
    }
    if (!open.empty()) fail(s_.size(), "<" + open.back().name + "> is never closed (the text ends first)");
    if (!root) fail(s_.size(), "no element");
    return std::move(*root);
  }

 private:
  [[noreturn]] void fail(std::size_t at, const std::string& what) const {
    throw Failure{"byte " + std::to_string(at) + ": " + what};
  }
  bool starts(const char* token) const { return s_.compare(pos_, std::strlen(token), token) == 0; }
  void skip_past(const char* token, const char* what) {
    const std::size_t end = s_.find(token, pos_ + 1);
    if (end == std::string::npos) fail(pos_, std::string("unterminated ") + what);
    pos_ = end + std::strlen(token);
  }
  bool skip_space() {
    const std::size_t before = pos_;
    while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
    return pos_ > before;
  }
  void expect(char c) {
    if (pos_ >= s_.size() || s_[pos_] != c) fail(pos_, std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string read_name() {
    const std::size_t begin = pos_;
    while (pos_ < s_.size() && is_name_char(s_[pos_])) ++pos_;
    if (pos_ == begin) fail(begin, "expected a name");
    return s_.substr(begin, pos_ - begin);
  }
  void close(std::vector<XmlElement>& open, std::optional<XmlElement>& root, std::size_t) {
    XmlElement done = std::move(open.back());
    open.pop_back();
    if (open.empty())
      root = std::move(done);
    else
      open.back().children.push_back(std::move(done));
  }
  // Character data or an attribute value between `begin` and `end`, its references decoded.
  std::string decode(std::size_t begin, std::size_t end) const {
    std::string out;
    for (std::size_t i = begin; i < end;) {
      if (s_[i] == '<') fail(i, "'<' inside an attribute value");
      if (s_[i] != '&') {
        out += s_[i++];
        continue;
      }
      const std::size_t semi = s_.find(';', i);
      if (semi == std::string::npos || semi >= end || semi - i > 12) fail(i, "'&' that starts no reference");
      const std::string ref = s_.substr(i + 1, semi - i - 1);
      if (ref == "lt")
        out += '<';
      else if (ref == "gt")
        out += '>';
      else if (ref == "amp")
        out += '&';
      else if (ref == "quot")
        out += '"';
      else if (ref == "apos")
        out += '\'';
      else if (ref.size() > 1 && ref[0] == '#') {
        const bool hex = ref[1] == 'x';
        char* stop = nullptr;
        const unsigned long cp = std::strtoul(ref.c_str() + (hex ? 2 : 1), &stop, hex ? 16 : 10);
        if (*stop != '\0' || cp == 0 || cp > 0x10FFFF) fail(i, "bad character reference &" + ref + ";");
        append_utf8(out, char32_t(cp));
      } else {
        fail(i, "unknown entity &" + ref + ";");
      }
      i = semi + 1;
    }
    return out;
  }

  const std::string& s_;
  std::size_t pos_ = 0;
  std::size_t elements_ = 0;
  std::size_t max_elements_;
};

}  // namespace

XmlDocument parse_xml(const std::string& text, std::size_t max_elements) {
  XmlDocument d;
  try {
    d.root = Parser(text, max_elements).document();
  } catch (const Failure& f) {
    d.error = f.what;
  }
  return d;
}

}  // namespace mgscope
