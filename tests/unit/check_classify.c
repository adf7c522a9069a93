/* Call-site rules and profile files, in isolation, under ASan and UBSan:
 * the qualified-name reader, rule parsing and matching, and the profile
 * loader's validation (every refusal), saving and keys. */
#include "../../classify/profile.h"
#include "../../classify/rules.h"
#include "../../config/config.h"

#include "run_suite.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

START_TEST(qualified)
{
  static const struct { const char *in, *out; } t[] = {
    { "_ZN3c109alloc_cpuEm", "c10::alloc_cpu" },
    { "_ZN2at6detail9empty_cpuEv", "at::detail::empty_cpu" },
    { "_ZNK3foo3barEv", "foo::bar" },
    { "_ZNSt6vectorIiE9push_backEOi", "std::vector" },
    { "_Z3fooi", "foo" },
    { "malloc", "malloc" },
    { "_ZN99abc", "" },          /* a length past the end: nothing read beyond */
    { "_ZN3ab", "" },
    { "_Z", "" },
    { "", "" },
  };
  char q[64];
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    rules_qualified(t[i].in, q, sizeof q);
    ck_assert_msg(strcmp(q, t[i].out) == 0, "%s -> '%s', want '%s'", t[i].in, q, t[i].out);
  }
  rules_qualified(NULL, q, sizeof q);
  ck_assert_str_eq(q, "");
  char small[8];
  rules_qualified("_ZN2at6detail9empty_cpuEv", small, sizeof small);
  ck_assert_str_eq(small, "at"); /* truncated at a component, never overflowing */
}
END_TEST

static void init_bad(void *spec) { ck_assert_int_eq(rules_init(spec, CFG_PRESET_NONE), 0); }

START_TEST(rules)
{
  ck_assert_int_eq(rules_init("libc10.so:c10::alloc_cpu,libfoo.so", CFG_PRESET_NONE), 2);
  ck_assert(rules_match("libc10.so", "_ZN3c109alloc_cpuEm"));
  ck_assert(!rules_match("libc10.so", "_ZN3c105otherEv"));
  ck_assert(!rules_match("libc10.so", NULL));
  ck_assert(!rules_match("libc11.so", "_ZN3c109alloc_cpuEm"));
  ck_assert(rules_match("libfoo.so", NULL));
  ck_assert(!rules_match("libfoo.so.1", NULL)); /* file names match exactly */
  ck_assert_int_eq(rules_init("", CFG_PRESET_TORCH), 1);
  ck_assert(rules_match("libc10.so", "_ZN3c109alloc_cpuEm"));
  ck_assert_int_eq(rules_init(",,a.so,", CFG_PRESET_NONE), 1);
  static const char *const bad[] = { "a.so:", ":sym", "a b.so", "a.so:f(x)", "a/b.so",
    "a.so,,b.so:", "a.so:f;rm" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *err = captured(init_bad, (void *)bad[i]);
    ck_assert_msg(strstr(err, "GPUSCATTER_SITES=") && strstr(err, "module[:symbol-prefix]") &&
                  strchr(err, '\n') == strrchr(err, '\n'), "'%s': %s", bad[i], err);
  }
  char many[2048] = "";
  for (int i = 0; i < 40; i++)
    strcat(many, "a.so,");
  ck_assert_str_ne(captured(init_bad, many), ""); /* more than 32 rules */
}
END_TEST

static char dir[] = "/tmp/gpuscatter-prof-XXXXXX";

static const char *write_file(const char *name, const char *text, mode_t mode)
{
  static char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  unlink(path);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  fchmod(fd, mode);
  close(fd);
  return path;
}

static int loaded;
static void load(void *path) { loaded = profile_load(path); }

START_TEST(profile_good)
{
  const char *m[2] = { "libc10.so", "python3.11" };
  uint64_t o[2] = { 0x1234, 0xabc };
  uint64_t k = profile_key(m, o, 2);
  ck_assert_uint_ne(k, 0);
  uint64_t o2[2] = { 0x1234, 0xabd };
  ck_assert_uint_ne(k, profile_key(m, o2, 2));
  const char *a[1] = { "a.so" };
  uint64_t z[1] = { 0 };
  const char *p = write_file("good", "gpuscatter-profile 2\nh 2 libc10.so 1234 python3.11 abc\n"
                                     "d 1 a.so 0\n", 0600);
  ck_assert_str_eq(captured(load, (void *)p), "");
  ck_assert_int_eq(loaded, 2);
  ck_assert_int_eq(profile_lookup(k), PROFILE_HOT);
  ck_assert_int_eq(profile_lookup(profile_key(a, z, 1)), PROFILE_DEEP);
  ck_assert_int_eq(profile_lookup(profile_key(m, o2, 2)), PROFILE_NONE);
  char out[256];
  snprintf(out, sizeof out, "%s/saved", dir);
  profile_save(out); /* nothing changed since the load: nothing written */
  ck_assert_int_eq(access(out, F_OK), -1);
  profile_add(profile_key(m, o2, 2), PROFILE_HOT, m, o2, 2);
  ck_assert_int_eq(profile_lookup(profile_key(m, o2, 2)), PROFILE_HOT);
  profile_add(profile_key(a, z, 1), PROFILE_NONE, a, z, 1); /* demoted: dropped */
  const char *bad[1] = { "has space" };
  profile_add(7, PROFILE_HOT, bad, o, 1); /* not storable: kept out of the file */
  profile_save(out);
  FILE *f = fopen(out, "r");
  ck_assert_ptr_nonnull(f);
  char text[512] = "";
  size_t n = fread(text, 1, sizeof text - 1, f);
  text[n] = '\0';
  fclose(f);
  /* Slot order, not line order: check the lines, not their order. */
  ck_assert(strncmp(text, "gpuscatter-profile 2\n", 21) == 0);
  ck_assert_ptr_nonnull(strstr(text, "\nh 2 libc10.so 1234 python3.11 abc\n"));
  ck_assert_ptr_nonnull(strstr(text, "\nh 2 libc10.so 1234 python3.11 abd\n"));
  ck_assert_ptr_null(strstr(text, "a.so"));
  ck_assert_ptr_null(strstr(text, "has space"));
  struct stat st;
  ck_assert_int_eq(stat(out, &st), 0);
  ck_assert_uint_eq(st.st_mode & 0777, 0600);
}
END_TEST

