/* Helpers of the Check suites: running one (the exit status says whether
 * every test passed), and capturing what code writes to stderr. */
#ifndef RUN_SUITE_H
#define RUN_SUITE_H

#include <check.h>
#include <stdlib.h>
#include <unistd.h>

/* Run f(arg) with stderr captured; returns what was written (static). */
static inline const char *captured(void (*f)(void *), void *arg)
{
  static char out[4096];
  char path[] = "/tmp/gpuscatter-unit-XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  int saved = dup(2);
  dup2(fd, 2);
  f(arg);
  dup2(saved, 2);
  close(saved);
  ssize_t n = pread(fd, out, sizeof out - 1, 0);
  out[n > 0 ? n : 0] = '\0';
  close(fd);
  unlink(path);
  return out;
}

static inline int run_suite(Suite *s)
{
  SRunner *r = srunner_create(s);
  srunner_run_all(r, CK_NORMAL);
  int failed = srunner_ntests_failed(r);
  srunner_free(r);
  return failed ? 1 : 0;
}

#endif
