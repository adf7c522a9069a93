/* Every exported allocation function's edge cases, called in-process with
 * libgpuscatter.so preloaded (tests/run.sh sets LD_PRELOAD). */
#include "gpuscatter.h"

/* These tests ask for impossible sizes on purpose. */
#pragma GCC diagnostic ignored "-Walloc-size-larger-than="

#include "run_suite.h"

#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *lib(void)
{
  void *h = dlopen("libgpuscatter.so", RTLD_NOW | RTLD_NOLOAD);
  ck_assert_msg(h != NULL, "libgpuscatter.so is not preloaded");
  return h;
}

static int aligned(const void *p, size_t a) { return ((uintptr_t)p & (a - 1)) == 0; }

START_TEST(interposed)
{
  void *h = lib();
  static const char *const names[] = { "malloc", "free", "calloc", "realloc", "reallocarray",
    "posix_memalign", "aligned_alloc", "memalign", "valloc", "pvalloc", "malloc_usable_size" };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    ck_assert_msg(dlsym(RTLD_DEFAULT, names[i]) == dlsym(h, names[i]), "%s", names[i]);
  ck_assert_str_eq(gpuscatter_version(), ((const char *(*)(void))dlsym(h, "gpuscatter_version"))());
}
END_TEST

START_TEST(malloc_edges)
{
  void *a = malloc(0), *b = malloc(0);
  ck_assert_ptr_nonnull(a);
  ck_assert_ptr_nonnull(b);
  ck_assert_ptr_ne(a, b);
  free(a);
  free(b);
  errno = 0;
  ck_assert_ptr_null(malloc(SIZE_MAX));
  ck_assert_int_eq(errno, ENOMEM);
  errno = 0;
  ck_assert_ptr_null(malloc(SIZE_MAX / 2));
  ck_assert_int_eq(errno, ENOMEM);
  char *p = malloc(100);
  memset(p, 0xab, 100);
  ck_assert(aligned(p, 16));
  ck_assert_uint_ge(malloc_usable_size(p), 100);
  errno = 4321;
  free(p);
  ck_assert_int_eq(errno, 4321); /* free keeps errno */
  free(NULL);
  ck_assert_int_eq(errno, 4321);
  ck_assert_uint_eq(malloc_usable_size(NULL), 0);
}
END_TEST

START_TEST(calloc_edges)
{
  unsigned char *p = calloc(1000, 7);
  ck_assert_ptr_nonnull(p);
  for (int i = 0; i < 7000; i++)
    ck_assert_uint_eq(p[i], 0);
  free(p);
  /* Zeroed also when memory is recycled. */
  for (int r = 0; r < 4; r++) {
    p = malloc(4096);
    memset(p, 0xff, 4096);
    free(p);
    p = calloc(1, 4096);
    for (int i = 0; i < 4096; i++)
      ck_assert_uint_eq(p[i], 0);
    free(p);
  }
  errno = 0;
  ck_assert_ptr_null(calloc(SIZE_MAX / 2, 3));
  ck_assert_int_eq(errno, ENOMEM);
  p = calloc(0, 0);
  ck_assert_ptr_nonnull(p);
  free(p);
}
END_TEST

START_TEST(realloc_edges)
{
  char *p = realloc(NULL, 10);
  ck_assert_ptr_nonnull(p);
  memcpy(p, "abcdefghi", 10);
  p = realloc(p, 100000);
  ck_assert_str_eq(p, "abcdefghi");
  p = realloc(p, 5);
  ck_assert_int_eq(memcmp(p, "abcde", 5), 0);
  ck_assert_ptr_null(realloc(p, 0)); /* glibc: frees, returns NULL */
  p = malloc(8);
  errno = 0;
  ck_assert_ptr_null(realloc(p, SIZE_MAX));
  ck_assert_int_eq(errno, ENOMEM);
  p[0] = 1; /* still ours */
  free(p);
}
END_TEST

START_TEST(reallocarray_edges)
{
  int *p = reallocarray(NULL, 10, sizeof(int));
  ck_assert_ptr_nonnull(p);
  for (int i = 0; i < 10; i++)
    p[i] = i;
  errno = 0;
  ck_assert_ptr_null(reallocarray(p, SIZE_MAX / 2, 4));
  ck_assert_int_eq(errno, ENOMEM);
  ck_assert_int_eq(p[9], 9); /* untouched on overflow */
  p = reallocarray(p, 1000, sizeof(int));
  ck_assert_int_eq(p[9], 9);
  free(p);
}
END_TEST

