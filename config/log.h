/* One-line diagnostics on stderr, never allocating. */
#ifndef GPUSCATTER_LOG_H
#define GPUSCATTER_LOG_H

#include "config.h"

void log_set_level(int level);
int log_get_level(void);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_warn(...)  log_msg(CFG_LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(CFG_LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(CFG_LOG_DEBUG, __VA_ARGS__)

#endif
