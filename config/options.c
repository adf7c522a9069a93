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
  { .name = "GPUSCATTER_LOG", .type = CFG_ENUM, .def = "warn",
    .form = "one of error|warn|info|debug",
    .meaning = "how much gpuscatter writes to stderr",
    .words = log_words, .off = OPT(log) },
  { .name = "GPUSCATTER_BACKEND", .type = CFG_ENUM, .def = "auto",
    .form = "one of auto|cuda|hip|amdgpu|sim|off",
    .meaning = "what registers chunks with the GPU; off makes gpuscatter a plain jemalloc forwarder",
    .words = backend_words, .off = OPT(backend) },
  { .name = "GPUSCATTER_MIN_SIZE", .type = CFG_SIZE, .def = "256K",
    .form = "a size (e.g. 256K)",
    .meaning = "allocations at least this large are GPU-bound",
    .min = 1, .max = K * K * K * K, .off = OPT(min_size) },
  { .name = "GPUSCATTER_MAX_SIZE", .type = CFG_SIZE, .def = "0",
    .form = "a size (e.g. 1G); 0: no limit",
    .meaning = "allocations larger than this stay ordinary",
    .off = OPT(max_size) },
  { .name = "GPUSCATTER_CHUNK_SIZE", .type = CFG_SIZE, .def = "64M",
    .form = "a size (e.g. 64M)",
    .meaning = "granule in which the window is committed and registered (rounded up to 2M)",
    .min = 2 * K * K, .max = 64 * K * K * K, .off = OPT(chunk_size) },
  { .name = "GPUSCATTER_WINDOW", .type = CFG_SIZE, .def = "1T",
    .form = "a size (e.g. 1T)",
    .meaning = "address space reserved for GPU-bound allocations (halved on refusal)",
    .min = 1 * K * K * K, .max = 128 * K * K * K * K, .off = OPT(window) },
  { .name = "GPUSCATTER_MAX_PINNED", .type = CFG_SIZE_OR_PCT, .def = "50%",
    .form = "a size or percentage of the memory the process may use (e.g. 16G or 50%)",
    .meaning = "most memory gpuscatter keeps registered (RAM or the cgroup's limit, whichever is less); "
               "beyond it registrations go to the runtime",
    .off = OPT(max_pinned) },
  { .name = "GPUSCATTER_HUGEPAGES", .type = CFG_BOOL, .def = "on",
    .form = "a boolean (on/off, yes/no, true/false, 1/0)",
    .meaning = "ask for transparent huge pages on chunks (faster registration)",
    .off = OPT(hugepages) },
  { .name = "GPUSCATTER_ARENAS", .type = CFG_BOOL, .def = "on",
    .form = "a boolean (on/off, yes/no, true/false, 1/0)",
    .meaning = "off: keep the backend but place nothing in arenas (the per-buffer baseline)",
    .off = OPT(arenas) },
  { .name = "GPUSCATTER_BIND", .type = CFG_ENUM, .def = "async",
    .form = "one of lazy|async|eager",
    .meaning = "when memory is registered with the GPU: lazy: when a registration needs it; async: also ahead, "
               "on a background thread, where there is evidence the program registers it (and unbound when it "
               "no longer does); eager: everything placed, ahead (costly for programs that register little)",
    .words = bind_words, .off = OPT(bind) },
  { .name = "GPUSCATTER_BIND_MAX", .type = CFG_SIZE, .def = "1G",
    .form = "a size (e.g. 1G)",
    .meaning = "most bytes one backend call registers when coalescing adjacent chunks",
    .min = 2 * K * K, .max = 256 * K * K * K, .off = OPT(bind_max) },
  { .name = "GPUSCATTER_CLASSIFY", .type = CFG_ENUM, .def = "auto",
    .form = "one of auto|size|sites|learn",
    .meaning = "size: the threshold alone; sites: plus rules; learn (auto): plus the call sites whose memory "
               "the program registers, learned and kept in the profile",
    .words = classify_words, .off = OPT(classify) },
  { .name = "GPUSCATTER_SITE_MIN_SIZE", .type = CFG_SIZE, .def = "256",
    .form = "a size (e.g. 256)",
    .meaning = "smallest allocation placed by its call site (any size from there up)",
    .min = 1, .max = K * K * K * K, .off = OPT(site_min_size) },
  { .name = "GPUSCATTER_SITE_DEPTH", .type = CFG_UINT, .def = "6",
    .form = "a number of frames (1..16)",
    .meaning = "frames that key an allocation from a shared return address (a generic wrapper)",
    .min = 1, .max = 16, .off = OPT(site_depth) },
  { .name = "GPUSCATTER_SITES", .type = CFG_STRING, .def = "off",
    .form = "off, or module[:symbol-prefix],... (e.g. libc10.so:c10::alloc_cpu)",
    .meaning = "rules: an allocation with a matching frame is GPU-bound (sites and learn modes)",
    .max = sizeof(((struct cfg *)0)->sites), .off = OPT(sites) },
  { .name = "GPUSCATTER_PRESET", .type = CFG_ENUM, .def = "none",
    .form = "one of none|torch",
    .meaning = "rules added to GPUSCATTER_SITES; torch: PyTorch's CPU allocator",
    .words = preset_words, .off = OPT(preset) },
  { .name = "GPUSCATTER_LEARN_THRESHOLD", .type = CFG_UINT, .def = "1",
    .form = "a number (e.g. 1)",
    .meaning = "learn mode: registrations that miss before their allocation site becomes GPU-bound",
    .min = 1, .max = 1000000, .off = OPT(learn_threshold) },
  { .name = "GPUSCATTER_PROFILE", .type = CFG_STRING, .def = "auto",
    .form = "auto, off, or a file path",
    .meaning = "learned call sites, loaded at start and saved at exit; auto: one file per program in "
               "$XDG_CACHE_HOME/gpuscatter or ~/.cache/gpuscatter",
    .max = sizeof(((struct cfg *)0)->profile), .off = OPT(profile) },
  { .name = "GPUSCATTER_HOSTALLOC", .type = CFG_ENUM, .def = "auto",
    .form = "one of auto|on|off",
    .meaning = "serve the runtime's pinned allocations (cudaHostAlloc, cuMemAllocHost, hipHostMalloc) from "
               "bound memory; auto: CUDA's, not HIP's (not checked on AMD hardware)",
    .words = hostalloc_words, .off = OPT(hostalloc) },
  { .name = "GPUSCATTER_SIM_CALL_US", .type = CFG_UINT, .def = "80",
    .form = "a number of microseconds (e.g. 80)",
    .meaning = "sim backend: cost of one registration call",
    .max = 10000000, .off = OPT(sim_call_us) },
  { .name = "GPUSCATTER_SIM_GIB_MS", .type = CFG_UINT, .def = "27",
    .form = "a number of milliseconds (e.g. 27)",
    .meaning = "sim backend: cost per GiB registered on 4 KiB pages",
    .max = 1000000, .off = OPT(sim_gib_ms) },
  { .name = "GPUSCATTER_SIM_HUGE_GIB_MS", .type = CFG_UINT, .def = "12",
    .form = "a number of milliseconds (e.g. 12)",
    .meaning = "sim backend: cost per GiB registered on huge pages",
    .max = 1000000, .off = OPT(sim_huge_gib_ms) },
  { .name = "GPUSCATTER_SIM_ALLOC_GIB_MS", .type = CFG_UINT, .def = "490",
    .form = "a number of milliseconds (e.g. 490)",
    .meaning = "sim backend: cost per GiB of a pinned allocation (cudaHostAlloc)",
    .max = 1000000, .off = OPT(sim_alloc_gib_ms) },
  { .name = "GPUSCATTER_STATS", .type = CFG_STRING, .def = "off",
    .form = "off, stderr, or a file path (%p: the pid)",
    .meaning = "where to write the JSON statistics at exit",
    .max = sizeof(((struct cfg *)0)->stats), .off = OPT(stats) },
  { .name = "GPUSCATTER_AMDGPU_DEVICE", .type = CFG_STRING, .def = "auto",
    .form = "auto, or a render node (e.g. /dev/dri/renderD128)",
    .meaning = "amdgpu backend: the GPU; auto: the first amdgpu render node libdrm lists",
    .max = sizeof(((struct cfg *)0)->amdgpu_device), .off = OPT(amdgpu_device) },
  { .name = "GPUSCATTER_FAULT", .type = CFG_STRING, .def = "off",
    .form = "off, or a list of reserve, commit, map, bind, unbind, thread, stats (each optionally :K)",
    .meaning = "tests only: make that operation fail (the K-th time, or always)",
    .max = sizeof(((struct cfg *)0)->fault), .off = OPT(fault) },
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
