// COpenBLAS: not API. CBLAS and OpenBLAS's own controls from Debian's libopenblas-dev,
// plus the few LAPACK routines the baselines need (OpenBLAS exports them; Debian ships
// no lapack.h beside cblas.h, so they are declared here with Fortran calling rules:
// every argument by pointer, hidden string lengths omitted for single-character flags).
#ifndef SIGAH_COPENBLAS_SHIM_H
#define SIGAH_COPENBLAS_SHIM_H

#include <cblas.h>

/// Symmetric eigen-decomposition, divide and conquer (used by PCAH and ITQ).
void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda,
             float *w, float *work, const int *lwork, int *iwork, const int *liwork, int *info);

/// Singular value decomposition, divide and conquer (used by the ITQ rotation).
void sgesdd_(const char *jobz, const int *m, const int *n, float *a, const int *lda, float *s,
             float *u, const int *ldu, float *vt, const int *ldvt, float *work, const int *lwork,
             int *iwork, int *info);

#endif
