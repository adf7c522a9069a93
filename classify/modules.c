/* Loaded objects by address. _dl_find_object reads the loader's lock-free
 * copy of the object list; the dynamic symbol table is read straight from
 * memory, as the loader left it. */
#include "modules.h"
#include "rules.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

/* Weak: glibc before 2.35 has none, and we must still load there. */
extern int _dl_find_object(void *, struct dl_find_object *) __attribute__((weak));

enum { CACHE = 64, RANGES = 16 };

struct symcache {
  const void *map;
  const char *prefix;  /* a rule's, which lives as long as the rules */
  unsigned n;
  uintptr_t lo[RANGES], hi[RANGES];
};

static struct {
  char program[256];   /* the main executable's file name */
  pthread_mutex_t lock;
  struct symcache cache[CACHE];
  unsigned ncache;
} md = { .program = "", .lock = PTHREAD_MUTEX_INITIALIZER };

void modules_init(void)
{
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0)
    return;
  path[n] = '\0';
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  size_t len = strlen(base);
  if (len < sizeof md.program)
    memcpy(md.program, base, len + 1);
}

bool modules_lockfree(void) { return _dl_find_object != NULL; }

static const char *file_name(const char *path)
{
  if (path == NULL || path[0] == '\0')
    return md.program[0] ? md.program : "main";
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static bool find(uintptr_t pc, struct dl_find_object *o)
{
  return _dl_find_object != NULL && _dl_find_object((void *)pc, o) == 0 && o->dlfo_link_map;
}

bool modules_find(uintptr_t pc, struct module *m)
{
  struct dl_find_object o;
  if (!find(pc, &o))
    return false;
  m->name = file_name(o.dlfo_link_map->l_name);
  m->base = (uintptr_t)o.dlfo_map_start;
  return true;
}

bool modules_find_locked(uintptr_t pc, struct module *m, const char **symbol)
{
  Dl_info d;
  /* pc - 1: a return address may be past the end of its function. */
  if (dladdr((void *)(pc - 1), &d) == 0 || d.dli_fname == NULL)
    return false;
  m->name = file_name(d.dli_fname);
  if (d.dli_fbase == (void *)0 || strcmp(m->name, md.program) == 0) {
    struct module lf;
    m->base = modules_find(pc, &lf) ? lf.base : (uintptr_t)d.dli_fbase;
  } else {
    m->base = (uintptr_t)d.dli_fbase;
  }
  if (symbol)
    *symbol = d.dli_sname;
  return true;
}

/* Addresses in .dynamic are relocated in place by the loader on most
 * targets, not on others (and never in the vDSO). */
static uintptr_t dyn_addr(const struct link_map *l, ElfW(Addr) v)
{
  return v < l->l_addr ? l->l_addr + v : v;
}

/* How many entries the dynamic symbol table has: from DT_HASH, or by
 * walking DT_GNU_HASH's buckets and chains. */
static size_t symbol_count(const struct link_map *l, const ElfW(Word) *hash, const uint32_t *gnu)
{
  if (hash)
    return hash[1];
  if (!gnu)
    return 0;
  uint32_t nbuckets = gnu[0], symoffset = gnu[1], bloom = gnu[2];
  const uint32_t *buckets = gnu + 4 + bloom * (sizeof(ElfW(Addr)) / 4);
  const uint32_t *chain = buckets + nbuckets;
  uint32_t last = 0;
  for (uint32_t b = 0; b < nbuckets; b++)
    if (buckets[b] > last)
      last = buckets[b];
  if (last < symoffset)
    return symoffset;
  while (!(chain[last - symoffset] & 1))
    last++;
  (void)l;
  return last + 1;
}

/* Fill c with the ranges of map's functions whose qualified names start
 * with c->prefix. */
static void scan(struct symcache *c, const struct link_map *l)
{
  const ElfW(Sym) *syms = NULL;
  const char *strs = NULL;
  const ElfW(Word) *hash = NULL;
  const uint32_t *gnu = NULL;
  for (const ElfW(Dyn) *d = l->l_ld; d && d->d_tag != DT_NULL; d++) {
    switch (d->d_tag) {
    case DT_SYMTAB: syms = (const ElfW(Sym) *)dyn_addr(l, d->d_un.d_ptr); break;
    case DT_STRTAB: strs = (const char *)dyn_addr(l, d->d_un.d_ptr); break;
    case DT_HASH: hash = (const ElfW(Word) *)dyn_addr(l, d->d_un.d_ptr); break;
    case DT_GNU_HASH: gnu = (const uint32_t *)dyn_addr(l, d->d_un.d_ptr); break;
    }
  }
  if (!syms || !strs)
    return;
  size_t n = symbol_count(l, hash, gnu);
  size_t plen = strlen(c->prefix);
  char q[256];
  for (size_t i = 0; i < n && c->n < RANGES; i++) {
    const ElfW(Sym) *s = &syms[i];
    if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_value == 0 || s->st_size == 0)
      continue;
    rules_qualified(strs + s->st_name, q, sizeof q);
    if (strncmp(q, c->prefix, plen) != 0)
      continue;
    c->lo[c->n] = l->l_addr + s->st_value;
    c->hi[c->n] = c->lo[c->n] + s->st_size;
    c->n++;
  }
}

bool modules_in_symbol(uintptr_t pc, const char *prefix)
{
  struct dl_find_object o;
  if (!find(pc, &o))
    return false;
  const void *map = o.dlfo_link_map;
  bool in = false;
  pthread_mutex_lock(&md.lock);
  struct symcache *c = NULL;
  for (unsigned i = 0; i < md.ncache && !c; i++)
    if (md.cache[i].map == map && md.cache[i].prefix == prefix)
      c = &md.cache[i];
  if (c == NULL && md.ncache < CACHE) {
    c = &md.cache[md.ncache++];
    *c = (struct symcache){ .map = map, .prefix = prefix };
    scan(c, o.dlfo_link_map);
  }
  /* pc - 1: a return address may be past the end of its function. */
  for (unsigned i = 0; c && i < c->n && !in; i++)
    in = pc - 1 >= c->lo[i] && pc - 1 < c->hi[i];
  pthread_mutex_unlock(&md.lock);
  return in;
}

void modules_fork(enum fork_phase ph) { fork_mutex(&md.lock, ph); }
