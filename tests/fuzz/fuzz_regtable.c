/* libFuzzer: the app-view registration table against a reference model.
 * The first byte picks the flavor (CUDA: no overlap; HIP: overlaps
 * allowed), then each 5 bytes are one operation on a small address space:
 * add, remove, find, overlaps. Every answer must be the model's. */
#include "../../runtime/regtable.h"

#include <stdlib.h>
#include <string.h>

enum { MAX = 512 };
static struct { uintptr_t base; size_t size; unsigned flags; unsigned long seq; } model[MAX];
static int nmodel;

static int model_holder(uintptr_t p)
{
  int best = -1;
  for (int i = 0; i < nmodel; i++)
    if (p - model[i].base < model[i].size &&
        (best < 0 || model[i].base > model[best].base ||
         (model[i].base == model[best].base && model[i].seq > model[best].seq)))
      best = i;
  return best;
}

static int model_overlaps(uintptr_t b, size_t n)
{
  for (int i = 0; i < nmodel; i++)
    if (b < model[i].base + model[i].size && model[i].base < b + n)
      return 1;
  return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *d, size_t size)
{
  if (size < 1)
    return 0;
  bool hip = d[0] & 1;
  struct regtable t = REGTABLE_INIT;
  nmodel = 0;
  unsigned long seq = 0;
  for (size_t o = 1; o + 5 <= size; o += 5) {
    unsigned op = d[o] & 3;
    uintptr_t base = 0x10000 + (uintptr_t)(d[o + 1] | d[o + 2] << 8) * 16;
    size_t n = 1 + (size_t)(d[o + 3] | d[o + 4] << 8) * 4;
    struct reg r;
    switch (op) {
    case 0: { /* add */
      int want = !hip && model_overlaps(base, n) ? REG_ALREADY : REG_OK;
      if (want == REG_OK && nmodel == MAX)
        break;
      struct reg in = { base, n, d[o], 0 };
      if (regtable_add(&t, &in, hip) != want)
        abort();
      if (want == REG_OK)
        model[nmodel++] = (typeof(model[0])){ base, n, d[o], seq++ };
      break;
    }
    case 1: { /* remove at base */
      int latest = -1;
      for (int i = 0; i < nmodel; i++)
        if (model[i].base == base && (latest < 0 || model[i].seq > model[latest].seq))
          latest = i;
      int want = latest >= 0 ? REG_OK : model_holder(base) >= 0 ? REG_INVALID : REG_NOT_REGISTERED;
      if (regtable_remove(&t, base, &r) != want)
        abort();
      if (latest >= 0) {
        if (r.base != model[latest].base || r.size != model[latest].size)
          abort();
        model[latest] = model[--nmodel];
      }
      break;
    }
    case 2: { /* find */
      int h = model_holder(base + n / 2);
      bool found = regtable_find(&t, base + n / 2, &r);
      if (found != (h >= 0) ||
          (found && (r.base != model[h].base || r.size != model[h].size || r.flags != model[h].flags)))
        abort();
      break;
    }
    default:
      if (regtable_overlaps(&t, base, n) != (bool)model_overlaps(base, n))
        abort();
    }
  }
  regtable_destroy(&t);
  return 0;
}
