// The processor's instruction sets for OpenBLAS's core choice (Backend/OpenBLASRuntime).

#include "cpu_features.h"

int sigah_cpu_features(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  int flags = 0;
  if (__builtin_cpu_supports("avx")) flags |= SIGAH_CPU_AVX;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) flags |= SIGAH_CPU_AVX2_FMA;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    flags |= SIGAH_CPU_AVX512;
  if ((flags & SIGAH_CPU_AVX512) && __builtin_cpu_supports("avx512bf16")) flags |= SIGAH_CPU_AVX512_BF16;
  if (__builtin_cpu_is("amd")) flags |= SIGAH_CPU_VENDOR_AMD;
  if (__builtin_cpu_is("intel")) flags |= SIGAH_CPU_VENDOR_INTEL;
  return flags;
#else
  return 0;
#endif
}
