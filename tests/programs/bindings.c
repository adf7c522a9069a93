/* Linked against the real runtime (libcudart or libamdhip64): its
 * registration calls must bind to gpuscatter when preloaded, and a pointer
 * outside the window must get the real library's own answer. Prototypes
 * are declared here so no runtime headers are needed. */
#include <stdio.h>
#include <stdlib.h>

#ifdef HIP
#define P(x) hip##x
#else
#define P(x) cuda##x
#endif

int P(HostRegister)(void *, size_t, unsigned);
int P(HostUnregister)(void *);
int P(GetLastError)(void);

int main(void)
{
  static char small[4096]; /* never in the window */
  int r = P(HostRegister)(small, sizeof small, 0);
  int u = P(HostUnregister)(small);
  int e = P(GetLastError)();
  printf("register %d unregister %d last error %d\n", r, u, e);
  return 0;
}
