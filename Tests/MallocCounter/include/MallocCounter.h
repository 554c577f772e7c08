#ifndef MNIST_REPORT_MALLOC_COUNTER_H
#define MNIST_REPORT_MALLOC_COUNTER_H

/// How many times the process has called malloc, calloc, realloc or an aligned allocation
/// since it started. Linked into the test binary only: it replaces those functions there
/// and forwards them to glibc's.
long malloc_counter_allocations(void);

/// Starts (1) or stops (0) counting the calling thread's allocations in
/// `malloc_counter_tracked_allocations`, which ignores every other thread (tests run in
/// parallel).
void malloc_counter_track(int enabled);

/// Allocations made so far by threads while they were tracked.
long malloc_counter_tracked_allocations(void);

#endif
