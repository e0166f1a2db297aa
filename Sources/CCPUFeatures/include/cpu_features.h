// CCPUFeatures: not API. The instruction sets the processor and the operating system
// both support, read with the compiler's cpuid builtins (which also check that the
// operating system saves the AVX and AVX-512 registers), for choosing OpenBLAS's core.
#ifndef SIGAH_CPU_FEATURES_H
#define SIGAH_CPU_FEATURES_H

/// Bit flags of `sigah_cpu_features()`.
enum {
  SIGAH_CPU_AVX = 1 << 0,
  SIGAH_CPU_AVX2_FMA = 1 << 1,
  /// AVX-512 F, BW, DQ and VL together: what OpenBLAS's SkylakeX kernels use.
  SIGAH_CPU_AVX512 = 1 << 2,
  /// AVX-512 BF16 on top (OpenBLAS's Cooperlake kernels).
  SIGAH_CPU_AVX512_BF16 = 1 << 3,
  SIGAH_CPU_VENDOR_AMD = 1 << 4,
  SIGAH_CPU_VENDOR_INTEL = 1 << 5,
};

/// The SIGAH_CPU_* flags of this processor; 0 on other architectures.
int sigah_cpu_features(void);

#endif
