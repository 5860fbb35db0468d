// libFuzzer target for the OME-XML of OME-TIFF files (ImageDescription of the first page): any
// bytes give an OmeTiff (possibly with no images and the reason among its warnings) and facts for
// each page, never a crash, a hang or an exception: read_ome_xml promises not to throw. The first
// byte sets how many pages the file is said to hold (0-15), the rest is the XML.
#include <cstddef>
#include <cstdint>
#include <string>

#include "imaging/io/ome_xml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint64_t pages = data[0] % 16;
  const std::string xml(reinterpret_cast<const char*>(data + 1), size - 1);
  if (!mgscope::looks_like_ome_xml(xml)) return 0;
  const mgscope::OmeTiff ome = mgscope::read_ome_xml(xml, "fuzz.ome.tif", pages);
  for (std::uint64_t p = 0; p < pages; ++p) {
    const mgscope::OmePageFacts facts = mgscope::ome_page_facts(ome, p);
    if (facts.image && facts.image->pages_per_time_step() < 1) __builtin_trap();  // a step of no pages
  }
  return 0;
}