START_TEST(posix_memalign_edges)
{
  void *p = (void *)1;
  errno = 77;
  ck_assert_int_eq(posix_memalign(&p, 0, 8), EINVAL);
  ck_assert_int_eq(posix_memalign(&p, 3, 8), EINVAL);
  ck_assert_int_eq(posix_memalign(&p, 4, 8), EINVAL); /* not a multiple of sizeof(void *) */
  ck_assert_int_eq(posix_memalign(&p, 24, 8), EINVAL);
  ck_assert_ptr_eq(p, (void *)1);
  for (size_t a = 8; a <= (2u << 20); a <<= 1) {
    ck_assert_int_eq(posix_memalign(&p, a, 100), 0);
    ck_assert_msg(aligned(p, a), "alignment %zu", a);
    memset(p, 1, 100);
    free(p);
    ck_assert_int_eq(posix_memalign(&p, a, 0), 0);
    free(p);
  }
  ck_assert_int_eq(posix_memalign(&p, (size_t)1 << 62, 8), ENOMEM);
  ck_assert_int_eq(errno, 77);
}
END_TEST

/* jemalloc's 8-byte size class is only 8-byte aligned: a 16-byte
 * alignment of 0..8 bytes must still be 16 (the pointer goes through a
 * volatile so that the compiler cannot assume the alignment it asked for). */
START_TEST(small_sizes_keep_their_alignment)
{
  for (size_t n = 0; n <= 8; n++)
    for (int k = 0; k < 300; k++) {
      void *p = NULL;
      ck_assert_int_eq(posix_memalign(&p, 16, n), 0);
      void *volatile v = p;
      ck_assert_msg(((uintptr_t)v & 15) == 0, "posix_memalign(16, %zu) = %p", n, v);
      void *q = aligned_alloc(16, n), *r = memalign(16, n);
      void *volatile vq = q, *volatile vr = r;
      ck_assert_msg(((uintptr_t)vq & 15) == 0 && ((uintptr_t)vr & 15) == 0, "16-byte alignment of %zu", n);
      free(p), free(q), free(r);
    }
}
END_TEST

START_TEST(aligned_alloc_edges)
{
  errno = 0;
  ck_assert_ptr_null(aligned_alloc(0, 64));
  ck_assert_int_eq(errno, EINVAL);
  errno = 0;
  ck_assert_ptr_null(aligned_alloc(24, 64));
  ck_assert_int_eq(errno, EINVAL);
  void *p = aligned_alloc(4096, 4096);
  ck_assert(aligned(p, 4096));
  free(p);
  p = aligned_alloc(1, 10); /* small powers of two are fine */
  ck_assert_ptr_nonnull(p);
  free(p);
}
END_TEST

START_TEST(memalign_valloc_pvalloc)
{
  void *p = memalign(24, 10); /* glibc rounds up to 32 */
  ck_assert(aligned(p, 32));
  free(p);
  p = memalign(0, 10);
  ck_assert_ptr_nonnull(p);
  free(p);
  errno = 0;
  ck_assert_ptr_null(memalign(SIZE_MAX, 10));
  ck_assert_int_eq(errno, EINVAL);
  size_t pg = (size_t)sysconf(_SC_PAGESIZE);
  p = valloc(10);
  ck_assert(aligned(p, pg));
  free(p);
  p = pvalloc(1);
  ck_assert(aligned(p, pg));
  ck_assert_uint_ge(malloc_usable_size(p), pg);
  memset(p, 1, pg);
  free(p);
  p = pvalloc(0);
  ck_assert(aligned(p, pg));
  ck_assert_uint_ge(malloc_usable_size(p), pg);
  free(p);
  p = pvalloc(pg + 1);
  ck_assert_uint_ge(malloc_usable_size(p), 2 * pg);
  free(p);
  errno = 0;
  ck_assert_ptr_null(pvalloc(SIZE_MAX - 10));
  ck_assert_int_eq(errno, ENOMEM);
}
END_TEST

