// The processor's instruction sets for OpenBLAS's core choice (Backend/OpenBLASRuntime).

#define _GNU_SOURCE  // RTLD_DEFAULT

#include "cpu_features.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

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

// SIGAH_OPENBLAS_EMULATE_DETECTION=X starts OpenBLAS from core X as if its detection had
// picked X: at load, before any BLAS call of the process, as on a VM whose processor
// OpenBLAS does not recognise, so that a test sees what such a machine runs from the
// first product on. OpenBLAS reads OPENBLAS_CORETYPE only in its initialisation, which
// is re-run here with the variable set for the duration.
__attribute__((constructor)) static void sigah_emulate_openblas_detection(void) {
  const char *core = getenv("SIGAH_OPENBLAS_EMULATE_DETECTION");
  if (core == NULL || core[0] == '\0') return;
  void *library = dlopen("libopenblas.so.0", RTLD_LAZY | RTLD_NOLOAD);
  if (library == NULL) library = dlopen("libopenblas.so", RTLD_LAZY | RTLD_NOLOAD);
  void *quit = dlsym(library != NULL ? library : RTLD_DEFAULT, "gotoblas_dynamic_quit");
  void *init = dlsym(library != NULL ? library : RTLD_DEFAULT, "gotoblas_dynamic_init");
  if (quit == NULL || init == NULL) return;
  const char *user = getenv("OPENBLAS_CORETYPE");
  char *saved = user != NULL ? strdup(user) : NULL;
  setenv("OPENBLAS_CORETYPE", core, 1);
  ((void (*)(void))quit)();
  ((void (*)(void))init)();
  if (saved != NULL) {
    setenv("OPENBLAS_CORETYPE", saved, 1);
    free(saved);
  } else {
    unsetenv("OPENBLAS_CORETYPE");
  }
}
