/* The one table of GPUSCATTER_* variables, and reading it. The README's
 * variables table and `gpuscatter env` are generated from this table. */
#include "config.h"
#include "limits.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const backend_words[] =
  { "auto", "cuda", "hip", "amdgpu", "sim", "off", NULL };
static const char *const log_words[] =
  { "error", "warn", "info", "debug", NULL };
static const char *const bind_words[] = { "lazy", "async", "eager", NULL };
static const char *const classify_words[] = { "auto", "size", "sites", "learn", NULL };
static const char *const preset_words[] = { "none", "torch", NULL };
static const char *const hostalloc_words[] = { "auto", "on", "off", NULL };

#define K 1024ull
#define OPT(field) offsetof(struct cfg, field)

const struct cfg_option cfg_options[] = {
  /* First, so that its level applies to warnings about the others. */
  { "GPUSCATTER_LOG", CFG_ENUM, "warn", "one of error|warn|info|debug",
    "how much gpuscatter writes to stderr", log_words, 0, 0, OPT(log) },
  { "GPUSCATTER_BACKEND", CFG_ENUM, "auto", "one of auto|cuda|hip|amdgpu|sim|off",
    "what registers chunks with the GPU; off makes gpuscatter a plain jemalloc forwarder",
    backend_words, 0, 0, OPT(backend) },
  { "GPUSCATTER_MIN_SIZE", CFG_SIZE, "256K", "a size (e.g. 256K)",
    "allocations at least this large are GPU-bound", NULL, 1, K * K * K * K,
    OPT(min_size) },
  { "GPUSCATTER_MAX_SIZE", CFG_SIZE, "0", "a size (e.g. 1G); 0: no limit",
    "allocations larger than this stay ordinary", NULL, 0, 0, OPT(max_size) },
  { "GPUSCATTER_CHUNK_SIZE", CFG_SIZE, "64M", "a size (e.g. 64M)",
    "granule in which the window is committed and registered (rounded up to 2M)", NULL,
    2 * K * K, 64 * K * K * K, OPT(chunk_size) },
  { "GPUSCATTER_WINDOW", CFG_SIZE, "1T", "a size (e.g. 1T)",
    "address space reserved for GPU-bound allocations (halved on refusal)", NULL,
    1 * K * K * K, 128 * K * K * K * K, OPT(window) },
  { "GPUSCATTER_MAX_PINNED", CFG_SIZE_OR_PCT, "50%",
    "a size or percentage of the memory the process may use (e.g. 16G or 50%)",
    "most memory gpuscatter keeps registered (RAM or the cgroup's limit, whichever is less); "
    "beyond it registrations go to the runtime", NULL, 0, 0, OPT(max_pinned) },
  { "GPUSCATTER_HUGEPAGES", CFG_BOOL, "on", "a boolean (on/off, yes/no, true/false, 1/0)",
    "ask for transparent huge pages on chunks (faster registration)", NULL, 0, 0,
    OPT(hugepages) },
  { "GPUSCATTER_ARENAS", CFG_BOOL, "on", "a boolean (on/off, yes/no, true/false, 1/0)",
    "off: keep the backend but place nothing in arenas (the per-buffer baseline)", NULL, 0, 0,
    OPT(arenas) },
  { "GPUSCATTER_BIND", CFG_ENUM, "async", "one of lazy|async|eager",
    "when memory is registered with the GPU: lazy: when a registration needs it; async: also ahead, "
    "on a background thread, where there is evidence the program registers it (and unbound when it "
    "no longer does); eager: everything placed, ahead (costly for programs that register little)",
    bind_words, 0, 0, OPT(bind) },
  { "GPUSCATTER_BIND_MAX", CFG_SIZE, "1G", "a size (e.g. 1G)",
    "most bytes one backend call registers when coalescing adjacent chunks", NULL,
    2 * K * K, 256 * K * K * K, OPT(bind_max) },
  { "GPUSCATTER_CLASSIFY", CFG_ENUM, "auto", "one of auto|size|sites|learn",
    "size: the threshold alone; sites: plus rules; learn (auto): plus the call sites whose memory "
    "the program registers, learned and kept in the profile",
    classify_words, 0, 0, OPT(classify) },
  { "GPUSCATTER_SITE_MIN_SIZE", CFG_SIZE, "256", "a size (e.g. 256)",
    "smallest allocation placed by its call site (any size from there up)", NULL, 1,
    K * K * K * K, OPT(site_min_size) },
  { "GPUSCATTER_SITE_DEPTH", CFG_UINT, "6", "a number of frames (1..16)",
    "frames that key an allocation from a shared return address (a generic wrapper)", NULL, 1,
    16, OPT(site_depth) },
  { "GPUSCATTER_SITES", CFG_STRING, "off", "off, or module[:symbol-prefix],... (e.g. libc10.so:c10::alloc_cpu)",
    "rules: an allocation with a matching frame is GPU-bound (sites and learn modes)", NULL, 0,
    sizeof(((struct cfg *)0)->sites), OPT(sites) },
  { "GPUSCATTER_PRESET", CFG_ENUM, "none", "one of none|torch",
    "rules added to GPUSCATTER_SITES; torch: PyTorch's CPU allocator", preset_words, 0, 0,
    OPT(preset) },
  { "GPUSCATTER_LEARN_THRESHOLD", CFG_UINT, "1", "a number (e.g. 1)",
    "learn mode: registrations that miss before their allocation site becomes GPU-bound", NULL,
    1, 1000000, OPT(learn_threshold) },
  { "GPUSCATTER_PROFILE", CFG_STRING, "auto", "auto, off, or a file path",
    "learned call sites, loaded at start and saved at exit; auto: one file per program in "
    "$XDG_CACHE_HOME/gpuscatter or ~/.cache/gpuscatter", NULL, 0,
    sizeof(((struct cfg *)0)->profile), OPT(profile) },
  { "GPUSCATTER_HOSTALLOC", CFG_ENUM, "auto", "one of auto|on|off",
    "serve the runtime's pinned allocations (cudaHostAlloc, cuMemAllocHost, hipHostMalloc) from "
    "bound memory; auto: CUDA's, not HIP's (not checked on AMD hardware)", hostalloc_words, 0, 0,
    OPT(hostalloc) },
  { "GPUSCATTER_SIM_CALL_US", CFG_UINT, "80", "a number of microseconds (e.g. 80)",
    "sim backend: cost of one registration call", NULL, 0, 10000000, OPT(sim_call_us) },
  { "GPUSCATTER_SIM_GIB_MS", CFG_UINT, "27", "a number of milliseconds (e.g. 27)",
    "sim backend: cost per GiB registered on 4 KiB pages", NULL, 0, 1000000, OPT(sim_gib_ms) },
  { "GPUSCATTER_SIM_HUGE_GIB_MS", CFG_UINT, "12", "a number of milliseconds (e.g. 12)",
    "sim backend: cost per GiB registered on huge pages", NULL, 0, 1000000, OPT(sim_huge_gib_ms) },
  { "GPUSCATTER_SIM_ALLOC_GIB_MS", CFG_UINT, "490", "a number of milliseconds (e.g. 490)",
    "sim backend: cost per GiB of a pinned allocation (cudaHostAlloc)", NULL, 0, 1000000,
    OPT(sim_alloc_gib_ms) },
  { "GPUSCATTER_STATS", CFG_STRING, "off", "off, stderr, or a file path (%p: the pid)",
    "where to write the JSON statistics at exit", NULL, 0, sizeof(((struct cfg *)0)->stats),
    OPT(stats) },
  { "GPUSCATTER_AMDGPU_DEVICE", CFG_STRING, "auto", "auto, or a render node (e.g. /dev/dri/renderD128)",
    "amdgpu backend: the GPU; auto: the first amdgpu render node libdrm lists", NULL, 0,
    sizeof(((struct cfg *)0)->amdgpu_device), OPT(amdgpu_device) },
  { "GPUSCATTER_FAULT", CFG_STRING, "off",
    "off, or a list of reserve, commit, bind, unbind, thread, stats (each optionally :K)",
    "tests only: make that operation fail (the K-th time, or always)", NULL, 0,
    sizeof(((struct cfg *)0)->fault), OPT(fault) },
};
const size_t cfg_noptions = sizeof cfg_options / sizeof cfg_options[0];

