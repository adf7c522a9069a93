/* The profile file:
 *   gpuscatter-profile 2
 *   m MODE                                        up to 16 lines
 *   KIND DEPTH MODULE OFFSET [MODULE OFFSET]...   one line per site
 * MODE: a hash of a command line (the program's arguments) that
 * registered memory, in hex; a run of that mode binds what the sites
 * place ahead, others wait for their own first registration. KIND h: its
 * allocations are registered (place them); d: its return address is
 * shared (look at deeper frames). Offsets in hex. Everything
 * read is validated before any of it is used: limits on size, lines and
 * names, and the file must be ours, regular and not a link. A version 1
 * file (keys of another kind) is read as empty and replaced. */
#include "profile.h"
#include "rules.h"
#include "../config/log.h"
#include "../config/os.h"
#include "../config/privfile.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_FILE = 1 << 20, MAX_SITES = 4096, SLOTS = 8192, MAX_DEPTH = 16, MAX_NAME = 127,
       MAX_MODES = 16 };
enum { LOADED = 0x80 };     /* in kinds[]: the kind came from the file */
static const char header[] = "gpuscatter-profile 2\n";
static const char header_v1[] = "gpuscatter-profile 1\n";

static struct {
  pthread_mutex_t lock;
  uint64_t keys[SLOTS];     /* 0 empty; published last (lookups take no lock) */
  uint8_t kinds[SLOTS];
  uint32_t line[SLOTS];     /* offset of the site's line body in text */
  int count;
  char *text;               /* line bodies ("DEPTH MODULE OFFSET ...\n"), then the file */
  size_t len;
  uint64_t parents[SLOTS];  /* return addresses with a hot deep site below them */
  uint64_t modes[MAX_MODES]; /* command lines that registered, oldest first */
  int nmodes;
  bool refused;             /* never overwrite a file we would not read */
  bool changed;
  /* The default place: the cache folder as checked at start (its path and
   * identity), the file's name in it, and the full path. No handle is kept
   * open between uses: a process that closes its standard streams would
   * otherwise find one of them taken by our folder. */
  bool placed;
  dev_t dev;
  ino_t ino;
  char dir[1024], name[192], path[1280];
} pf = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* A folder that is ours alone, opened: not a link, ours, not writable by
 * others. Its handle, or -1 with *why. */
static int private_dir(const char *dir, struct stat *st, const char **why)
{
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    /* O_NOFOLLOW with O_DIRECTORY answers ENOTDIR for a link too. */
    bool link = errno == ELOOP || (lstat(dir, st) == 0 && S_ISLNK(st->st_mode));
    *why = link ? "the cache folder (gpuscatter) is a symbolic link"
         : errno == ENOTDIR ? "the cache folder (gpuscatter) is not a folder"
         : "cannot create the cache folder";
    return -1;
  }
  *why = fstat(fd, st) != 0 ? "cannot create the cache folder"
       : st->st_uid != geteuid() ? "the cache folder (gpuscatter) belongs to another user"
       : (st->st_mode & (S_IWGRP | S_IWOTH)) ? "the cache folder (gpuscatter) is writable by others"
       : NULL;
  if (*why == NULL)
    return fd;
  close(fd);
  return -1;
}

/* The folder and name to open path by: for the default path, a handle on
 * the cache folder opened now and checked to be the folder checked at
 * start (so a folder swapped for a link or for another folder meanwhile
 * is never written into; the caller closes it); else path itself. False
 * (and *why) when the folder is no longer that one. */
static bool place(const char *path, int *dir, const char **name, const char **why)
{
  struct stat st;
  *dir = AT_FDCWD;
  *name = path;
  if (!pf.placed || strcmp(path, pf.path) != 0)
    return true;
  int fd = private_dir(pf.dir, &st, why);
  if (fd >= 0 && (st.st_dev != pf.dev || st.st_ino != pf.ino)) {
    close(fd);
    fd = -1;
    *why = "the cache folder is no longer the one checked at start";
  }
  if (fd < 0)
    return false;
  *dir = fd;
  *name = pf.name;
  return true;
}

static void unplace(int dir)
{
  if (dir != AT_FDCWD)
    close(dir);
}

uint64_t profile_key(const char *const *modules, const uint64_t *offsets, int depth)
{
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (int i = 0; i < depth; i++) {
    for (const char *s = modules[i]; *s; s++)
      h = (h ^ (unsigned char)*s) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
    for (int b = 0; b < 8; b++)
      h = (h ^ ((offsets[i] >> (8 * b)) & 0xff)) * 1099511628211ull;
  }
  return h ? h : 1;
}

