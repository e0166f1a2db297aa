// The processor's instruction sets for OpenBLAS's core choice (Backend/OpenBLASRuntime).

#define _GNU_SOURCE  // RTLD_DEFAULT

#include "cpu_features.h"

#include <dlfcn.h>
#include <stdio.h>
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

extern char **environ;

// Sets `name` to `value` for the duration of `call`, then puts back the variable as it
// was and the very `environ` array the process started with. setenv moves the array to
// the heap when it adds a variable, and a Swift executable linked with the static
// standard library finds its arguments by walking back from `environ` to argv on the
// stack: moved, `CommandLine.arguments` came out empty and `sigah` printed its usage for
// every command (the release bundle that the GPU runs use).
void sigah_with_environment_variable(const char *name, const char *value, void (*call)(void)) {
  char **original = environ;
  const char *user = getenv(name);
  char *saved = user != NULL ? strdup(user) : NULL;
  setenv(name, value, 1);
  call();
  if (saved != NULL) {
    setenv(name, saved, 1);
    free(saved);
  } else {
    unsetenv(name);
  }
  environ = original;
}

static void *openblas_symbol(const char *name) {
  void *library = dlopen("libopenblas.so.0", RTLD_LAZY | RTLD_NOLOAD);
  if (library == NULL) library = dlopen("libopenblas.so", RTLD_LAZY | RTLD_NOLOAD);
  return dlsym(library != NULL ? library : RTLD_DEFAULT, name);
}

int sigah_openblas_thread_timeout(void) {
  void *timeout = openblas_symbol("openblas_thread_timeout");
  return timeout != NULL ? ((int (*)(void))timeout)() : 0;
}

static int chose_thread_timeout = 0;

int sigah_chose_openblas_thread_timeout(void) { return chose_thread_timeout; }

// OpenBLAS's idle threads spin on sched_yield for 2^28 cycles (about 0.1 s) after each
// product before they sleep. Between a training step's products sigah's own threads run
// the element-wise passes, and on a machine with as many threads as cores the spinning
// threads take the cores from them: perf on 2 cores put 10 % of a SiGAH step in the
// scheduler. With 2^16 cycles (tens of µs) a thread still catches the next product of a
// run of them and sleeps through the passes. Unless OPENBLAS_THREAD_TIMEOUT is set, the
// thread pool is restarted here, at load, before any BLAS call of the process, with the
// variable set only while OpenBLAS reads it (children inherit the user's environment).
__attribute__((constructor)) static void sigah_shorten_openblas_thread_timeout(void) {
  const char *user = getenv("OPENBLAS_THREAD_TIMEOUT");
  if (user != NULL && user[0] != '\0') return;
  void *read_environment = openblas_symbol("openblas_read_env");
  void *shutdown = openblas_symbol("blas_thread_shutdown_");
  void *init = openblas_symbol("blas_thread_init");
  if (read_environment == NULL || shutdown == NULL || init == NULL) return;
  char value[8];
  snprintf(value, sizeof value, "%d", SIGAH_OPENBLAS_THREAD_TIMEOUT);
  sigah_with_environment_variable("OPENBLAS_THREAD_TIMEOUT", value, (void (*)(void))read_environment);
  ((int (*)(void))shutdown)();
  ((int (*)(void))init)();
  chose_thread_timeout = 1;
}

// SIGAH_OPENBLAS_EMULATE_DETECTION=X starts OpenBLAS from core X as if its detection had
// picked X: at load, before any BLAS call of the process, as on a VM whose processor
// OpenBLAS does not recognise, so that a test sees what such a machine runs from the
// first product on. OpenBLAS reads OPENBLAS_CORETYPE only in its initialisation, which
// is re-run here with the variable set for the duration.
__attribute__((constructor)) static void sigah_emulate_openblas_detection(void) {
  const char *core = getenv("SIGAH_OPENBLAS_EMULATE_DETECTION");
  if (core == NULL || core[0] == '\0') return;
  void *quit = openblas_symbol("gotoblas_dynamic_quit");
  void *init = openblas_symbol("gotoblas_dynamic_init");
  if (quit == NULL || init == NULL) return;
  ((void (*)(void))quit)();
  sigah_with_environment_variable("OPENBLAS_CORETYPE", core, (void (*)(void))init);
}
