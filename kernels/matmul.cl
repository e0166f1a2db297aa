// matmul.cl — C = alpha·op(A)·op(B) + beta·C, row-major, any shape, both transposes.
// Tiled in local memory: a work-group computes a TS × TS tile of C; each work-item keeps
// WPT results of one column in registers. TS and WPT are defaults the host may override
// by prepending its own #defines (CLBlast's convention).

#ifndef TS
#define TS 32
#endif
#ifndef WPT
#define WPT 8
#endif
#define RTS (TS / WPT)

// Element (i, p) of op(A), an m × k matrix; zero outside it so partial tiles need no branch.
inline float load_a(const __global float* a, int transpose_a, int m, int k, int i, int p) {
  if (i >= m || p >= k) return 0.0f;
  return transpose_a ? a[(size_t)p * m + i] : a[(size_t)i * k + p];
}

// Element (p, j) of op(B), a k × n matrix.
inline float load_b(const __global float* b, int transpose_b, int k, int n, int p, int j) {
  if (p >= k || j >= n) return 0.0f;
  return transpose_b ? b[(size_t)j * k + p] : b[(size_t)p * n + j];
}

// Global size (⌈n/TS⌉·TS, ⌈m/TS⌉·RTS), local size (TS, RTS).
__kernel __attribute__((reqd_work_group_size(TS, RTS, 1)))
void gemm(const int m, const int n, const int k, const float alpha, const float beta,
          const int transpose_a, const int transpose_b,
          const __global float* a, const __global float* b, __global float* c) {
  const int column = get_local_id(0);
  const int row_group = get_local_id(1);
  const int tile_row = get_group_id(1) * TS;
  const int tile_column = get_group_id(0) * TS;

  __local float a_tile[TS][TS];  // a_tile[row][p]
  __local float b_tile[TS][TS];  // b_tile[p][column]

  float accumulator[WPT];
  for (int w = 0; w < WPT; w++) accumulator[w] = 0.0f;

  for (int offset = 0; offset < k; offset += TS) {
    for (int w = 0; w < WPT; w++) {
      const int r = row_group + w * RTS;
      a_tile[r][column] = load_a(a, transpose_a, m, k, tile_row + r, offset + column);
      b_tile[r][column] = load_b(b, transpose_b, k, n, offset + r, tile_column + column);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int p = 0; p < TS; p++) {
      const float b_value = b_tile[p][column];
      for (int w = 0; w < WPT; w++) {
        accumulator[w] = fma(a_tile[row_group + w * RTS][p], b_value, accumulator[w]);
      }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }

  const int j = tile_column + column;
  if (j >= n) return;
  for (int w = 0; w < WPT; w++) {
    const int i = tile_row + row_group + w * RTS;
    if (i < m) {
      const size_t index = (size_t)i * n + j;
      // With beta == 0 the old C is never read: it may hold garbage or NaN (BLAS rule).
      c[index] = beta == 0.0f ? alpha * accumulator[w]
                              : alpha * accumulator[w] + beta * c[index];
    }
  }
}