/* The slot of key in an open-addressed table of SLOTS keys (0 empty):
 * found, or where it goes (SLOTS when full). Lock-free: keys are
 * published last. */
static unsigned probe(const uint64_t *tab, uint64_t key, bool *found)
{
  unsigned s = (unsigned)key & (SLOTS - 1);
  for (unsigned i = 0; i < SLOTS; i++, s = (s + 1) & (SLOTS - 1)) {
    uint64_t k = __atomic_load_n(&tab[s], __ATOMIC_ACQUIRE);
    if (k == key || k == 0) {
      *found = k == key;
      return s;
    }
  }
  *found = false;
  return SLOTS;
}

static unsigned slot(uint64_t key, bool *found) { return probe(pf.keys, key, found); }

int profile_lookup(uint64_t key)
{
  bool found;
  unsigned s = slot(key, &found);
  return found ? __atomic_load_n(&pf.kinds[s], __ATOMIC_ACQUIRE) & ~LOADED : PROFILE_NONE;
}

/* A return address under which a deep site is hot (lock held to add). */
static void parent_add(uint64_t ra)
{
  bool found;
  unsigned s = probe(pf.parents, ra, &found);
  if (!found && s < SLOTS)
    __atomic_store_n(&pf.parents[s], ra, __ATOMIC_RELEASE);
}

static bool parent_known(uint64_t ra)
{
  bool found;
  probe(pf.parents, ra, &found);
  return found;
}

bool profile_inherits(uint64_t ra)
{
  bool found;
  unsigned s = slot(ra, &found);
  return found && __atomic_load_n(&pf.kinds[s], __ATOMIC_ACQUIRE) == (LOADED | PROFILE_DEEP) &&
         !parent_known(ra);
}

/* Add or update a site (lock held); body is its line without the kind. */
static void put(uint64_t key, int kind, const char *body, size_t n)
{
  bool found;
  unsigned s = slot(key, &found);
  if (found) {
    if ((pf.kinds[s] & ~LOADED) != (kind & ~LOADED)) {
      __atomic_store_n(&pf.kinds[s], (uint8_t)kind, __ATOMIC_RELEASE);
      pf.changed = true;
    }
    return;
  }
  if (s == SLOTS || pf.count >= MAX_SITES - 1 || pf.len + n > MAX_FILE - sizeof header)
    return;
  memcpy(pf.text + pf.len, body, n);
  pf.line[s] = (uint32_t)pf.len;
  pf.len += n;
  pf.kinds[s] = (uint8_t)kind;
  pf.count++;
  pf.changed = true;
  __atomic_store_n(&pf.keys[s], key, __ATOMIC_RELEASE);
}

/* One site line at s (up to end); its length including '\n', or 0 if it is
 * malformed. The key and kind are what was parsed. */
static size_t parse_line(const char *s, const char *end, uint64_t *key, int *kind, uint64_t *parent)
{
  const char *p = s;
  if (end - p < 2 || (p[0] != 'h' && p[0] != 'd') || p[1] != ' ')
    return 0;
  *kind = p[0] == 'h' ? PROFILE_HOT : PROFILE_DEEP;
  p += 2;
  int depth = 0;
  while (p < end && *p >= '0' && *p <= '9' && depth <= MAX_DEPTH)
    depth = depth * 10 + (*p++ - '0');
  if (depth < 1 || depth > MAX_DEPTH)
    return 0;
  char names[MAX_DEPTH][MAX_NAME + 1];
  const char *mods[MAX_DEPTH];
  uint64_t offs[MAX_DEPTH];
  for (int i = 0; i < depth; i++) {
    if (p >= end || *p++ != ' ')
      return 0;
    int n = 0;
    while (p < end && rules_module_char(*p) && n < MAX_NAME)
      names[i][n++] = *p++;
    names[i][n] = '\0';
    mods[i] = names[i];
    if (n == 0 || p >= end || *p++ != ' ')
      return 0;
    uint64_t v = 0;
    int digits = 0;
    for (; p < end && digits < 13; p++, digits++) {
      char c = *p;
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0)
        break;
      v = v * 16 + (uint64_t)d;
    }
    if (digits == 0 || digits > 12)
      return 0;
    offs[i] = v;
  }
  if (p >= end || *p != '\n')
    return 0; /* trailing junk, or a truncated last line */
  *key = profile_key(mods, offs, depth);
  *parent = depth > 1 && *kind == PROFILE_HOT ? profile_key(mods, offs, 1) : 0;
  return (size_t)(p + 1 - s);
}

