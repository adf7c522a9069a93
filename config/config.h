/* Configuration: every GPUSCATTER_* variable, read once from one table. */
#ifndef GPUSCATTER_CONFIG_H
#define GPUSCATTER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cfg_backend { CFG_BACKEND_AUTO, CFG_BACKEND_CUDA, CFG_BACKEND_HIP,
                   CFG_BACKEND_AMDGPU, CFG_BACKEND_SIM, CFG_BACKEND_OFF };
enum cfg_log { CFG_LOG_ERROR, CFG_LOG_WARN, CFG_LOG_INFO, CFG_LOG_DEBUG };
enum cfg_bind { CFG_BIND_LAZY, CFG_BIND_ASYNC, CFG_BIND_EAGER };
enum cfg_classify { CFG_CLASSIFY_AUTO, CFG_CLASSIFY_SIZE, CFG_CLASSIFY_SITES, CFG_CLASSIFY_LEARN };
enum cfg_preset { CFG_PRESET_NONE, CFG_PRESET_TORCH };
enum cfg_hostalloc { CFG_HOSTALLOC_AUTO, CFG_HOSTALLOC_ON, CFG_HOSTALLOC_OFF };

/* Effective values after parsing; the one place that holds them. */
struct cfg {
  int backend;          /* enum cfg_backend */
  size_t min_size;      /* GPU-bound threshold */
  size_t max_size;      /* 0: no upper bound */
  size_t chunk_size;
  size_t window;
  size_t max_pinned;    /* resolved to bytes */
  bool hugepages;
  bool arenas;          /* off: the backend alone, nothing placed in arenas */
  int bind;             /* enum cfg_bind */
  size_t bind_max;
  unsigned sim_call_us, sim_gib_ms, sim_huge_gib_ms, sim_alloc_gib_ms;
  int hostalloc;        /* enum cfg_hostalloc */
  int log;              /* enum cfg_log */
  char stats[256];      /* "" off, "stderr", or a path (may hold %p) */
  int classify;          /* enum cfg_classify */
  unsigned site_depth;   /* return addresses in a site's identity */
  size_t site_min_size;  /* smallest allocation classified by its site */
  char sites[1024];      /* rules: module[:symbol-prefix],... */
  int preset;            /* enum cfg_preset: rules added to sites */
  unsigned learn_threshold;
  char profile[256];     /* hot sites, loaded at start and saved at exit */
  char amdgpu_device[128]; /* "auto" or a render node path */
  char fault[64];       /* test only: "bind:K" fails the K-th backend registration */
};

enum cfg_type { CFG_SIZE, CFG_SIZE_OR_PCT, CFG_BOOL, CFG_ENUM, CFG_STRING, CFG_UINT };

struct cfg_option {
  const char *name;     /* full variable name */
  enum cfg_type type;
  const char *def;      /* default, in the accepted form */
  const char *form;     /* accepted form, as shown to users */
  const char *meaning;  /* one line */
  const char *const *words; /* CFG_ENUM: NULL-terminated */
  uint64_t min, max;    /* CFG_SIZE, CFG_UINT: accepted range (max 0: none);
                           CFG_STRING: max is the field's size */
  size_t off;           /* offset in struct cfg */
};

extern const struct cfg_option cfg_options[];
extern const size_t cfg_noptions;

/* Parse the environment (secure_getenv) into *c; bad values warn once and
 * keep the default. Never allocates: safe inside malloc. */
void cfg_read(struct cfg *c);

/* The process-wide configuration, read at first call. Until it is read (or
 * while another thread reads it) returns NULL: callers treat that as
 * "ordinary allocation, pass through". */
const struct cfg *cfg_get(void);

/* Parsers, pure. Return 0 on success, -1 on a malformed value, -2 out of
 * range. */
int cfg_parse_size(const char *s, uint64_t *out);
int cfg_parse_pct(const char *s, unsigned *pct);   /* "50%" -> 50 */
int cfg_parse_bool(const char *s, bool *out);
int cfg_parse_uint(const char *s, uint64_t *out);
int cfg_parse_enum(const char *s, const char *const *words, int *out);

/* The word an enum option's value stands for ("cuda" for
 * cfg_word("GPUSCATTER_BACKEND", CFG_BACKEND_CUDA)); "?" if none. */
const char *cfg_word(const char *name, int value);

/* Format bytes the way users write them (64M, 1T, 4097). */
void cfg_format_size(uint64_t v, char *buf, size_t len);

/* Physical RAM in bytes, for percentages. */
uint64_t cfg_phys_ram(void);

/* Describe every option: "env" lines (name, default, current, meaning) or
 * the README's markdown table. */
void cfg_describe(int fd, bool markdown);

#endif
