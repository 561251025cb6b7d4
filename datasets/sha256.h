#pragma once
// SHA-256 digests (OpenSSL's libcrypto), used to verify data files against their published
// checksums and to checksum cache payloads.
#include <cstddef>
#include <string>

namespace sdebench {

// Lower-case hex digest of `size` bytes at `data`.
std::string sha256_hex(const void* data, std::size_t size);
// Throws std::runtime_error naming the file when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace sdebench
