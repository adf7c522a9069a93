/* The record table. 12 MiB of address space, touched as records land: a
 * program that loads thousands of weights and registers them later makes
 * tens of candidate allocations per weight in between (measured with
 * PyTorch: 92k for 2000 tensors), and a record must survive them. */
#include "records.h"
#include "../config/os.h"


enum { RECORD_BITS = 19, RECORDS = 1 << RECORD_BITS };

struct record {
  uintptr_t ptr;
  uint64_t size;
  uint32_t site, keytag;
  uint16_t check;   /* 0 while being written */
  uint8_t registered;
};

static struct { struct record *v; } rc;

bool records_init(void)
{
  if (rc.v)
    return true;
  void *v = os_map(RECORDS * sizeof(struct record));
  if (v == NULL)
    return false;
  __atomic_store_n(&rc.v, (struct record *)v, __ATOMIC_RELEASE);
  return true;
}

static struct record *slot(const void *p)
{
  uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;
  return &rc.v[h >> (64 - RECORD_BITS)];
}

static uint16_t check(uintptr_t p, uint64_t n, unsigned site, uint32_t tag)
{
  uint64_t h = (p ^ (n << 17) ^ ((uint64_t)site << 40) ^ tag) * 0xff51afd7ed558ccdull;
  return (uint16_t)((h >> 48) | 1);
}

uint32_t records_tag(uint64_t key) { return (uint32_t)(key ^ (key >> 32)); }

/* Plain stores (relaxed atomics): a torn record fails its check. */
void records_put(const void *p, size_t n, unsigned h, uint64_t key)
{
  struct record *v = __atomic_load_n(&rc.v, __ATOMIC_ACQUIRE);
  if (v == NULL || p == NULL || h == 0)
    return;
  struct record *r = slot(p);
  uint32_t tag = records_tag(key);
  __atomic_store_n(&r->check, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&r->ptr, (uintptr_t)p, __ATOMIC_RELAXED);
  __atomic_store_n(&r->size, (uint64_t)n, __ATOMIC_RELAXED);
  __atomic_store_n(&r->site, h, __ATOMIC_RELAXED);
  __atomic_store_n(&r->keytag, tag, __ATOMIC_RELAXED);
  __atomic_store_n(&r->registered, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&r->check, check((uintptr_t)p, n, h, tag), __ATOMIC_RELEASE);
}

unsigned records_get(const void *p, size_t n, bool mark, uint32_t *tagp, bool *was_registered)
{
  struct record *v = __atomic_load_n(&rc.v, __ATOMIC_ACQUIRE);
  if (v == NULL || p == NULL)
    return 0;
  struct record *r = slot(p);
  uint16_t c = __atomic_load_n(&r->check, __ATOMIC_ACQUIRE);
  uintptr_t rp = __atomic_load_n(&r->ptr, __ATOMIC_RELAXED);
  uint64_t rn = __atomic_load_n(&r->size, __ATOMIC_RELAXED);
  unsigned site = __atomic_load_n(&r->site, __ATOMIC_RELAXED);
  uint32_t tag = __atomic_load_n(&r->keytag, __ATOMIC_RELAXED);
  if (c == 0 || c != check(rp, rn, site, tag) || rp != (uintptr_t)p || (n && rn != n))
    return 0;
  if (was_registered)
    *was_registered = __atomic_load_n(&r->registered, __ATOMIC_RELAXED);
  if (mark)
    __atomic_store_n(&r->registered, 1, __ATOMIC_RELAXED);
  *tagp = tag;
  return site;
}
