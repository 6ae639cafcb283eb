/* cmd_rules.c -- placeholder until the command lands; exits 2. */
#include "cli/cli.h"

int cmd_rules(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    lw_cli_error("'rules' is not built yet");
    return LW_EXIT_ERROR;
}
