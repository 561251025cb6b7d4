#include "core/heap.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace sdebench {

bool configure_heap() {
#if defined(__GLIBC__)
  const bool mmap_ok = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1;
  const bool trim_ok = mallopt(M_TRIM_THRESHOLD, static_cast<int>(0x7fffffff)) == 1;  // ~2 GiB
  return mmap_ok && trim_ok;
#else
  return false;
#endif
}

}  // namespace sdebench
