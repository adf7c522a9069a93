/* Config: every parser and every variable, good values and each kind of bad
 * value, with the warning text asserted. Built with ASan and UBSan. */
#include "../../config/config.h"
#include "../../config/limits.h"
#include "../../config/log.h"

#include "run_suite.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KB 1024ull
#define MB (KB * KB)
#define GB (MB * KB)
#define TB (GB * KB)

START_TEST(size_good)
{
  static const struct { const char *s; uint64_t v; } t[] = {
    { "0", 0 }, { "4096", 4096 }, { "64K", 64 * KB }, { "64k", 64 * KB },
    { "64M", 64 * MB }, { "3G", 3 * GB }, { "1T", TB }, { "64MiB", 64 * MB },
    { "64MB", 64 * MB }, { "18446744073709551615", UINT64_MAX }, { "16777215T", 16777215 * TB },
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    uint64_t v = 1;
    ck_assert_msg(cfg_parse_size(t[i].s, &v) == 0, "%s", t[i].s);
    ck_assert_uint_eq(v, t[i].v);
  }
}
END_TEST

START_TEST(size_bad)
{
  static const char *const malformed[] = { "", "12Q", "K", "-1", " 64M", "64M ", "1.5G",
                                           "64KB2", "64Mi", "0x10", "64 M", "M64" };
  uint64_t v = 7;
  for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++)
    ck_assert_msg(cfg_parse_size(malformed[i], &v) == -1, "%s", malformed[i]);
  ck_assert_int_eq(cfg_parse_size(NULL, &v), -1);
  ck_assert_int_eq(cfg_parse_size("18446744073709551616", &v), -2);
  ck_assert_int_eq(cfg_parse_size("16777216T", &v), -2);
  ck_assert_uint_eq(v, 7); /* untouched on failure */
}
END_TEST

START_TEST(pct)
{
  unsigned p = 0;
  ck_assert_int_eq(cfg_parse_pct("50%", &p), 0);
  ck_assert_uint_eq(p, 50);
  ck_assert_int_eq(cfg_parse_pct("1%", &p), 0);
  ck_assert_int_eq(cfg_parse_pct("100%", &p), 0);
  ck_assert_uint_eq(p, 100);
  ck_assert_int_eq(cfg_parse_pct("0%", &p), -2);
  ck_assert_int_eq(cfg_parse_pct("101%", &p), -2);
  ck_assert_int_eq(cfg_parse_pct("%", &p), -1);
  ck_assert_int_eq(cfg_parse_pct("50", &p), -1);
  ck_assert_int_eq(cfg_parse_pct("5x%", &p), -1);
  ck_assert_int_eq(cfg_parse_pct("1000%", &p), -1);
}
END_TEST

START_TEST(boolean)
{
  static const char *const yes[] = { "1", "on", "ON", "yes", "Yes", "true", "TRUE" };
  static const char *const no[] = { "0", "off", "Off", "no", "NO", "false", "False" };
  bool b;
  for (size_t i = 0; i < 7; i++) {
    b = false;
    ck_assert_int_eq(cfg_parse_bool(yes[i], &b), 0);
    ck_assert(b);
    ck_assert_int_eq(cfg_parse_bool(no[i], &b), 0);
    ck_assert(!b);
  }
  ck_assert_int_eq(cfg_parse_bool("maybe", &b), -1);
  ck_assert_int_eq(cfg_parse_bool("", &b), -1);
  ck_assert_int_eq(cfg_parse_bool("2", &b), -1);
}
END_TEST

START_TEST(enumeration)
{
  static const char *const w[] = { "auto", "cuda", "hip", NULL };
  int v = -1;
  ck_assert_int_eq(cfg_parse_enum("hip", w, &v), 0);
  ck_assert_int_eq(v, 2);
  ck_assert_int_eq(cfg_parse_enum("CUDA", w, &v), -1);
  ck_assert_int_eq(cfg_parse_enum("cud", w, &v), -1);
  ck_assert_int_eq(cfg_parse_enum("", w, &v), -1);
}
END_TEST

START_TEST(format)
{
  char b[32];
  cfg_format_size(64 * KB, b, sizeof b);
  ck_assert_str_eq(b, "64K");
  cfg_format_size(4097, b, sizeof b);
  ck_assert_str_eq(b, "4097");
  cfg_format_size(TB, b, sizeof b);
  ck_assert_str_eq(b, "1T");
  cfg_format_size(2048 * TB, b, sizeof b);
  ck_assert_str_eq(b, "2048T");
  cfg_format_size(0, b, sizeof b);
  ck_assert_str_eq(b, "0");
}
END_TEST