START_TEST(libc_aliases)
{
  void *h = lib();
  static const char *const pairs[][2] = {
    { "__libc_malloc", "malloc" }, { "__libc_free", "free" }, { "__libc_calloc", "calloc" },
    { "__libc_realloc", "realloc" }, { "__libc_memalign", "memalign" },
    { "__libc_valloc", "valloc" }, { "__libc_pvalloc", "pvalloc" } };
  for (size_t i = 0; i < 7; i++)
    ck_assert_msg(dlsym(h, pairs[i][0]) == dlsym(h, pairs[i][1]), "%s", pairs[i][0]);
  void *(*m)(size_t) = dlsym(h, "__libc_malloc");
  void (*f)(void *) = dlsym(h, "__libc_free");
  void *(*pv)(size_t) = dlsym(h, "__libc_pvalloc");
  void *p = m(32);
  ck_assert_ptr_nonnull(p);
  f(p);
  p = pv(1);
  ck_assert(aligned(p, (size_t)sysconf(_SC_PAGESIZE)));
  free(p);
}
END_TEST

START_TEST(cxx_operators)
{
  void *h = lib();
  void *(*nw)(size_t) = dlsym(h, "_Znwm");
  void *(*nw_nt)(size_t, const void *) = dlsym(h, "_ZnwmRKSt9nothrow_t");
  void *(*na_nt)(size_t, const void *) = dlsym(h, "_ZnamRKSt9nothrow_t");
  void *(*nw_al)(size_t, size_t) = dlsym(h, "_ZnwmSt11align_val_t");
  void *(*na_al_nt)(size_t, size_t, const void *) = dlsym(h, "_ZnamSt11align_val_tRKSt9nothrow_t");
  void (*dl)(void *) = dlsym(h, "_ZdlPv");
  void (*dl_sz)(void *, size_t) = dlsym(h, "_ZdlPvm");
  void (*da_sz_al)(void *, size_t, size_t) = dlsym(h, "_ZdaPvmSt11align_val_t");
  void (*dl_al)(void *, size_t) = dlsym(h, "_ZdlPvSt11align_val_t");
  ck_assert_ptr_eq(nw, dlsym(RTLD_DEFAULT, "_Znwm"));
  char tag;
  void *p = nw(24);
  ck_assert_ptr_nonnull(p);
  dl(p);
  p = nw(0);
  ck_assert_ptr_nonnull(p);
  dl_sz(p, 0);
  ck_assert_ptr_null(nw_nt(SIZE_MAX / 2, &tag));
  ck_assert_ptr_null(na_nt(SIZE_MAX / 2, &tag));
  p = nw_al(100, 4096);
  ck_assert(aligned(p, 4096));
  dl_al(p, 4096);
  p = na_al_nt(100, 1 << 16, &tag);
  ck_assert(aligned(p, 1 << 16));
  da_sz_al(p, 100, 1 << 16);
}
END_TEST

START_TEST(stats_json_api)
{
  char small[8];
  int need = gpuscatter_stats_json(small, sizeof small);
  ck_assert_int_gt(need, 100);
  ck_assert_uint_eq(strlen(small), 7); /* truncated, terminated */
  char *buf = malloc((size_t)need + 1);
  ck_assert_int_eq(gpuscatter_stats_json(buf, (size_t)need + 1), need);
  ck_assert_ptr_nonnull(strstr(buf, "\"version\": \""));
  ck_assert_ptr_nonnull(strstr(buf, "\"budget\": {"));
  free(buf);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("malloc");
  TCase *t = tcase_create("family");
  tcase_add_test(t, interposed);
  tcase_add_test(t, malloc_edges);
  tcase_add_test(t, calloc_edges);
  tcase_add_test(t, realloc_edges);
  tcase_add_test(t, reallocarray_edges);
  tcase_add_test(t, posix_memalign_edges);
  tcase_add_test(t, aligned_alloc_edges);
  tcase_add_test(t, small_sizes_keep_their_alignment);
  tcase_add_test(t, memalign_valloc_pvalloc);
  tcase_add_test(t, libc_aliases);
  tcase_add_test(t, cxx_operators);
  tcase_add_test(t, stats_json_api);
  suite_add_tcase(s, t);
  return run_suite(s);
}
