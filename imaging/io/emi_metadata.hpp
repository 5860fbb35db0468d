// The microscope settings TIA keeps in the .emi beside a .ser: an XML block inside a binary
// file, read with a tolerant text scan (no XML library: the block is small, flat and often
// not well-formed XML once the binary around it is cut away).
#pragma once
#include <map>
#include <string>

#include "imaging/io/byte_reader.hpp"

namespace mgscope {

// The XML between <ObjectInfo> and </ObjectInfo>. Keys: "EMI.<Label>" for each
// ExperimentalDescription entry (its Value, then its Unit after a space, e.g. "EMI.High tension"
// = "80 kV") and "EMI.<element path>" for other leaf elements ("EMI.AcquireDate"). Empty when
// the block is absent. Never throws for odd XML; values longer than 256 characters are skipped.
std::map<std::string, std::string> read_emi_metadata(const ByteReader& emi);

}  // namespace mgscope
