/* fork while other threads allocate: parent and child both finish and
 * verify their data. usage: forkthreads FORKS */
#include "patterns.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

static atomic_int stop;
static unsigned char *before[32];
static size_t before_n[32];

static void *churn(void *arg)
{
  uint64_t s = (uintptr_t)arg + 99;
  while (!atomic_load(&stop)) {
    size_t n = rand_size(&s, 16, 1 << 20);
    unsigned char *p = malloc(n);
    pat_fill(p, n < 4096 ? n : 4096, n);
    p = realloc(p, n / 2 + 1);
    pat_check(p, (n / 2 + 1) < 4096 ? n / 2 + 1 : 4096, n, "churn");
    free(p);
  }
  return NULL;
}

static int child(int k)
{
  /* Memory from before the fork is intact and writable. */
  for (int i = 0; i < 32; i++) {
    pat_check(before[i], before_n[i], (uint64_t)i, "child: pre-fork buffer");
    pat_fill(before[i], before_n[i], (uint64_t)i + 1000 + (uint64_t)k);
  }
  /* And the child can allocate, including from threads of its own. */
  pthread_t t;
  pthread_create(&t, NULL, churn, (void *)(uintptr_t)k);
  uint64_t s = (uint64_t)k + 7;
  for (int i = 0; i < 300; i++) {
    size_t n = rand_size(&s, 1, 256 << 10);
    unsigned char *p = malloc(n);
    pat_fill(p, n, (uint64_t)i);
    pat_check(p, n, (uint64_t)i, "child: new buffer");
    free(p);
  }
  atomic_store(&stop, 1);
  pthread_join(t, NULL);
  return 0;
}

int main(int argc, char **argv)
{
  int forks = argc > 1 ? atoi(argv[1]) : 20;
  uint64_t s = 5;
  for (int i = 0; i < 32; i++) {
    before_n[i] = rand_size(&s, 1, 1 << 20);
    before[i] = malloc(before_n[i]);
    pat_fill(before[i], before_n[i], (uint64_t)i);
  }
  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    pthread_create(&t[i], NULL, churn, (void *)(uintptr_t)i);
  for (int k = 0; k < forks; k++) {
    pid_t pid = fork();
    if (pid == 0)
      _exit(child(k));
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      fprintf(stderr, "FAIL: child %d status %d\n", k, st);
      return 1;
    }
  }
  atomic_store(&stop, 1);
  for (int i = 0; i < 4; i++)
    pthread_join(t[i], NULL);
  for (int i = 0; i < 32; i++) { /* the children's writes did not leak back */
    pat_check(before[i], before_n[i], (uint64_t)i, "parent: pre-fork buffer");
    free(before[i]);
  }
  printf("forkthreads: %d forks with 4 allocating threads: ok\n", forks);
  return 0;
}
