/* libFuzzer: profile files and site rules, the two things gpuscatter reads
 * that a hostile user could write. The input is written as a profile and
 * loaded (refused or accepted, never misbehaving); then parsed as a rules
 * list, and as a symbol name for the qualified-name reader. */
#include "../../classify/profile.h"
#include "../../classify/rules.h"
#include "../../config/config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
  static char path[64];
  if (!path[0]) {
    snprintf(path, sizeof path, "/tmp/gpuscatter-fuzz-%d.profile", (int)getpid());
  }
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
  if (fd < 0)
    abort();
  if (write(fd, data, size) != (ssize_t)size)
    abort();
  close(fd);
  int n = profile_load(path);
  if (n < 0 || n > 4095)
    abort();
  char *s = malloc(size + 1);
  memcpy(s, data, size);
  s[size] = '\0';
  int r = rules_init(s, (int)(size & 1));
  if (r < 0 || r > 32)
    abort();
  rules_match(s, s);
  profile_lookup((uint64_t)size);
  char q[64];
  rules_qualified(s, q, sizeof q);
  if (memchr(q, 0, sizeof q) == NULL)
    abort();
  free(s);
  return 0;
}
