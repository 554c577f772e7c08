#ifndef MNIST_REPORT_MALLOC_COUNTER_H
#define MNIST_REPORT_MALLOC_COUNTER_H

/// How many times the process has called malloc, calloc, realloc or an aligned allocation
/// since it started. Linked into the test binary only: it replaces those functions there
/// and forwards them to glibc's.
long malloc_counter_allocations(void);

#endif
