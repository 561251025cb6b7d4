#pragma once
// A small SHA-256 (FIPS 180-4), written here because the stack has no crypto library. Used to
// verify data files against their published checksums and to checksum cache payloads.
#include <cstddef>
#include <cstdint>
#include <string>

namespace sdebench {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  // Lower-case hex digest; the object must not be updated afterwards.
  std::string hex_digest();

 private:
  void compress(const std::uint8_t* block);
  std::uint32_t state_[8];
  std::uint8_t buffer_[64];
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

std::string sha256_hex(const void* data, std::size_t size);
// Throws std::runtime_error naming the file when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace sdebench