START_TEST(profile_refused)
{
  static const struct { const char *name, *text, *why; } t[] = {
    { "header", "gpuscatter-profile 3\nh 1 a.so 0\n", "not a gpuscatter profile" },
    { "empty", "", "not a gpuscatter profile" },
    { "trunc", "gpuscatter-profile 2\nh 1 a.so 0", "corrupt or truncated" },
    { "kind", "gpuscatter-profile 2\nx 1 a.so 0\n", "corrupt or truncated" },
    { "nokind", "gpuscatter-profile 2\n1 a.so 0\n", "corrupt or truncated" },
    { "depth0", "gpuscatter-profile 2\nh 0\n", "corrupt or truncated" },
    { "depth17", "gpuscatter-profile 2\nh 17 a 0\n", "corrupt or truncated" },
    { "fewer", "gpuscatter-profile 2\nh 2 a.so 0\n", "corrupt or truncated" },
    { "more", "gpuscatter-profile 2\nh 1 a.so 0 b.so 1\n", "corrupt or truncated" },
    { "slash", "gpuscatter-profile 2\nh 1 a/b 0\n", "corrupt or truncated" },
    { "nul", "gpuscatter-profile 2\nh 1 a\001b 0\n", "corrupt or truncated" },
    { "hex", "gpuscatter-profile 2\nh 1 a.so 0x10\n", "corrupt or truncated" },
    { "long", "gpuscatter-profile 2\nh 1 a.so 1000000000000\n", "corrupt or truncated" },
    { "upper", "gpuscatter-profile 2\nh 1 a.so ABC\n", "corrupt or truncated" },
    { "crlf", "gpuscatter-profile 2\nh 1 a.so 0\r\n", "corrupt or truncated" },
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    const char *p = write_file(t[i].name, t[i].text, 0600);
    const char *err = captured(load, (void *)p);
    ck_assert_msg(loaded == 0 && strstr(err, t[i].why) && strstr(err, "GPUSCATTER_PROFILE="),
                  "%s: loaded %d, '%s'", t[i].name, loaded, err);
  }
  char name[300];
  memset(name, 'a', 200);
  snprintf(name + 200, sizeof name - 200, " 1\n");
  char text[400];
  snprintf(text, sizeof text, "gpuscatter-profile 2\nh 1 %s", name);
  const char *err = captured(load, (void *)write_file("longname", text, 0600));
  ck_assert_msg(loaded == 0 && strstr(err, "corrupt"), "name over 127 bytes: %s", err);
  err = captured(load, (void *)write_file("others", "gpuscatter-profile 2\nh 1 a.so 0\n", 0622));
  ck_assert_msg(loaded == 0 && strstr(err, "writable by others"), "%s", err);
  char link[300];
  snprintf(link, sizeof link, "%s/link", dir);
  ck_assert_int_eq(symlink(write_file("target", "gpuscatter-profile 2\nh 1 a.so 0\n", 0600), link), 0);
  err = captured(load, link);
  ck_assert_msg(loaded == 0 && strstr(err, "symbolic link"), "%s", err);
  snprintf(link, sizeof link, "%s/missing", dir);
  ck_assert_str_eq(captured(load, link), ""); /* a first run: silent */
  ck_assert_int_eq(loaded, 0);
  /* Version 1 (other keys): read as empty, silently. */
  err = captured(load, (void *)write_file("v1", "gpuscatter-profile 1\n6 a 1 b 2 c 3 d 4 e 5 f 6\n", 0600));
  ck_assert_msg(loaded == 0 && err[0] == '\0', "%s", err);
}
END_TEST

int main(void)
{
  if (mkdtemp(dir) == NULL)
    return 1;
  Suite *s = suite_create("classify");
  TCase *tc = tcase_create("all");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, qualified);
  tcase_add_test(tc, rules);
  tcase_add_test(tc, profile_good);
  tcase_add_test(tc, profile_refused);
  suite_add_tcase(s, tc);
  int rc = run_suite(s);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0)
    rc = 1;
  return rc;
}