/* Apply one raw value (NULL or "" means unset) to *c. Writes the effective
 * value as text to eff. Returns false when the value was rejected. */
static bool apply(const struct cfg_option *o, const char *raw, struct cfg *c,
                  char *eff, size_t efflen, bool warn)
{
  char *field = (char *)c + o->off;
  const char *v = (raw && *raw) ? raw : o->def;
  bool ok = true;
  for (int pass = 0; pass < 2; pass++, v = o->def) {
    int rc = -1;
    uint64_t sz = 0;
    unsigned pct = 0;
    switch (o->type) {
    case CFG_SIZE:
      rc = cfg_parse_size(v, &sz);
      if (rc == 0 && (sz < o->min || (o->max && sz > o->max)))
        rc = -2;
      if (rc == 0) {
        *(size_t *)field = (size_t)sz;
        cfg_format_size(sz, eff, efflen);
      }
      break;
    case CFG_SIZE_OR_PCT:
      if ((rc = cfg_parse_pct(v, &pct)) == 0) {
        uint64_t mem = limits_memory(NULL);
        *(size_t *)field = (size_t)(mem / 100 * pct + mem % 100 * pct / 100);
        snprintf(eff, efflen, "%s", v);
      } else if (rc == -1 && (rc = cfg_parse_size(v, &sz)) == 0) {
        *(size_t *)field = (size_t)sz;
        cfg_format_size(sz, eff, efflen);
      }
      break;
    case CFG_UINT:
      rc = cfg_parse_uint(v, &sz);
      if (rc == 0 && (sz < o->min || (o->max && sz > o->max)))
        rc = -2;
      if (rc == 0) {
        *(unsigned *)field = (unsigned)sz;
        snprintf(eff, efflen, "%llu", (unsigned long long)sz);
      }
      break;
    case CFG_BOOL:
      if ((rc = cfg_parse_bool(v, (bool *)field)) == 0)
        snprintf(eff, efflen, "%s", *(bool *)field ? "on" : "off");
      break;
    case CFG_ENUM:
      if ((rc = cfg_parse_enum(v, o->words, (int *)field)) == 0)
        snprintf(eff, efflen, "%s", v);
      break;
    case CFG_STRING: {
      size_t n = strlen(v);
      rc = n < o->max ? 0 : -2;
      if (rc == 0) {
        bool off = strcmp(v, "off") == 0;
        memcpy(field, off ? "" : v, off ? 1 : n + 1);
        snprintf(eff, efflen, "%s", v);
      }
      break;
    }
    }
    if (rc == 0)
      return ok;
    ok = false;
    if (warn && pass == 0) {
      if (rc == -2 && o->type == CFG_STRING)
        log_warn("%s='%.40s...' is longer than %llu bytes; using %s", o->name, v,
                 (unsigned long long)o->max - 1, o->def);
      else if (rc == -2 && o->type == CFG_SIZE_OR_PCT && strchr(v, '%'))
        log_warn("%s='%s' is out of range (1%%..100%%); using %s", o->name, v, o->def);
      else if (rc == -2 && o->type == CFG_SIZE_OR_PCT)
        log_warn("%s='%s' is too large a size; using %s", o->name, v, o->def);
      else if (rc == -2 && o->type == CFG_UINT)
        log_warn("%s='%s' is out of range (%llu..%llu); using %s", o->name, v,
                 (unsigned long long)o->min, (unsigned long long)o->max, o->def);
      else if (rc == -2) {
        char lo[32], hi[32] = "";
        cfg_format_size(o->min, lo, sizeof lo);
        if (o->max)
          cfg_format_size(o->max, hi, sizeof hi);
        log_warn("%s='%s' is out of range (%s..%s); using %s", o->name, v, lo, hi, o->def);
      } else
        log_warn("%s='%s' is not %s; using %s", o->name, v, o->form, o->def);
    }
  }
  return ok; /* unreachable: defaults always parse */
}

