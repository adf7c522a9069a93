/* Runs a Check suite: the exit status says whether every test passed. */
#ifndef RUN_SUITE_H
#define RUN_SUITE_H

#include <check.h>

static inline int run_suite(Suite *s)
{
  SRunner *r = srunner_create(s);
  srunner_run_all(r, CK_NORMAL);
  int failed = srunner_ntests_failed(r);
  srunner_free(r);
  return failed ? 1 : 0;
}

#endif
