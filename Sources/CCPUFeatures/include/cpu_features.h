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

/// The log2 of the cycles OpenBLAS's idle threads spin before they sleep, as OpenBLAS
/// read it (0: OpenBLAS's built-in 28), and whether sigah chose it at load because
/// OPENBLAS_THREAD_TIMEOUT was unset.
int sigah_openblas_thread_timeout(void);
int sigah_chose_openblas_thread_timeout(void);

/// Calls `call` with the environment variable `name` set to `value`, then gives the
/// process back its variables and its very `environ` array (see cpu_features.c: a
/// statically linked Swift executable finds its arguments through it).
void sigah_with_environment_variable(const char *name, const char *value, void (*call)(void));

/// The timeout sigah chooses: 2^16 cycles, tens of microseconds.
#define SIGAH_OPENBLAS_THREAD_TIMEOUT 16

#endif
