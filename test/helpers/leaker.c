/*
 * A process that leaks on purpose, for memtop's end-to-end tests.
 *   leaker small STEP_KB PERIOD_MS   grows the heap: many small mallocs (brk)
 *   leaker large STEP_KB PERIOD_MS   grows anonymous mappings: one large malloc a step (mmap)
 *   leaker hold SIZE_KB              touches SIZE_KB once and keeps it (a bystander)
 *   leaker kinds                     one of each kind (heap, anon, SysV and POSIX shm, a file), then sleeps
 *   leaker saw STEP_KB PERIOD_MS N   a GC-like sawtooth: N steps of growth (mmap), then all unmapped, again
 *   leaker plateau STEP_KB PERIOD_MS N  grows for N steps (warm-up), then stays flat
 *   leaker burst SIZE_KB MS          touches SIZE_KB, lives MS milliseconds and exits (no "ready")
 * Every page it takes is written, so it is resident. It prints "ready" once set up.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

static void touch(char *p, size_t n) { for (size_t i = 0; i < n; i += 1024) p[i] = (char)(i | 1); }

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *mode = argv[1];
  long kb = argc > 2 ? atol(argv[2]) : 1024;
  long period = argc > 3 ? atol(argv[3]) : 100;
  setvbuf(stdout, NULL, _IONBF, 0);
  if (strcmp(mode, "hold") == 0) {
    char *p = malloc((size_t)kb * 1024);
    touch(p, (size_t)kb * 1024);
    puts("ready");
    for (;;) pause();
  }
  if (strcmp(mode, "kinds") == 0) {
    touch(malloc(256 * 1024 / 8), 256 * 1024 / 8);
    for (int i = 0; i < 64; i++) touch(malloc(4000), 4000);
    touch(malloc(2 << 20), 2 << 20);
    int id = shmget(IPC_PRIVATE, 1 << 20, IPC_CREAT | 0600);
    char *s = shmat(id, NULL, 0);
    touch(s, 1 << 20);
    shmctl(id, IPC_RMID, NULL);
    int fd = shm_open("/memtop-fixture", O_CREAT | O_RDWR, 0600);
    ftruncate(fd, 512 * 1024);
    touch(mmap(NULL, 512 * 1024, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), 512 * 1024);
    shm_unlink("/memtop-fixture");
    char *z = mmap(NULL, 256 * 1024, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    touch(z, 256 * 1024);
    puts("ready");
    for (;;) pause();
  }
  long steps = argc > 4 ? atol(argv[4]) : 10;
  if (strcmp(mode, "burst") == 0) {
    touch(malloc((size_t)kb * 1024), (size_t)kb * 1024);
    usleep((useconds_t)period * 1000);
    return 0;
  }
  if (strcmp(mode, "saw") == 0 || strcmp(mode, "plateau") == 0) {
    int saw = mode[0] == 's';
    size_t n = (size_t)kb * 1024;
    char **held = calloc((size_t)steps, sizeof *held);
    puts("ready");
    for (long i = 0;; i++) {
      if (i == steps) {
        if (!saw) for (;;) pause();
        for (long j = 0; j < steps; j++) munmap(held[j], n);
        i = 0;
      }
      held[i] = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      touch(held[i], n);
      usleep((useconds_t)period * 1000);
    }
  }
  int small = strcmp(mode, "small") == 0;
  puts("ready");
  for (;;) {
    if (small) {
      for (long done = 0; done < kb * 1024; done += 512) touch(malloc(500), 500);
    } else {
      size_t n = (size_t)kb * 1024;
      touch(malloc(n), n);
    }
    usleep((useconds_t)period * 1000);
  }
}
