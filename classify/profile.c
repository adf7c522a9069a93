/* The profile file:
 *   gpuscatter-profile 1
 *   DEPTH MODULE OFFSET [MODULE OFFSET]...     one line per site, hex offsets
 * Everything read is validated before any of it is used: limits on size,
 * lines and names, and the file must be ours, regular and not a link. */
#include "profile.h"
#include "rules.h"
#include "../config/privfile.h"
#include "../config/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_FILE = 1 << 20, MAX_SITES = 4096, SLOTS = 8192, MAX_DEPTH = 16, MAX_NAME = 127 };
static const char header[] = "gpuscatter-profile 1\n";

static struct {
  pthread_mutex_t lock;
  uint64_t keys[SLOTS];     /* loaded and added; 0 empty */
  int count;
  char *text;               /* validated site lines, loaded then added */
  size_t len;
  bool refused;            /* never overwrite a file we would not read */
} pf = { .lock = PTHREAD_MUTEX_INITIALIZER };

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

static bool lookup(uint64_t key, bool insert)
{
  for (unsigned i = 0, s = (unsigned)key & (SLOTS - 1); i < SLOTS; i++, s = (s + 1) & (SLOTS - 1)) {
    if (pf.keys[s] == key)
      return true;
    if (pf.keys[s] == 0) {
      if (insert)
        pf.keys[s] = key;
      return false;
    }
  }
  return false;
}

bool profile_has(uint64_t key)
{
  pthread_mutex_lock(&pf.lock);
  bool has = pf.count > 0 && lookup(key, false);
  pthread_mutex_unlock(&pf.lock);
  return has;
}

/* One site line at s (up to end); its length including '\n', or 0 if it is
 * malformed. The key is computed from what was parsed. */
static size_t parse_line(const char *s, const char *end, uint64_t *key)
{
  const char *p = s;
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
  return (size_t)(p + 1 - s);
}

static void *map(size_t n)
{
  void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

static int refuse(const char *path, const char *why)
{
  log_warn("GPUSCATTER_PROFILE=%s: %s; ignored (and left as it is)", path, why);
  pf.refused = true;
  return 0;
}

int profile_load(const char *path)
{
  if (pf.text == NULL && (pf.text = map(2 * MAX_FILE)) == NULL)
    return 0;
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
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
  char *buf = bad ? NULL : map(MAX_FILE + 1);
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
    munmap(buf, MAX_FILE + 1);
    return refuse(path, "larger than 1 MiB");
  }
  const char *end = buf + got, *p = buf + sizeof header - 1;
  int n = 0;
  uint64_t keys[MAX_SITES];
  if ((size_t)got < sizeof header - 1 || memcmp(buf, header, sizeof header - 1) != 0)
    bad = "not a gpuscatter profile";
  while (!bad && p < end) {
    size_t len = parse_line(p, end, &keys[n]);
    if (len == 0)
      bad = "corrupt or truncated";
    else if (++n > MAX_SITES - 1)
      bad = "more than 4095 sites";
    p += len;
  }
  if (bad) {
    munmap(buf, MAX_FILE + 1);
    return refuse(path, bad);
  }
  size_t body = (size_t)(end - (buf + sizeof header - 1));
  pthread_mutex_lock(&pf.lock);
  memcpy(pf.text, buf + sizeof header - 1, body);
  pf.len = body;
  for (int i = 0; i < n; i++)
    if (!lookup(keys[i], true))
      pf.count++;
  pthread_mutex_unlock(&pf.lock);
  munmap(buf, MAX_FILE + 1);
  return n;
}

void profile_add(uint64_t key, const char *const *modules, const uint64_t *offsets, int depth)
{
  char line[MAX_DEPTH * (MAX_NAME + 20) + 8];
  int o = snprintf(line, sizeof line, "%d", depth);
  for (int i = 0; i < depth; i++) {
    size_t n = strlen(modules[i]);
    bool ok = n > 0 && n <= MAX_NAME;
    for (size_t j = 0; ok && j < n; j++)
      ok = rules_module_char(modules[i][j]);
    if (!ok || offsets[i] >= (1ull << 48))
      return; /* not storable: kept for this run only */
    o += snprintf(line + o, sizeof line - (size_t)o, " %s %llx", modules[i],
                  (unsigned long long)offsets[i]);
  }
  line[o++] = '\n';
  pthread_mutex_lock(&pf.lock);
  if (pf.text == NULL)
    pf.text = map(2 * MAX_FILE);
  if (pf.text && pf.count < MAX_SITES - 1 && pf.len + (size_t)o <= MAX_FILE &&
      !lookup(key, true)) {
    memcpy(pf.text + pf.len, line, (size_t)o);
    pf.len += (size_t)o;
    pf.count++;
  }
  pthread_mutex_unlock(&pf.lock);
}

void profile_save(const char *path)
{
  pthread_mutex_lock(&pf.lock);
  int rc = 0;
  const char *why = "";
  if (pf.count > 0 && pf.text && !pf.refused) {
    /* The header goes in front of the lines, in the buffer's second half. */
    char *out = pf.text + MAX_FILE;
    memcpy(out, header, sizeof header - 1);
    size_t n = sizeof header - 1 + pf.len;
    if (n <= MAX_FILE) {
      memcpy(out + sizeof header - 1, pf.text, pf.len);
      rc = privfile_write(path, out, n, &why);
    }
  }
  pthread_mutex_unlock(&pf.lock);
  if (rc != 0)
    log_warn("cannot write the profile %s: %s", path, why);
}

void profile_fork(enum fork_phase ph) { fork_mutex(&pf.lock, ph); }
