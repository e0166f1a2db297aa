// solve.cl — the small Cholesky solve of BA's decoder (METHOD.md §11): (A + rI)X = B for a
// symmetric A of a few hundred rows, so that the f step never waits on the host. The
// order of every sum is the CPU backend's (CPUBackend+Solve.swift); only contraction into
// fused multiply–adds may differ.

// One work-group factors the whole matrix in place (lower triangle), column by column: lane
// 0 takes the pivot, then the lanes take the rows below it. The matrix stays in global
// memory (257² floats do not fit local memory); a column's rows read only columns before it.
__kernel void cholesky_factor(__global float* a, const int n, const float relative_ridge,
                              __local float* shared) {
  const int lane = get_local_id(0);
  const int lanes = get_local_size(0);
  if (lane == 0) {
    float trace = 0.0f;
    for (int i = 0; i < n; i++) trace += a[i * n + i];
    shared[0] = fmax(relative_ridge * trace / (float)n, 1e-12f);
  }
  barrier(CLK_LOCAL_MEM_FENCE);
  const float ridge = shared[0];
  for (int j = 0; j < n; j++) {
    if (lane == 0) {
      float pivot = a[j * n + j] + ridge;
      for (int p = 0; p < j; p++) pivot -= a[j * n + p] * a[j * n + p];
      const float root = sqrt(fmax(pivot, ridge));
      a[j * n + j] = root;
      shared[1] = root;
    }
    barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
    const float root = shared[1];
    for (int i = j + 1 + lane; i < n; i += lanes) {
      float sum = a[i * n + j];
      for (int p = 0; p < j; p++) sum -= a[i * n + p] * a[j * n + p];
      a[i * n + j] = sum / root;
    }
    // Column j is complete before any lane reads it for the next pivot.
    barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
  }
}

// One work-item a column of B: forward substitution with L, then backward with Lᵀ. The
// work-items of a group read the same L entry and neighbouring entries of B.
__kernel void cholesky_substitute(const __global float* l, const int n, __global float* b,
                                  const int columns) {
  const int c = get_global_id(0);
  if (c >= columns) return;
  for (int i = 0; i < n; i++) {
    float sum = b[i * columns + c];
    for (int p = 0; p < i; p++) sum -= l[i * n + p] * b[p * columns + c];
    b[i * columns + c] = sum / l[i * n + i];
  }
  for (int i = n - 1; i >= 0; i--) {
    float sum = b[i * columns + c];
    for (int p = i + 1; p < n; p++) sum -= l[p * n + i] * b[p * columns + c];
    b[i * columns + c] = sum / l[i * n + i];
  }
}
