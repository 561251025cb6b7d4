// sdebench: the command-line program. Thin by design: everything lives in the harness.
#include "harness/commands/commands.h"

int main(int argc, char** argv) { return sdebench::sdebench_main(argc, argv); }
