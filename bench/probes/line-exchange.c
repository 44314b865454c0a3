// What it costs two cores to trade halves of a buffer, the pattern of a split training step (each thread writes its
// rows of an activation, then both read all of them). Two threads pinned to CPUs 0 and 1; per iteration each writes
// its 32 KB half of a 64 KB buffer, both meet at a barrier, each reads (mode local: only its own half), barrier again.
// Prints microseconds per iteration and thread 0's write and read phases, after a ping-pong of one line (ns a bounce)
// that tells whether the host seats the two vCPUs close together or far apart (docs/performance-analysis.md, round 26).
//
//   gcc -O2 -mavx512f -pthread -o /tmp/line-exchange bench/probes/line-exchange.c && /tmp/line-exchange
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FLOATS (64 * 256) // 64 KB: W2's hidden activations, 256 features by 64 samples
#define WARMUP 1000
#define ITERATIONS 20000
#define BOUNCES 200000

enum mode { PLAIN, NON_TEMPORAL, NON_TEMPORAL_FIRST, LOCAL };
static const char *names[] = { "plain stores", "non-temporal stores", "non-temporal pass, then plain stores", "local (no line crosses)" };

static float *buffer;
static enum mode mode;
static _Atomic long arrived[2] __attribute__((aligned(128)));
static _Atomic long bounce __attribute__((aligned(64)));
static double total_ns, write_ns, read_ns;
static volatile float sink[32];

static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static void meet(int self, long generation)
{
    atomic_store_explicit(&arrived[self], generation, memory_order_release);
    while (atomic_load_explicit(&arrived[1 - self], memory_order_acquire) < generation)
        _mm_pause();
}

static void write_half(float *half, __m512 value)
{
    if (mode == NON_TEMPORAL || mode == NON_TEMPORAL_FIRST)
    {
        __m512 stored = mode == NON_TEMPORAL ? value : _mm512_setzero_ps();
        for (int i = 0; i < FLOATS / 2; i += 16)
            _mm512_stream_ps(half + i, stored);
        _mm_sfence();
        if (mode == NON_TEMPORAL)
            return;
    }
    for (int i = 0; i < FLOATS / 2; i += 16)
        _mm512_store_ps(half + i, value);
}

static void *trade(void *argument)
{
    int self = (int)(long)argument;
    pin(self);
    float *half = buffer + self * FLOATS / 2;
    const float *read = mode == LOCAL ? half : buffer;
    int readFloats = mode == LOCAL ? FLOATS / 2 : FLOATS;
    __m512 sum = _mm512_setzero_ps();
    long generation = 0;
    double start = 0;
    for (long it = 0; it < WARMUP + ITERATIONS; it++)
    {
        if (it == WARMUP)
            start = now();
        double t0 = now();
        write_half(half, _mm512_set1_ps((float)it));
        double t1 = now();
        meet(self, ++generation);
        double t2 = now();
        for (int i = 0; i < readFloats; i += 16)
            sum = _mm512_add_ps(sum, _mm512_load_ps(read + i));
        double t3 = now();
        meet(self, ++generation);
        if (self == 0 && it >= WARMUP)
        {
            write_ns += t1 - t0;
            read_ns += t3 - t2;
        }
    }
    if (self == 0)
        total_ns = now() - start;
    float lanes[16];
    _mm512_storeu_ps(lanes, sum);
    sink[self * 16] = lanes[0];
    return NULL;
}

static void *answer(void *unused)
{
    (void)unused;
    pin(1);
    for (long i = 1; i < 2 * BOUNCES; i += 2)
    {
        while (atomic_load_explicit(&bounce, memory_order_acquire) != i)
            ;
        atomic_store_explicit(&bounce, i + 1, memory_order_release);
    }
    return NULL;
}

static double bounce_ns(void)
{
    pthread_t other;
    pin(0);
    atomic_store(&bounce, 0);
    pthread_create(&other, NULL, answer, NULL);
    double start = now();
    for (long i = 0; i < 2 * BOUNCES; i += 2)
    {
        atomic_store_explicit(&bounce, i + 1, memory_order_release);
        while (atomic_load_explicit(&bounce, memory_order_acquire) != i + 2)
            ;
    }
    double elapsed = now() - start;
    pthread_join(other, NULL);
    return elapsed / (2.0 * BOUNCES);
}

int main(void)
{
    buffer = aligned_alloc(64, FLOATS * sizeof(float));
    memset(buffer, 0, FLOATS * sizeof(float));
    printf("hand-off: %.0f ns a bounce\n", bounce_ns());
    for (mode = PLAIN; mode <= LOCAL; mode++)
    {
        atomic_store(&arrived[0], 0);
        atomic_store(&arrived[1], 0);
        write_ns = read_ns = 0;
        pthread_t threads[2];
        for (long t = 0; t < 2; t++)
            pthread_create(&threads[t], NULL, trade, (void *)t);
        for (int t = 0; t < 2; t++)
            pthread_join(threads[t], NULL);
        printf("%-38s %6.2f us an iteration (write %5.2f, read %5.2f)\n", names[mode], total_ns / ITERATIONS / 1000,
               write_ns / ITERATIONS / 1000, read_ns / ITERATIONS / 1000);
    }
    printf("hand-off: %.0f ns a bounce\n", bounce_ns());
    return 0;
}
