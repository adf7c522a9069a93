/* Linked against the real libamdhip64: registers a buffer that, under
 * gpuscatter, lies in the window. With no AMD GPU the hip backend's unit
 * registration fails, and the application's own call must pass through
 * and get HIP's own answer, exactly as without gpuscatter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hipHostRegister(void *, size_t, unsigned);
int hipHostUnregister(void *);
int hipGetLastError(void);

int main(void)
{
  size_t n = 4u << 20;
  char *p = malloc(n);
  if (p == NULL)
    return 1;
  memset(p, 5, n);
  int r = hipHostRegister(p, n, 0);
  int e = hipGetLastError();
  int u = hipHostUnregister(p);
  int e2 = hipGetLastError();
  for (size_t i = 0; i < n; i += 4096)
    if (p[i] != 5)
      return 2;
  printf("register %d (last %d) unregister %d (last %d)\n", r, e, u, e2);
  free(p);
  return 0;
}
