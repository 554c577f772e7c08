#ifndef MNIST_REPORT_CSUPPORT_H
#define MNIST_REPORT_CSUPPORT_H

#include <stdint.h>

/// 1 when the CPU and the OS support AVX-512 F (with the state saved by the OS), else 0.
int csupport_has_avx512f(void);
/// 1 when the CPU and the OS support AVX2 and FMA, else 0.
int csupport_has_avx2_fma(void);
/// The CPU's brand string ("AMD EPYC ..."), or an empty string.
const char *csupport_cpu_brand(void);

/// Sets flush-to-zero and denormals-are-zero for the calling thread (x86 MXCSR);
/// returns the previous control word so that it can be restored. No-op elsewhere.
uint32_t csupport_flush_denormals(void);
/// Restores a control word returned by `csupport_flush_denormals`.
void csupport_restore_fp_control(uint32_t word);

/// The number of CPUs in this process's affinity mask (sched_getaffinity), or 0 when it
/// cannot be read.
int csupport_affinity_count(void);

/// Fixes glibc's threshold for serving an allocation with mmap at `bytes` (M_MMAP_THRESHOLD),
/// which also stops glibc from raising it as large blocks are freed. No-op elsewhere.
void csupport_fix_mmap_threshold(int bytes);


#endif
