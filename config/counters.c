/* Each thread owns a block of counters and is its only writer; a report
 * reads every block. Blocks come from mmap (this runs inside malloc) and
 * are recycled when their thread exits, keeping their counts. */
#include "counters.h"
#include "os.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

struct block {
  uint64_t v[CTR_N];
  struct block *next;
  int idle;          /* its thread exited: free to claim */
};

static struct block *all;
static pthread_key_t exit_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static __thread struct block *mine;

static void on_thread_exit(void *b) { __atomic_store_n(&((struct block *)b)->idle, 1, __ATOMIC_RELEASE); }
static void make_key(void) { pthread_key_create(&exit_key, on_thread_exit); }

static struct block *claim(void)
{
  for (struct block *b = __atomic_load_n(&all, __ATOMIC_ACQUIRE); b; b = b->next) {
    int one = 1;
    if (__atomic_compare_exchange_n(&b->idle, &one, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
      return b;
  }
  /* A page of new blocks: keep the first, publish the rest as idle. */
  struct block *page = os_map(4096);
  if (page == NULL)
    return NULL;
  size_t n = 4096 / sizeof *page;
  for (size_t i = 0; i < n; i++) {
    page[i].idle = i != 0;
    struct block *head = __atomic_load_n(&all, __ATOMIC_RELAXED);
    do
      page[i].next = head;
    while (!__atomic_compare_exchange_n(&all, &head, &page[i], true, __ATOMIC_RELEASE,
                                        __ATOMIC_RELAXED));
  }
  return page;
}

void ctr_add(int which, uint64_t v)
{
  struct block *b = mine;
  if (__builtin_expect(b == NULL, 0)) {
    if ((b = claim()) == NULL)
      return;
    mine = b; /* before anything that may allocate and come back here */
    pthread_once(&key_once, make_key);
    pthread_setspecific(exit_key, b);
  }
  /* Single writer: a plain add, published with a relaxed store. */
  __atomic_store_n(&b->v[which], __atomic_load_n(&b->v[which], __ATOMIC_RELAXED) + v,
                   __ATOMIC_RELAXED);
}

void ctr_sum(uint64_t out[CTR_N])
{
  memset(out, 0, sizeof(uint64_t) * CTR_N);
  for (struct block *b = __atomic_load_n(&all, __ATOMIC_ACQUIRE); b; b = b->next)
    for (int i = 0; i < CTR_N; i++)
      out[i] += __atomic_load_n(&b->v[i], __ATOMIC_RELAXED);
}
