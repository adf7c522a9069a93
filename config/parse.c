/* Value parsers for GPUSCATTER_* variables: strict, pure, no allocation. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Digits, then an optional binary suffix K/M/G/T (any case, optionally
 * followed by "iB" or "B"). Anything else is malformed. */
int cfg_parse_size(const char *s, uint64_t *out)
{
  if (s == NULL || *s < '0' || *s > '9')
    return -1;
  uint64_t v = 0;
  bool overflow = false;
  for (; *s >= '0' && *s <= '9'; s++) {
    unsigned d = (unsigned)(*s - '0');
    if (v > (UINT64_MAX - d) / 10)
      overflow = true;
    else
      v = v * 10 + d;
  }
  unsigned shift = 0;
  switch (*s) {
  case 'k': case 'K': shift = 10; break;
  case 'm': case 'M': shift = 20; break;
  case 'g': case 'G': shift = 30; break;
  case 't': case 'T': shift = 40; break;
  case '\0': break;
  default: return -1;
  }
  if (shift) {
    s++;
    if (strcmp(s, "") != 0 && strcmp(s, "B") != 0 && strcmp(s, "iB") != 0)
      return -1;
  }
  if (overflow || (shift && v > (UINT64_MAX >> shift)))
    return -2;
  *out = v << shift;
  return 0;
}

/* Plain decimal digits. */
int cfg_parse_uint(const char *s, uint64_t *out)
{
  if (s == NULL || *s == '\0')
    return -1;
  uint64_t v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return -1;
    unsigned d = (unsigned)(*s - '0');
    if (v > (UINT64_MAX - d) / 10)
      return -2;
    v = v * 10 + d;
  }
  *out = v;
  return 0;
}

int cfg_parse_pct(const char *s, unsigned *pct)
{
  size_t n = s ? strlen(s) : 0;
  if (n < 2 || n > 4 || s[n - 1] != '%')
    return -1;
  unsigned v = 0;
  for (size_t i = 0; i + 1 < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (unsigned)(s[i] - '0');
  }
  if (v < 1 || v > 100)
    return -2;
  *pct = v;
  return 0;
}

int cfg_parse_bool(const char *s, bool *out)
{
  static const char *const yes[] = { "1", "on", "yes", "true" };
  static const char *const no[] = { "0", "off", "no", "false" };
  if (s == NULL)
    return -1;
  for (size_t i = 0; i < 4; i++) {
    if (strcasecmp(s, yes[i]) == 0) { *out = true; return 0; }
    if (strcasecmp(s, no[i]) == 0) { *out = false; return 0; }
  }
  return -1;
}

/* Enum words are exact: "CUDA" is not "cuda", so a typo is never guessed. */
int cfg_parse_enum(const char *s, const char *const *words, int *out)
{
  if (s == NULL)
    return -1;
  for (int i = 0; words[i]; i++)
    if (strcmp(s, words[i]) == 0) {
      *out = i;
      return 0;
    }
  return -1;
}

void cfg_format_size(uint64_t v, char *buf, size_t len)
{
  static const char suffix[] = "KMGT";
  int i = -1;
  while (i < 3 && v >= 1024 && v % 1024 == 0) {
    v /= 1024;
    i++;
  }
  if (i < 0)
    snprintf(buf, len, "%llu", (unsigned long long)v);
  else
    snprintf(buf, len, "%llu%c", (unsigned long long)v, suffix[i]);
}

uint64_t cfg_phys_ram(void)
{
  long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || psz <= 0)
    return 0;
  return (uint64_t)pages * (uint64_t)psz;
}