static void read_into(void *c) { cfg_read(c); }

/* Run cfg_read with stderr captured; returns what was written. */
static const char *read_with(struct cfg *c) { return captured(read_into, c); }

static void clear_env(void)
{
  for (size_t i = 0; i < cfg_noptions; i++)
    unsetenv(cfg_options[i].name);
}

START_TEST(defaults)
{
  clear_env();
  struct cfg c;
  ck_assert_str_eq(read_with(&c), "");
  ck_assert_int_eq(c.backend, CFG_BACKEND_AUTO);
  ck_assert_uint_eq(c.min_size, 256 * KB);
  ck_assert_uint_eq(c.chunk_size, 64 * MB);
  ck_assert_uint_eq(c.window, TB);
  ck_assert_uint_eq(c.max_pinned, limits_memory(NULL) / 100 * 50 + limits_memory(NULL) % 100 * 50 / 100);
  ck_assert_str_eq(c.stats, "");
  ck_assert_int_eq(c.log, CFG_LOG_WARN);
}
END_TEST

START_TEST(good_values)
{
  clear_env();
  setenv("GPUSCATTER_BACKEND", "sim", 1);
  setenv("GPUSCATTER_MIN_SIZE", "1M", 1);
  setenv("GPUSCATTER_CHUNK_SIZE", "128M", 1);
  setenv("GPUSCATTER_WINDOW", "64G", 1);
  setenv("GPUSCATTER_MAX_PINNED", "16G", 1);
  setenv("GPUSCATTER_STATS", "/tmp/s-%p.json", 1);
  setenv("GPUSCATTER_LOG", "debug", 1);
  struct cfg c;
  ck_assert_str_eq(read_with(&c), "");
  ck_assert_int_eq(c.backend, CFG_BACKEND_SIM);
  ck_assert_uint_eq(c.min_size, MB);
  ck_assert_uint_eq(c.chunk_size, 128 * MB);
  ck_assert_uint_eq(c.window, 64 * GB);
  ck_assert_uint_eq(c.max_pinned, 16 * GB);
  ck_assert_str_eq(c.stats, "/tmp/s-%p.json");
  ck_assert_int_eq(c.log, CFG_LOG_DEBUG);
  setenv("GPUSCATTER_MAX_PINNED", "25%", 1);
  setenv("GPUSCATTER_STATS", "off", 1);
  setenv("GPUSCATTER_BACKEND", "off", 1);
  setenv("GPUSCATTER_LOG", "warn", 1);
  ck_assert_str_eq(read_with(&c), "");
  ck_assert_uint_eq(c.max_pinned, limits_memory(NULL) / 100 * 25 + limits_memory(NULL) % 100 * 25 / 100);
  ck_assert_str_eq(c.stats, "");
  ck_assert_int_eq(c.backend, CFG_BACKEND_OFF);
  /* Empty means unset: the default, silently. */
  setenv("GPUSCATTER_CHUNK_SIZE", "", 1);
  ck_assert_str_eq(read_with(&c), "");
  ck_assert_uint_eq(c.chunk_size, 64 * MB);
}
END_TEST

struct bad { const char *var, *val, *msg; };

