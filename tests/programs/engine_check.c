/* The bind engine seen from a program under gpuscatter's sim backend.
 * usage: engine_check coalesce|lazy|async|fail|trim|budget
 * The test script sets the GPUSCATTER_* variables each case needs. */
#include "stats_json.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MB ((size_t)1 << 20)
#define CHECK(c, ...) do { if (!(c)) { fprintf(stderr, "FAIL: " __VA_ARGS__); fputc('\n', stderr); exit(1); } } while (0)

static int (*reg)(void *, size_t, unsigned);
static int (*unreg)(void *);
static void (*flush)(void);
static size_t (*trim)(void);
/* The number at section.key of the statistics. */
static long long stat(const char *section, const char *key) { return (long long)stats_value(section, key); }

static char *take(size_t n)
{
  char *p = malloc(n);
  CHECK(p != NULL, "malloc");
  memset(p, 7, n);
  return p;
}

int main(int argc, char **argv)
{
  *(void **)&reg = dlsym(RTLD_DEFAULT, "cudaHostRegister");
  *(void **)&unreg = dlsym(RTLD_DEFAULT, "cudaHostUnregister");
  *(void **)&flush = dlsym(RTLD_DEFAULT, "gpuscatter_flush");
  *(void **)&trim = dlsym(RTLD_DEFAULT, "gpuscatter_trim");
  CHECK(reg && unreg && flush && trim, "gpuscatter is not preloaded");
  const char *m = argc > 1 ? argv[1] : "";
  char *p[64];

  if (!strcmp(m, "coalesce") || !strcmp(m, "lazy")) {
    /* Nothing binds until a registration needs it; then its unit, with the
     * unbound chunks around it, in one backend call of at most
     * GPUSCATTER_BIND_MAX bytes. */
    for (int i = 0; i < 40; i++)
      p[i] = take(3 * MB);
    long long chunks = stat("chunks", "count"), bytes = stat("chunks", "bytes");
    long long max = (long long)strtoull(getenv("GPUSCATTER_BIND_MAX"), NULL, 10) << 20;
    CHECK(stat("chunks", "bound") == 0, "bound before any registration: %s", stats_text);
    CHECK(reg(p[0], 3 * MB, 0) == 0, "register");
    CHECK(stat("backend_calls", "register") == 1, "one call: %s", stats_text);
    long long first = stat("chunks", "bound_bytes");
    CHECK(first >= 3 * (long long)MB && first < bytes, "the first unit: %lld of %lld", first, bytes);
    CHECK(first <= max || stat("chunks", "bound") == 1, "a unit past BIND_MAX: %s", stats_text);
    for (int i = 1; i < 40; i++)
      CHECK(reg(p[i], 3 * MB, 0) == 0, "register %d", i);
    long long calls = stat("backend_calls", "register");
    printf("%s: %lld chunks, %lld bytes bound in %lld backend calls (at most %lld bytes each)\n",
           m, chunks, bytes, calls, max);
    CHECK(stat("chunks", "bound_bytes") == bytes, "not all bound: %s", stats_text);

    CHECK(calls <= 2 * ((bytes + max - 1) / max) + 1, "%lld calls for %lld bytes", calls, bytes);
    CHECK(stat("registrations", "hits") == 40, "hits: %s", stats_text);
    return 0;
  }
  if (!strcmp(m, "async")) {
    /* Async, no evidence: nothing is bound however long we wait. Once the
     * program has registered a quarter of what was placed, the rest binds
     * in the background, all but the newest chunk (it may still be filling);
     * flush binds that one. */
    for (int i = 0; i < 20; i++)
      p[i] = take(3 * MB);
    usleep(300000);
    CHECK(stat("chunks", "bound") == 0, "bound without evidence: %s", stats_text);
    for (int i = 0; i < 6; i++)
      CHECK(reg(p[i], 3 * MB, 0) == 0, "register %d", i);
    long long chunks = stat("chunks", "count");
    for (int t = 0; t < 500 && stat("chunks", "bound") < chunks - 1; t++)
      usleep(10000);
    CHECK(stat("chunks", "bound") >= chunks - 1, "background binding did not happen: %s", stats_text);
    flush();
    CHECK(stat("chunks", "bound") == chunks, "flush did not bind the newest chunk: %s", stats_text);
    for (int i = 6; i < 20; i++)
      CHECK(reg(p[i], 3 * MB, 0) == 0, "register %d", i);
    CHECK(stat("registrations", "hits") == 20, "hits: %s", stats_text);
    printf("async: nothing bound before registrations; after 6 of 20, %lld chunks bound ahead\n",
           chunks - 1);
    return 0;
  }
  if (!strcmp(m, "flush")) {
    for (int i = 0; i < 10; i++)
      p[i] = take(3 * MB);
    CHECK(stat("chunks", "bound") == 0, "lazy mode bound early: %s", stats_text);
    flush();
    CHECK(stat("chunks", "bound") == stat("chunks", "count"), "flush: %s", stats_text);
    puts("flush: every pending chunk bound");
    return 0;
  }
  if (!strcmp(m, "fail")) {
    /* The first backend call fails: that unit's registrations pass through
     * to the runtime (the simulated one here) and still succeed. */
    p[0] = take(3 * MB);
    CHECK(reg(p[0], 3 * MB, 0) == 0, "register in a failed unit");
    CHECK(stat("backend_calls", "failed") == 1, "failed: %s", stats_text);
    CHECK(stat("registrations", "misses") == 1 && stat("registrations", "hits") == 0, "%s", stats_text);
    CHECK(reg(p[0], 3 * MB, 0) == 712, "the runtime's own answer for a second registration");
    CHECK(unreg(p[0]) == 0, "unregister in a failed unit");
    CHECK(unreg(p[0]) == 713, "second unregister");
    /* Later units bind normally. */
    for (int i = 1; i < 30; i++)
      p[i] = take(3 * MB);
    CHECK(reg(p[29], 3 * MB, 0) == 0, "register after the failure");
    CHECK(stat("registrations", "hits") == 1, "%s", stats_text);
    puts("fail: failed unit passes through, later units bind");
    return 0;
  }
  if (!strcmp(m, "trim")) {
    for (int i = 0; i < 10; i++)
      p[i] = take(3 * MB);
    flush();
    CHECK(reg(p[0], 3 * MB, 0) == 0, "register");
    long long bound = stat("chunks", "bound_bytes");
    size_t freed = trim(); /* p[0]'s unit is in use and stays */
    CHECK(freed > 0 && stat("chunks", "bound_bytes") == bound - (long long)freed, "trim: %zu %s", freed, stats_text);
    CHECK(stat("chunks", "bound") >= 1, "the unit in use was unbound: %s", stats_text);
    CHECK(unreg(p[0]) == 0, "unregister");
    freed = trim();
    CHECK(stat("chunks", "bound") == 0 && freed > 0, "second trim: %s", stats_text);
    CHECK(reg(p[9], 3 * MB, 0) == 0 && stat("chunks", "bound") >= 1, "rebinding after trim: %s", stats_text);
    printf("trim: unbound idle units, %lld backend unregister calls\n", stat("backend_calls", "unregister"));
    return 0;
  }
  if (!strcmp(m, "budget")) {
    /* Past the pinned budget allocations are ordinary; their registrations
     * pass through and succeed. */
    for (int i = 0; i < 40; i++)
      p[i] = take(3 * MB);
    for (int i = 0; i < 40; i++)
      CHECK(reg(p[i], 3 * MB, 0) == 0, "register %d", i);
    CHECK(stat("budget", "refused") > 0 && stat("registrations", "misses") > 0 &&
          stat("registrations", "hits") > 0, "%s", stats_text);
    printf("budget: %lld answered from arenas, %lld passed through\n", stat("registrations", "hits"),
           stat("registrations", "misses"));
    return 0;
  }
  fprintf(stderr, "usage: engine_check coalesce|lazy|async|flush|fail|trim|budget\n");
  return 2;
}
