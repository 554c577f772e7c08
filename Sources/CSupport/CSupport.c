#define _GNU_SOURCE
#include "CSupport.h"

#include <string.h>

#if defined(__linux__)
#include <malloc.h>
#include <sched.h>

void csupport_fix_mmap_threshold(int bytes) { mallopt(M_MMAP_THRESHOLD, bytes); }

int csupport_affinity_count(void) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 0;
  return CPU_COUNT(&set);
}
#else
int csupport_affinity_count(void) { return 0; }
void csupport_fix_mmap_threshold(int bytes) { (void)bytes; }
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <xmmintrin.h>

int csupport_has_avx512f(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") ? 1 : 0;
}

int csupport_has_avx2_fma(void) {
  __builtin_cpu_init();
  return (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? 1 : 0;
}

const char *csupport_cpu_brand(void) {
  static char brand[49];
  unsigned int regs[12];
  unsigned int max = __get_cpuid_max(0x80000000, 0);
  if (max < 0x80000004) return "";
  for (unsigned int i = 0; i < 3; i++) {
    __get_cpuid(0x80000002 + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
  }
  memcpy(brand, regs, 48);
  brand[48] = 0;
  return brand;
}

uint32_t csupport_flush_denormals(void) {
  uint32_t old = _mm_getcsr();
  _mm_setcsr(old | 0x8040); /* FTZ (bit 15) | DAZ (bit 6) */
  return old;
}

void csupport_restore_fp_control(uint32_t word) { _mm_setcsr(word); }

#else

int csupport_has_avx512f(void) { return 0; }
int csupport_has_avx2_fma(void) { return 0; }
const char *csupport_cpu_brand(void) { return ""; }
uint32_t csupport_flush_denormals(void) { return 0; }
void csupport_restore_fp_control(uint32_t word) { (void)word; }

#endif
