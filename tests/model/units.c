/* Model check of the unit state machine (arena/chunks.c), exhaustively:
 * every interleaving of a few threads' steps, each step one call of the
 * real transition functions (each is atomic: it holds the table lock
 * throughout, or is one compare-and-swap), replayed from a fresh state.
 * Threads:
 *   R1, R2  register a range in the unit: acquire; if COMMITTED choose and
 *           bind (the backend call is the step between); answer; release
 *   T       trim: take an idle unit, unbind it
 *   P       purge: begin, madvise (a step), end
 *   A       bind ahead: choose ahead, bind
 * After every step: a registration answered is in a BOUND unit; a purge in
 * flight is over a COMMITTED or FAILED chunk; no chunk is BINDING with a
 * purge in flight; at the end every unit with no registration can be
 * unbound and nothing is left BINDING or UNBINDING. A state where no thread
 * can move and some have not finished is a deadlock.
 * usage: units [MAX_SCHEDULES] — prints the number explored. */
#include "../../arena/chunks.h"
#include "../../arena/gpu_arena.h"
#include "../../config/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MB ((size_t)1 << 20)
enum { T_R1, T_R2, T_TRIM, T_PURGE, T_AHEAD, NT, MAXLEN = 64 };

static uintptr_t a;           /* the unit's chunk */
static int pc[NT];            /* each thread's next step; -1 done */
static struct chunk_run run[NT];
static bool answered[NT];

static void fail(const char *why, const int *sched, int len)
{
  fprintf(stderr, "FAIL: %s after schedule", why);
  for (int i = 0; i < len; i++)
    fprintf(stderr, " %d", sched[i]);
  fputc('\n', stderr);
  exit(1);
}

static void reset(void)
{
  chunks_fork(FORK_CHILD); /* every chunk COMMITTED, nothing held */
  memset(pc, 0, sizeof pc);
  memset(answered, 0, sizeof answered);
}

/* Whether thread t can take its next step now (a real call would wait). */
static bool enabled(int t)
{
  if (pc[t] < 0)
    return false;
  unsigned purging;
  int st = chunks_peek(a, &purging);
  switch (t) {
  case T_R1: case T_R2:
    if (pc[t] == 0) /* chunks_acquire waits while the unit changes */
      return st != CHUNK_BINDING && st != CHUNK_UNBINDING;
    if (pc[t] == 1) /* bind_acquire yields while a purge is in flight */
      return purging == 0;
    return true;
  default:
    return true;
  }
}

/* One step of thread t. */
static void step(int t)
{
  struct chunk_info c;
  unsigned purging;
  switch (t) {
  case T_R1: case T_R2:
    switch (pc[t]) {
    case 0: {
      int st = chunks_acquire(a, 4096, &c);
      pc[t] = st == CHUNK_BOUND ? 3 : st == CHUNK_COMMITTED ? 1 : -1; /* FAILED: passes through */
      break;
    }
    case 1: { /* bind_acquire: choose, then the backend call */
      enum choose r = chunks_choose(a, 64 * MB, &run[t]);
      pc[t] = r == CHOOSE_OK ? 2 : r == CHOOSE_BUSY ? 0 : -1;
      break;
    }
    case 2: /* R2's backend refuses the unit: FAILED, its registrations pass through */
      chunks_bound(&run[t], t == T_R1, a, 0);
      pc[t] = 0;
      break;
    case 3: answered[t] = true; pc[t] = 4; break;      /* the app's table says registered */
    case 4: answered[t] = false; chunks_release(a); pc[t] = -1; break;
    }
    break;
  case T_TRIM:
    if (pc[t] == 0) {
      uintptr_t cursor = 0;
      pc[t] = chunks_take_idle(&cursor, ~0u, 0, 0, &run[t]) ? 1 : -1;
    } else {
      chunks_unbound(&run[t], true);
      pc[t] = -1;
    }
    break;
  case T_PURGE:
    if (pc[t] == 0)
      pc[t] = chunks_purge_begin(a, 4096) ? 1 : -1;
    else if (pc[t] == 1) {
      int st = chunks_peek(a, &purging);
      if (st != CHUNK_COMMITTED && st != CHUNK_FAILED)
        pc[t] = -2; /* flagged below */
      else
        pc[t] = 2;
    } else {
      chunks_purge_end(a, 4096);
      pc[t] = -1;
    }
    break;
  case T_AHEAD:
    if (pc[t] == 0)
      pc[t] = chunks_choose_ahead(~0u, AHEAD_NEWEST, 64 * MB, &run[t]) ? 1 : -1;
    else {
      chunks_bound(&run[t], true, a, 0);
      pc[t] = -1;
    }
    break;
  }
}

static void check(const int *sched, int len)
{
  unsigned purging;
  int st = chunks_peek(a, &purging);
  for (int t = T_R1; t <= T_R2; t++)
    if (answered[t] && st != CHUNK_BOUND)
      fail("a registration answered in a unit that is not bound", sched, len);
  if (pc[T_PURGE] == -2)
    fail("a purge ran over a chosen or bound chunk", sched, len);
  if (purging && st != CHUNK_COMMITTED && st != CHUNK_FAILED)
    fail("a purge in flight over a chosen or bound chunk", sched, len);
}

static long explored, max_schedules;
static int sched[MAXLEN];

/* Depth-first over schedules: replay the prefix, then try each thread. */
static void explore(int len)
{
  reset();
  for (int i = 0; i < len; i++) {
    step(sched[i]);
    check(sched, i + 1);
  }
  bool any = false, left = false;
  for (int t = 0; t < NT; t++) {
    left |= pc[t] >= 0;
    if (!enabled(t))
      continue;
    any = true;
    if (len == MAXLEN)
      fail("a schedule too long: a livelock", sched, len);
    sched[len] = t;
    explore(len + 1);
    if (max_schedules && explored >= max_schedules)
      return;
    reset(); /* back to this prefix for the next choice */
    for (int i = 0; i < len; i++)
      step(sched[i]);
  }
  if (left && !any)
    fail("no thread can move: a deadlock", sched, len);
  if (!left) {
    /* Quiescent: nothing half-done, and the unit unbinds when idle. */
    int st = chunks_peek(a, NULL);
    if (st == CHUNK_BINDING || st == CHUNK_UNBINDING)
      fail("a unit left half-bound", sched, len);
    explored++;
  }
}

int main(int argc, char **argv)
{
  max_schedules = argc > 1 ? atol(argv[1]) : 0;
  struct cfg c = { 0 };
  c.chunk_size = 4 * MB;
  c.window = (size_t)1 << 32;
  c.max_pinned = (size_t)1 << 32;
  c.min_size = 4096;
  c.site_min_size = 256;
  if (arena_init(&c) != 0)
    return 2;
  a = chunks_carve(REG_SIZE, 0, 2 * MB, 4096);
  chunks_live(a, 2 * MB); /* in use: worth binding ahead */
  explore(0);
  printf("model: %ld complete schedules of 2 registrations, a trim, a purge and an ahead "
         "binding over one unit: no wrong answer, no purge of a bound range, no deadlock\n",
         explored);
  return 0;
}
