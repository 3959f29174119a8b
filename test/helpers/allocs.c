/*
 * Allocation patterns for memtop --stacks tests: each leaks from one named
 * function, beside a churner that mallocs and frees at a high rate.
 *   allocs malloc    leak_here: 16 x 4 KiB malloc every 10 ms (6.4 MB/s), churn: ~100k malloc/free a second
 *   allocs grow      grow_here: calloc'd 8 KiB blocks kept in a realloc'd, doubling array
 *   allocs mmap      map_here: a 1 MiB anonymous mmap every 20 ms (no munmap)
 *   allocs threads   four threads leak through thread_leak: 4 x 4 KiB every 10 ms each
 * Every page it keeps is written, so it is resident (RssAnon). Prints "ready".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void *volatile sink;
static void touch(char *p, size_t n) { for (size_t i = 0; i < n; i += 512) p[i] = 1; }

__attribute__((noinline)) void churn(int n) {
  for (int i = 0; i < n; i++) {
    char *p = malloc(32 + (i * 37) % 900);
    p[0] = 1;
    sink = p;
    free(p);
  }
}

__attribute__((noinline)) void leak_here(void) {
  for (int i = 0; i < 16; i++) {
    char *p = malloc(4096);
    touch(p, 4096);
    sink = p;
  }
}

static char **kept;
static size_t nkept, cap;
__attribute__((noinline)) void grow_here(void) {
  for (int i = 0; i < 8; i++) {
    if (nkept == cap) {
      cap = cap ? cap * 2 : 16;
      kept = realloc(kept, cap * sizeof *kept);
    }
    char *p = calloc(1, 8192);
    touch(p, 8192);
    kept[nkept++] = p;
  }
}

__attribute__((noinline)) void map_here(void) {
  char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  touch(p, 1 << 20);
  sink = p;
}

__attribute__((noinline)) void thread_leak(void) {
  for (int i = 0; i < 4; i++) {
    char *p = malloc(4096);
    touch(p, 4096);
    sink = p;
  }
}

static void *worker(void *arg) {
  (void)arg;
  for (;;) {
    thread_leak();
    churn(200);
    usleep(10000);
  }
  return NULL;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "malloc";
  setvbuf(stdout, NULL, _IONBF, 0);
  if (strcmp(mode, "threads") == 0) {
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, NULL);
    puts("ready");
    for (;;) pause();
  }
  puts("ready");
  for (;;) {
    if (strcmp(mode, "malloc") == 0) leak_here();
    else if (strcmp(mode, "grow") == 0) grow_here();
    else if (strcmp(mode, "mmap") == 0) { map_here(); usleep(10000); }
    churn(1000);
    usleep(10000);
  }
}