static void read_all(struct cfg *c, bool warn, void (*each)(const struct cfg_option *,
                     const char *raw, const char *eff, void *), void *arg)
{
  memset(c, 0, sizeof *c);
  for (size_t i = 0; i < cfg_noptions; i++) {
    const struct cfg_option *o = &cfg_options[i];
    const char *raw = secure_getenv(o->name);
    char eff[64];
    apply(o, raw, c, eff, sizeof eff, warn);
    if (o->off == offsetof(struct cfg, log))
      log_set_level(c->log);
    if (each)
      each(o, raw, eff, arg);
  }
}

void cfg_read(struct cfg *c) { read_all(c, true, NULL, NULL); }

const char *cfg_word(const char *name, int value)
{
  for (size_t i = 0; i < cfg_noptions; i++) {
    const struct cfg_option *o = &cfg_options[i];
    if (o->type != CFG_ENUM || strcmp(o->name, name) != 0)
      continue;
    for (int w = 0; o->words[w]; w++)
      if (w == value)
        return o->words[w];
  }
  return "?";
}

static struct cfg cfg_global;
static int cfg_state; /* 0 unread, 1 being read, 2 ready */

const struct cfg *cfg_get(void)
{
  int s = __atomic_load_n(&cfg_state, __ATOMIC_ACQUIRE);
  if (__builtin_expect(s == 2, 1))
    return &cfg_global;
  if (s == 0 && __atomic_compare_exchange_n(&cfg_state, &s, 1, false,
                                            __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
    cfg_read(&cfg_global);
    __atomic_store_n(&cfg_state, 2, __ATOMIC_RELEASE);
    return &cfg_global;
  }
  return NULL;
}

/* --- description, for `gpuscatter env` and the README ------------------ */

#include "io.h"

#include <stdio.h>

static void put(int fd, const char *s) { io_write_all(fd, s, strlen(s)); }

struct describe_arg { int fd; bool markdown; int width; };

static void describe_one(const struct cfg_option *o, const char *raw, const char *eff,
                         void *argp)
{
  struct describe_arg *a = argp;
  char line[768];
  if (a->markdown) {
    /* '|' would end a table cell; the flag is derived as the launcher does. */
    char form[128], flag[64];
    size_t j = 0, k = 0;
    for (const char *s = o->form; *s && j + 2 < sizeof form; s++) {
      if (*s == '|')
        form[j++] = '\\';
      form[j++] = *s;
    }
    form[j] = '\0';
    for (const char *s = o->name + strlen("GPUSCATTER_"); *s && k + 1 < sizeof flag; s++)
      flag[k++] = *s == '_' ? '-' : (char)(*s - 'A' + 'a');
    flag[k] = '\0';
    snprintf(line, sizeof line, "| `%s` | `%s` | %s | `--%s` | %s |\n", o->name, o->def,
             form, flag, o->meaning);
  } else {
    snprintf(line, sizeof line, "%-*s default %-6s current %-10s%s  %s\n", a->width, o->name,
             o->def, eff, (raw && *raw) ? " (set)" : "      ", o->meaning);
  }
  put(a->fd, line);
}

void cfg_describe(int fd, bool markdown)
{
  struct describe_arg a = { fd, markdown, 0 };
  for (size_t i = 0; i < cfg_noptions; i++) /* the longest name sets the columns */
    if ((int)strlen(cfg_options[i].name) > a.width)
      a.width = (int)strlen(cfg_options[i].name);
  struct cfg c;
  if (markdown)
    put(fd, "| Variable | Default | Accepted | Launcher | Meaning |\n"
            "| --- | --- | --- | --- | --- |\n");
  /* Warnings are printed in the env listing too: it shows exactly what the
   * library would say and use. */
  read_all(&c, !markdown, describe_one, &a);
}