/* A mode line "m HEX\n" at s; its length, or 0 if it is not one. */
static size_t parse_mode(const char *s, const char *end, uint64_t *mode)
{
  const char *p = s + 2;
  if (end - s < 4 || s[0] != 'm' || s[1] != ' ')
    return 0;
  uint64_t v = 0;
  int digits = 0;
  for (; p < end && digits <= 16; p++, digits++) {
    char c = *p;
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0)
      break;
    v = v * 16 + (uint64_t)d;
  }
  if (digits == 0 || digits > 16 || p >= end || *p != '\n')
    return 0;
  *mode = v;
  return (size_t)(p + 1 - s);
}

/* Lock held. */
static bool mode_known(uint64_t mode)
{
  for (int i = 0; i < pf.nmodes; i++)
    if (pf.modes[i] == mode)
      return true;
  return false;
}

/* Lock held. True when the mode is new. */
static bool mode_put(uint64_t mode)
{
  if (mode_known(mode))
    return false;
  if (pf.nmodes == MAX_MODES) { /* the oldest goes */
    memmove(pf.modes, pf.modes + 1, sizeof pf.modes[0] * (MAX_MODES - 1));
    pf.nmodes--;
  }
  pf.modes[pf.nmodes++] = mode;
  return true;
}

uint64_t profile_mode(void)
{
  static char cmd[8192];
  int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read(fd, cmd, sizeof cmd) : -1;
  if (fd >= 0)
    close(fd);
  uint64_t h = 1469598103934665603ull; /* FNV-1a of the arguments after the program */
  size_t skip = n > 0 ? strnlen(cmd, (size_t)n) + 1 : 0;
  for (ssize_t i = (ssize_t)skip; i < n; i++)
    h = (h ^ (unsigned char)cmd[i]) * 1099511628211ull;
  return h ? h : 1;
}

bool profile_mode_known(uint64_t mode)
{
  pthread_mutex_lock(&pf.lock);
  bool known = mode_known(mode);
  pthread_mutex_unlock(&pf.lock);
  return known;
}

int profile_modes(void)
{
  pthread_mutex_lock(&pf.lock);
  int n = pf.nmodes;
  pthread_mutex_unlock(&pf.lock);
  return n;
}

void profile_add_mode(uint64_t mode)
{
  pthread_mutex_lock(&pf.lock);
  if (mode_put(mode))
    pf.changed = true;
  pthread_mutex_unlock(&pf.lock);
}

static int refuse(const char *path, const char *why)
{
  log_warn("GPUSCATTER_PROFILE=%s: %s; ignored (and left as it is)", path, why);
  pf.refused = true;
  return 0;
}

