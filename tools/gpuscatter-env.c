/* gpuscatter-env: the launcher's `env` subcommand and the README table,
 * printed from the one option table the library reads. */
#include "../config/config.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
  if (argc > 1 && strcmp(argv[1], "--markdown") == 0) {
    cfg_describe(1, true);
    return 0;
  }
  if (argc > 1 && strcmp(argv[1], "--names") == 0) {
    for (size_t i = 0; i < cfg_noptions; i++)
      printf("%s\n", cfg_options[i].name);
    return 0;
  }
  if (argc > 1) {
    fprintf(stderr, "usage: gpuscatter-env [--markdown|--names]\n");
    return 2;
  }
  cfg_describe(1, false);
  return 0;
}
