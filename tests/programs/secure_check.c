/* Linked to libgpuscatter (not preloaded: a set-user-ID program ignores
 * LD_PRELOAD paths). Allocates in both homes and registers, so that every
 * file the library could write at exit (statistics, profile) has a
 * reason to be written. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

int main(void)
{
  int (*reg)(void *, size_t, unsigned) =
    (int (*)(void *, size_t, unsigned))dlsym(RTLD_DEFAULT, "cudaHostRegister");
  for (int i = 0; i < 64; i++) {
    size_t n = (size_t)4096 << (i % 10);
    char *p = malloc(n);
    if (p == NULL)
      return 1;
    memset(p, i, n);
    if (reg)
      reg(p, n, 0);
    free(p);
  }
  printf("secure execution: %s\n", getauxval(AT_SECURE) ? "yes" : "no");
  return 0;
}
