/* libFuzzer: the environment parser. The input is split at NUL bytes into
 * values, one per GPUSCATTER_* variable in table order; the configuration
 * is read (run with -close_fd_mask=2: the warnings are many) and every parser is also fed each
 * value directly. Nothing may crash, read out of bounds or hang, and a
 * read configuration must stay within every option's range. */
#include "../../config/config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
  char *buf = malloc(size + 1);
  memcpy(buf, data, size);
  buf[size] = '\0';
  const char *v = buf, *end = buf + size;
  for (size_t i = 0; i < cfg_noptions; i++) {
    if (v <= end)
      setenv(cfg_options[i].name, v, 1);
    else
      unsetenv(cfg_options[i].name);
    uint64_t u;
    unsigned pct;
    bool b;
    int e;
    cfg_parse_size(v <= end ? v : "", &u);
    cfg_parse_pct(v <= end ? v : "", &pct);
    cfg_parse_bool(v <= end ? v : "", &b);
    cfg_parse_uint(v <= end ? v : "", &u);
    if (cfg_options[i].words)
      cfg_parse_enum(v <= end ? v : "", cfg_options[i].words, &e);
    if (v <= end)
      v += strlen(v) + 1;
  }
  struct cfg c;
  cfg_read(&c);
  if (c.chunk_size < (2u << 20) || c.site_depth < 1 || c.site_depth > 16 || c.min_size < 1 ||
      c.learn_threshold < 1 || memchr(c.sites, 0, sizeof c.sites) == NULL ||
      memchr(c.profile, 0, sizeof c.profile) == NULL)
    abort();
  char fmt[32];
  cfg_format_size(c.window, fmt, sizeof fmt);
  free(buf);
  return 0;
}