int profile_load(const char *path)
{
  int dir;
  const char *name, *why;
  if (pf.text == NULL && (pf.text = os_map(2 * MAX_FILE)) == NULL)
    return 0;
  if (!place(path, &dir, &name, &why))
    return refuse(path, why);
  int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  unplace(dir);
  if (fd < 0) {
    if (errno == ENOENT)
      return 0; /* a first run */
    return refuse(path, errno == ELOOP ? "a symbolic link" : strerror(errno));
  }
  struct stat st;
  const char *bad = NULL;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    bad = "not a regular file";
  else if (st.st_uid != geteuid())
    bad = "owned by another user";
  else if (st.st_mode & (S_IWGRP | S_IWOTH))
    bad = "writable by others";
  else if (st.st_size > MAX_FILE)
    bad = "larger than 1 MiB";
  char *buf = bad ? NULL : os_map(MAX_FILE + 1);
  ssize_t got = 0, r = 0;
  while (buf && got <= MAX_FILE &&
         (r = read(fd, buf + got, (size_t)(MAX_FILE + 1 - got))) > 0)
    got += r;
  close(fd);
  if (bad)
    return refuse(path, bad);
  if (buf == NULL || r < 0)
    return refuse(path, "unreadable");
  if (got > MAX_FILE) {
    os_unmap(buf, MAX_FILE + 1);
    return refuse(path, "larger than 1 MiB");
  }
  size_t hl = sizeof header - 1;
  if ((size_t)got >= hl && memcmp(buf, header_v1, hl) == 0) {
    os_unmap(buf, MAX_FILE + 1);
    return 0; /* an older kind of key: replaced at exit */
  }
  const char *end = buf + got, *p = buf + hl;
  int n = 0;
  static uint64_t keys[MAX_SITES];
  static int kinds[MAX_SITES];
  static uint32_t at[MAX_SITES], lens[MAX_SITES];
  static uint64_t parents[MAX_SITES];
  uint64_t modes[MAX_MODES];
  int nmodes = 0;
  if ((size_t)got < hl || memcmp(buf, header, hl) != 0)
    bad = "not a gpuscatter profile";
  while (!bad && p < end && *p == 'm') {
    size_t len = nmodes < MAX_MODES ? parse_mode(p, end, &modes[nmodes]) : 0;
    if (len == 0)
      bad = "corrupt or truncated";
    nmodes++;
    p += len;
  }
  while (!bad && p < end) {
    size_t len = n < MAX_SITES - 1 ? parse_line(p, end, &keys[n], &kinds[n], &parents[n]) : 0;
    if (n >= MAX_SITES - 1)
      bad = "more than 4095 sites";
    else if (len == 0)
      bad = "corrupt or truncated";
    else {
      at[n] = (uint32_t)(p - buf);
      lens[n++] = (uint32_t)len;
    }
    p += len;
  }
  if (bad) {
    os_unmap(buf, MAX_FILE + 1);
    return refuse(path, bad);
  }
  pthread_mutex_lock(&pf.lock);
  for (int i = 0; i < nmodes; i++)
    mode_put(modes[i]);
  for (int i = 0; i < n; i++) {
    put(keys[i], kinds[i] | LOADED, buf + at[i] + 2, lens[i] - 2); /* the body, without "h " */
    if (parents[i])
      parent_add(parents[i]);
  }
  pf.changed = false;
  pthread_mutex_unlock(&pf.lock);
  os_unmap(buf, MAX_FILE + 1);
  return n;
}

void profile_add(uint64_t key, int kind, const char *const *modules, const uint64_t *offsets,
                 int depth)
{
  char body[MAX_DEPTH * (MAX_NAME + 20) + 8];
  int o = snprintf(body, sizeof body, "%d", depth);
  for (int i = 0; i < depth; i++) {
    size_t n = strlen(modules[i]);
    bool ok = n > 0 && n <= MAX_NAME;
    for (size_t j = 0; ok && j < n; j++)
      ok = rules_module_char(modules[i][j]);
    if (!ok || offsets[i] >= (1ull << 48))
      return; /* not storable: kept for this run only */
    o += snprintf(body + o, sizeof body - (size_t)o, " %s %llx", modules[i],
                  (unsigned long long)offsets[i]);
  }
  body[o++] = '\n';
  pthread_mutex_lock(&pf.lock);
  if (pf.text == NULL)
    pf.text = os_map(2 * MAX_FILE);
  if (pf.text) {
    put(key, kind, body, (size_t)o);
    if (kind == PROFILE_HOT && depth > 1)
      parent_add(profile_key(modules, offsets, 1));
  }
  pthread_mutex_unlock(&pf.lock);
}

void profile_save(const char *path)
{
  pthread_mutex_lock(&pf.lock);
  int rc = 0;
  const char *why = "";
  if (pf.changed && pf.count > 0 && pf.text && !pf.refused) {
    /* The file is assembled in the buffer's second half. */
    char *out = pf.text + MAX_FILE;
    size_t n = sizeof header - 1;
    memcpy(out, header, n);
    for (int i = 0; i < pf.nmodes; i++)
      n += (size_t)snprintf(out + n, 24, "m %llx\n", (unsigned long long)pf.modes[i]);
    for (unsigned s = 0; s < SLOTS; s++) {
      int kind = pf.kinds[s] & ~LOADED;
      if (pf.keys[s] == 0 || kind == PROFILE_NONE)
        continue;
      const char *body = pf.text + pf.line[s];
      size_t len = (size_t)(strchr(body, '\n') - body) + 1;
      if (n + 2 + len > MAX_FILE)
        break;
      out[n++] = kind == PROFILE_HOT ? 'h' : 'd';
      out[n++] = ' ';
      memcpy(out + n, body, len);
      n += len;
    }
    int dir;
    const char *name;
    if (!place(path, &dir, &name, &why)) {
      rc = -1;
    } else {
      if ((rc = privfile_write_at(dir, name, out, n, &why)) == 0)
        pf.changed = false;
      unplace(dir);
    }
  }
  pthread_mutex_unlock(&pf.lock);
  if (rc != 0)
    log_warn("cannot write the profile %s: %s", path, why);
}

