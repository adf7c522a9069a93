/* Diagnostics go through write(2) from a stack buffer: this code runs
 * inside malloc, where stdio could recurse or deadlock. */
#include "log.h"
#include "io.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

/* Warnings before the configuration is read must still show. */
static int log_level = CFG_LOG_WARN;

void log_set_level(int level) { log_level = level; }
int log_get_level(void) { return log_level; }

void log_msg(int level, const char *fmt, ...)
{
  if (level > log_level)
    return;
  int saved = errno;
  char buf[1024];
  int n = snprintf(buf, sizeof buf, "gpuscatter: ");
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
  va_end(ap);
  if (m < 0)
    m = 0;
  size_t len = (size_t)n + (size_t)m;
  if (len > sizeof buf - 2)
    len = sizeof buf - 2;
  buf[len++] = '\n';
  io_write_all(2, buf, len);
  errno = saved;
}
