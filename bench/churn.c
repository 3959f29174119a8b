/* A malloc-heavy target for bench/stacks-cost.ts: malloc/free pairs as fast as it can, one 4 KiB leak per
 * 1000 pairs; every 250 ms it prints "<epoch ms> <pairs since the last line>". */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
void *volatile sink;
static long long now_ms(void) { struct timespec t; clock_gettime(CLOCK_REALTIME, &t); return t.tv_sec * 1000LL + t.tv_nsec / 1000000; }
int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  long long last = now_ms(), n = 0;
  for (unsigned i = 0;; i++) {
    char *p = malloc(32 + (i * 37) % 900);
    p[0] = 1; sink = p; free(p); n++;
    if (i % 1000 == 0) sink = malloc(4096);
    if ((i & 1023) == 0) { long long t = now_ms(); if (t - last >= 250) { printf("%lld %lld\n", t, n); n = 0; last = t; } }
  }
}