/* --- where it lives --------------------------------------------------- */

static const char *base_name(const char *p)
{
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

/* Interpreters: the script names the program, not the interpreter. */
static bool interpreter(const char *exe)
{
  static const char *const names[] = { "python", "pypy", "perl", "ruby", "node", "bash", "sh",
                                       "dash", "zsh", "lua", "julia", "Rscript", NULL };
  for (int i = 0; names[i]; i++) {
    size_t n = strlen(names[i]);
    if (strncmp(exe, names[i], n) == 0 && (exe[n] == '\0' || (exe[n] >= '0' && exe[n] <= '9')))
      return true;
  }
  return false;
}

/* NAME: the program's file name, and for an interpreter its script (or
 * -m module), then a hash of their full paths so that two programs of the
 * same name do not share a profile. */
static void profile_name(char *out, size_t len)
{
  static char cmd[4096], exe[1024], script[1024];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = '\0';
  script[0] = '\0';
  int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  ssize_t m = fd >= 0 ? read(fd, cmd, sizeof cmd - 1) : -1;
  if (fd >= 0)
    close(fd);
  const char *which = "";
  if (m > 0 && interpreter(base_name(exe))) {
    cmd[m] = '\0';
    for (const char *a = cmd + strlen(cmd) + 1; a < cmd + m; a += strlen(a) + 1) {
      if (strcmp(a, "-m") == 0 && a + 3 < cmd + m) {
        which = a + 3;
        snprintf(script, sizeof script, "%s", which);
        break;
      }
      if (a[0] == '-' || a[0] == '\0')
        continue;
      which = a;
      if (realpath(a, script) == NULL)
        snprintf(script, sizeof script, "%s", a);
      break;
    }
  }
  uint64_t h = 1469598103934665603ull;
  for (const char *s = exe; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  h = (h ^ 0xff) * 1099511628211ull;
  for (const char *s = script; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  char prog[64], scr[64];
  size_t k = 0;
  for (const char *s = exe[0] ? base_name(exe) : "program"; *s && k + 1 < sizeof prog; s++)
    prog[k++] = rules_module_char(*s) ? *s : '_';
  prog[k] = '\0';
  k = 0;
  for (const char *s = base_name(which); *s && k + 1 < sizeof scr; s++)
    scr[k++] = rules_module_char(*s) ? *s : '_';
  scr[k] = '\0';
  snprintf(out, len, "%s%s%s-%08x", prog, scr[0] ? "-" : "", scr, (unsigned)(h ^ (h >> 32)));
}

bool profile_default_path(char *out, size_t len, const char **why)
{
  char dir[1024];
  const char *xdg = secure_getenv("XDG_CACHE_HOME"), *home = secure_getenv("HOME");
  if (xdg && xdg[0] == '/') {
    if ((size_t)snprintf(dir, sizeof dir, "%s", xdg) >= sizeof dir)
      return *why = "XDG_CACHE_HOME is too long", false;
    mkdir(dir, 0700); /* fine if it exists */
  } else if (home && home[0] == '/') {
    if ((size_t)snprintf(dir, sizeof dir, "%s/.cache", home) >= sizeof dir)
      return *why = "HOME is too long", false;
    mkdir(dir, 0700); /* the usual place; fine if it exists */
  } else {
    return *why = "no HOME", false;
  }
  size_t d = strlen(dir);
  if (d + sizeof "/gpuscatter" >= sizeof dir)
    return *why = "the cache path is too long", false;
  memcpy(dir + d, "/gpuscatter", sizeof "/gpuscatter");
  char name[160];
  profile_name(name, sizeof name);
  if ((size_t)snprintf(pf.path, sizeof pf.path, "%s/%s.profile", dir, name) >= sizeof pf.path ||
      (size_t)snprintf(out, len, "%s", pf.path) >= len)
    return *why = "the profile path is too long", false;
  snprintf(pf.name, sizeof pf.name, "%s.profile", name);
  snprintf(pf.dir, sizeof pf.dir, "%s", dir);
  mkdir(dir, 0700); /* fine if it exists: checked next */
  struct stat st;
  int fd = private_dir(dir, &st, why);
  if (fd < 0)
    return false;
  close(fd);
  pf.dev = st.st_dev;
  pf.ino = st.st_ino;
  pf.placed = true;
  return true;
}

void profile_fork(enum fork_phase ph) { fork_mutex(&pf.lock, ph); }
