#include "MallocCounter.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

#if defined(__linux__) && defined(__GLIBC__)

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static _Atomic long allocations;
static _Atomic long tracked;
static _Thread_local int tracking;

static inline void count(void) {
  atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
  if (tracking) atomic_fetch_add_explicit(&tracked, 1, memory_order_relaxed);
}

void *malloc(size_t size) {
  count();
  return __libc_malloc(size);
}

void *calloc(size_t number, size_t size) {
  count();
  return __libc_calloc(number, size);
}

void *realloc(void *pointer, size_t size) {
  count();
  return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
  count();
  return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
  count();
  return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
  count();
  void *pointer = __libc_memalign(alignment, size);
  if (pointer == NULL) return ENOMEM;
  *result = pointer;
  return 0;
}

long malloc_counter_allocations(void) { return atomic_load_explicit(&allocations, memory_order_relaxed); }

void malloc_counter_track(int enabled) { tracking = enabled; }

long malloc_counter_tracked_allocations(void) { return atomic_load_explicit(&tracked, memory_order_relaxed); }

#else

long malloc_counter_allocations(void) { return -1; }
void malloc_counter_track(int enabled) { (void)enabled; }
long malloc_counter_tracked_allocations(void) { return -1; }

#endif
