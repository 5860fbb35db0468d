// A small strict XML reader for the metadata blocks some image files carry (OME-XML in a TIFF's
// ImageDescription): elements, attributes and text, nothing of DTDs or namespaces beyond prefixes.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mgscope {

struct XmlElement {
  std::string name;  // without its namespace prefix ("ome:Pixels" -> "Pixels")
  std::vector<std::pair<std::string, std::string>> attributes;  // prefixes dropped, entities decoded
  std::vector<XmlElement> children;
  std::string text;  // the character data directly inside, entities decoded, untrimmed

  const std::string* attribute(const std::string& key) const;
  // The children called `child_name`, in document order.
  std::vector<const XmlElement*> all(const std::string& child_name) const;
  const XmlElement* first(const std::string& child_name) const;
};

// The document's root element, or why the text is not well-formed XML with the byte offset where
// that was seen ("byte 312: </Pixels> closes <Plane>"). Markup nested deeper than 64 elements or
// more than `max_elements` elements is refused the same way: a metadata block has a few thousand.
struct XmlDocument {
  std::optional<XmlElement> root;
  std::string error;
};
XmlDocument parse_xml(const std::string& text, std::size_t max_elements = 2'000'000);

}  // namespace mgscope
