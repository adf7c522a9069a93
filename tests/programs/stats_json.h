/* Reading one number from gpuscatter_stats_json() in a test program:
 * stats_value("chunks", "count"). The library must be preloaded. */
#ifndef STATS_JSON_H
#define STATS_JSON_H

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char stats_text[8192];

static unsigned long long stats_value(const char *section, const char *key)
{
  static int (*json)(char *, size_t);
  if (json == NULL)
    *(void **)&json = dlsym(RTLD_DEFAULT, "gpuscatter_stats_json");
  if (json == NULL) {
    fprintf(stderr, "FAIL: gpuscatter is not preloaded\n");
    exit(1);
  }
  json(stats_text, sizeof stats_text);
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\": {", section);
  const char *s = strstr(stats_text, pat);
  snprintf(pat, sizeof pat, "\"%s\": ", key);
  const char *k = s ? strstr(s, pat) : NULL;
  if (k == NULL) {
    fprintf(stderr, "FAIL: no %s.%s in %s\n", section, key, stats_text);
    exit(1);
  }
  return strtoull(k + strlen(pat), NULL, 10);
}

#endif