START_TEST(bad_values)
{
  static const struct bad t[] = {
    { "GPUSCATTER_CHUNK_SIZE", "12Q",
      "gpuscatter: GPUSCATTER_CHUNK_SIZE='12Q' is not a size (e.g. 64M); using 64M\n" },
    { "GPUSCATTER_CHUNK_SIZE", "1K",
      "gpuscatter: GPUSCATTER_CHUNK_SIZE='1K' is out of range (2M..64G); using 64M\n" },
    { "GPUSCATTER_MIN_SIZE", "0",
      "gpuscatter: GPUSCATTER_MIN_SIZE='0' is out of range (1..1T); using 256K\n" },
    { "GPUSCATTER_WINDOW", "99999999999999999999999",
      "gpuscatter: GPUSCATTER_WINDOW='99999999999999999999999' is out of range (1G..128T); using 1T\n" },
    { "GPUSCATTER_BACKEND", "CUDA",
      "gpuscatter: GPUSCATTER_BACKEND='CUDA' is not one of auto|cuda|hip|amdgpu|sim|off; using auto\n" },
    { "GPUSCATTER_LOG", "loud",
      "gpuscatter: GPUSCATTER_LOG='loud' is not one of error|warn|info|debug; using warn\n" },
    { "GPUSCATTER_MAX_PINNED", "lots",
      "gpuscatter: GPUSCATTER_MAX_PINNED='lots' is not a size or percentage of the memory the process may use (e.g. 16G or 50%); using 50%\n" },
    { "GPUSCATTER_MAX_PINNED", "0%",
      "gpuscatter: GPUSCATTER_MAX_PINNED='0%' is out of range (1%..100%); using 50%\n" },
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    clear_env();
    setenv(t[i].var, t[i].val, 1);
    struct cfg c;
    ck_assert_str_eq(read_with(&c), t[i].msg);
    ck_assert_uint_eq(c.chunk_size, 64 * MB);
    ck_assert_uint_eq(c.min_size, 256 * KB);
    ck_assert_uint_eq(c.window, TB);
    ck_assert_int_eq(c.backend, CFG_BACKEND_AUTO);
    ck_assert_uint_eq(c.max_pinned, limits_memory(NULL) / 100 * 50 + limits_memory(NULL) % 100 * 50 / 100);
  }
}
END_TEST

START_TEST(long_stats_path)
{
  clear_env();
  char v[400];
  memset(v, 'a', sizeof v - 1);
  v[sizeof v - 1] = '\0';
  setenv("GPUSCATTER_STATS", v, 1);
  struct cfg c;
  const char *out = read_with(&c);
  ck_assert_str_eq(c.stats, "");
  ck_assert_ptr_nonnull(strstr(out, "GPUSCATTER_STATS='aaaa"));
  ck_assert_ptr_nonnull(strstr(out, "is longer than 255 bytes; using off\n"));
  ck_assert_ptr_eq(strchr(out, '\n'), out + strlen(out) - 1); /* one line */
}
END_TEST

START_TEST(one_line_each_and_log_level)
{
  clear_env();
  setenv("GPUSCATTER_CHUNK_SIZE", "x", 1);
  setenv("GPUSCATTER_BACKEND", "y", 1);
  struct cfg c;
  const char *out = read_with(&c);
  int lines = 0;
  for (const char *p = out; *p; p++)
    lines += *p == '\n';
  ck_assert_int_eq(lines, 2);
  /* GPUSCATTER_LOG=error silences warnings, including these. */
  setenv("GPUSCATTER_LOG", "error", 1);
  ck_assert_str_eq(read_with(&c), "");
  log_set_level(CFG_LOG_WARN);
}
END_TEST

START_TEST(read_once)
{
  clear_env();
  setenv("GPUSCATTER_MIN_SIZE", "1M", 1);
  const struct cfg *a = cfg_get();
  ck_assert_ptr_nonnull(a);
  setenv("GPUSCATTER_MIN_SIZE", "2M", 1);
  const struct cfg *b = cfg_get();
  ck_assert_ptr_eq(a, b);
  ck_assert_uint_eq(b->min_size, MB);
}
END_TEST

START_TEST(describe_lists_every_variable)
{
  char path[] = "/tmp/gpuscatter-desc-XXXXXX";
  int fd = mkstemp(path);
  cfg_describe(fd, true);
  char buf[8192];
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  buf[n > 0 ? n : 0] = '\0';
  close(fd);
  unlink(path);
  for (size_t i = 0; i < cfg_noptions; i++)
    ck_assert_ptr_nonnull(strstr(buf, cfg_options[i].name));
  ck_assert_ptr_nonnull(strstr(buf, "| `--chunk-size` |"));
  ck_assert_ptr_nonnull(strstr(buf, "auto\\|cuda"));
}
END_TEST

int main(void)
{
  Suite *s = suite_create("config");
  TCase *t = tcase_create("parse");
  tcase_add_test(t, size_good);
  tcase_add_test(t, size_bad);
  tcase_add_test(t, pct);
  tcase_add_test(t, boolean);
  tcase_add_test(t, enumeration);
  tcase_add_test(t, format);
  suite_add_tcase(s, t);
  t = tcase_create("env");
  tcase_add_test(t, defaults);
  tcase_add_test(t, good_values);
  tcase_add_test(t, bad_values);
  tcase_add_test(t, long_stats_path);
  tcase_add_test(t, one_line_each_and_log_level);
  tcase_add_test(t, read_once);
  tcase_add_test(t, describe_lists_every_variable);
  suite_add_tcase(s, t);
  return run_suite(s);
}
