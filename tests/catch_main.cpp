// Catch2 main for every test program: threads and the heap policy are configured once, as in
// a real run.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "core/heap.h"
#include "core/threads.h"

int main(int argc, char* argv[]) {
  sdebench::configure_threads(0);
  sdebench::configure_heap();
  return Catch::Session().run(argc, argv);
}
