// A forgiving scan of the .emi XML: elements are tracked on a stack, text directly inside an
// element becomes a value, mismatched or unknown markup is stepped over rather than refused.
#include "imaging/io/emi_metadata.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "fitting/base/text_file.hpp"

namespace mgscope {

namespace {

constexpr std::size_t kMaxValueChars = 256;
constexpr std::size_t kMaxDepth = 64;

std::string unescape(const std::string& s) {
  static const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    bool replaced = false;
    if (s[i] == '&')
      for (const auto& [from, to] : entities)
        if (s.compare(i, std::strlen(from), from) == 0) {
          out += to;
          i += std::strlen(from);
          replaced = true;
          break;
        }
    if (!replaced) out += s[i++];
  }
  return out;
}

// TIA writes the block in the Windows code page; decode_text turns it into UTF-8 lines.
std::string to_utf8(const std::string& path, const std::string& bytes) {
  std::string s;
  for (const std::string& line : decode_text(path, bytes).lines) s += line + ' ';
  return s;
}

class Scanner {
 public:
  std::map<std::string, std::string> values;

  void scan(const std::string& xml) {
    std::size_t pos = 0;
    while (pos < xml.size()) {
      const std::size_t lt = xml.find('<', pos);
      if (lt == std::string::npos) break;
      const std::size_t gt = xml.find('>', lt);
      if (gt == std::string::npos) break;
      const std::string text = xml.substr(pos, lt - pos);
      const std::string tag = xml.substr(lt + 1, gt - lt - 1);
      pos = gt + 1;
      if (tag.empty() || tag[0] == '?' || tag[0] == '!' || tag.back() == '/') continue;
      if (tag[0] == '/') {
        close(trim(tag.substr(1)), text);
      } else if (stack_.size() < kMaxDepth) {
        stack_.push_back(trim(tag.substr(0, tag.find_first_of(" \t"))));
        just_opened_ = true;
      }
    }
  }

 private:
  void close(const std::string& name, const std::string& text) {
    std::size_t k = stack_.size();
    while (k > 0 && stack_[k - 1] != name) --k;
    if (k == 0) return;  // a closing tag without its opening: ignore it
    const bool leaf = just_opened_ && k == stack_.size();
    just_opened_ = false;
    if (leaf) leaf_value(unescape(trim(text)));
    else if (name == "Data" && in_description()) emit_description_entry();
    stack_.resize(k - 1);
  }

  bool in_description() const {
    for (const auto& s : stack_)
      if (s == "ExperimentalDescription") return true;
    return false;
  }

  void leaf_value(const std::string& value) {
    const std::string& name = stack_.back();
    if (in_description()) {
      if (name == "Label") label_ = value;
      else if (name == "Value") value_ = value;
      else if (name == "Unit") unit_ = value;
      return;
    }
    if (value.empty() || value.size() > kMaxValueChars) return;
    std::string key = "EMI";
    for (std::size_t i = 0; i < stack_.size(); ++i)
      if (!(i == 0 && stack_[i] == "ObjectInfo")) key += "." + stack_[i];
    values[key] = value;
  }

  void emit_description_entry() {
    if (!label_.empty() && value_.size() <= kMaxValueChars)
      values["EMI." + label_] = unit_.empty() ? value_ : value_ + " " + unit_;
    label_.clear();
    value_.clear();
    unit_.clear();
  }

  std::vector<std::string> stack_;
  bool just_opened_ = false;
  std::string label_, value_, unit_;
};

}  // namespace

std::map<std::string, std::string> read_emi_metadata(const ByteReader& emi) {
  const std::string all(reinterpret_cast<const char*>(emi.data()), emi.size());
  const std::size_t begin = all.find("<ObjectInfo>");
  if (begin == std::string::npos) return {};
  const std::string end_tag = "</ObjectInfo>";
  std::size_t end = all.find(end_tag, begin);
  end = end == std::string::npos ? all.size() : end + end_tag.size();
  std::string block = all.substr(begin, end - begin);
  // decode_text refuses NUL bytes (binary); a cut-off block may hold some, drop them.
  block.erase(std::remove(block.begin(), block.end(), '\0'), block.end());
  Scanner s;
  s.scan(to_utf8(emi.path(), block));
  return s.values;
}

}  // namespace mgscope
