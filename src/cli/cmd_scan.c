/* cmd_scan.c -- placeholder until the command lands; exits 2. */
#include "cli/cli.h"

int cmd_scan(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    lw_cli_error("'scan' is not built yet");
    return LW_EXIT_ERROR;
}
