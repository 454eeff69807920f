/* placeholder replaced below */
#include "cli/cli.h"
int cmd_console(int argc, char **argv) { return 2; }
