/* Buffers that carry a pattern derived from their address and size, so any
 * corruption, overlap or lost copy shows when the buffer is checked. */
#ifndef PATTERNS_H
#define PATTERNS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline uint64_t rng_next(uint64_t *s)
{
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static inline unsigned char pat_byte(uint64_t seed, size_t i)
{
  return (unsigned char)((seed * 0x9e3779b97f4a7c15ull + i * 31u) >> 56);
}

static inline void pat_fill(unsigned char *p, size_t n, uint64_t seed)
{
  for (size_t i = 0; i < n; i++)
    p[i] = pat_byte(seed, i);
}

static inline void pat_check(const unsigned char *p, size_t n, uint64_t seed, const char *what)
{
  for (size_t i = 0; i < n; i++)
    if (p[i] != pat_byte(seed, i)) {
      fprintf(stderr, "FAIL: %s: %p+%zu of %zu corrupted\n", what, (const void *)p, i, n);
      abort();
    }
}

/* Log-uniform size in [lo, hi]. */
static inline size_t rand_size(uint64_t *s, size_t lo, size_t hi)
{
  unsigned lg_lo = 63 - (unsigned)__builtin_clzll(lo), lg_hi = 63 - (unsigned)__builtin_clzll(hi);
  unsigned lg = lg_lo + (unsigned)(rng_next(s) % (lg_hi - lg_lo + 1));
  size_t base = (size_t)1 << lg;
  size_t n = base + (size_t)(rng_next(s) % base);
  return n < lo ? lo : n > hi ? hi : n;
}

#endif
