// matmul.cl — C = alpha·op(A)·op(B) + beta·C, row-major, any shape, both transposes.
// Each work-item keeps an MWI × NWI block of C in registers (2-D register blocking),
// NWI = VWN·NVW columns read as vectors of VWN; a work-group of MDIMC × NDIMC work-items
// covers an MWG × NWG tile. GEMM_LOCAL selects the variant: 0 reads A and B straight from
// global memory (the direct kernel, fastest on CPU devices), 1 stages K-slices of KWG of
// both tiles in local memory (GPUs). Every knob is an #ifndef default the host overrides
// with -D options (CLBlast's convention); `sigah tune` chooses them per device.
//
// Epilogue (an EPILOGUE_* code): each stored element v = alpha·acc + beta·C may first get a
// layer's bias and activation (its forward pass) or be multiplied by the derivative of the
// activation that produced `epilogue_values` (the backward pass into the layer below).
// With sum_rows, the work-items of the first column tile also sum the op(A) values they
// read, row by row in k order, into a_row_sums (a layer's bias gradient, op(A) = dZᵀ).

#ifndef GEMM_LOCAL
#define GEMM_LOCAL 0
#endif
#ifndef MWI
#define MWI 8
#endif
#ifndef VWN
#define VWN 8
#endif
#ifndef NVW
#define NVW 1
#endif
#ifndef MDIMC
#define MDIMC 1
#endif
#ifndef NDIMC
#define NDIMC 1
#endif
#ifndef KWG
#define KWG 16
#endif
// Split-K: SPLIT_K work-groups share each tile of C, each over its own run of k, writing
// raw partial products to a workspace that gemm_split_sum then adds in slice order (the
// same bits every run) before alpha, beta and the epilogue. 1 = one pass, no workspace.
#ifndef SPLIT_K
#define SPLIT_K 1
#endif
#define NWI (VWN * NVW)
#define MWG (MWI * MDIMC)
#define NWG (NWI * NDIMC)

#if VWN == 1
typedef float floatn;
#define LOADN(offset, pointer) ((pointer)[offset])
#define STOREN(value, offset, pointer) ((pointer)[offset] = (value))
#elif VWN == 2
typedef float2 floatn;
#define LOADN vload2
#define STOREN vstore2
#elif VWN == 4
typedef float4 floatn;
#define LOADN vload4
#define STOREN vstore4
#elif VWN == 8
typedef float8 floatn;
#define LOADN vload8
#define STOREN vstore8
#elif VWN == 16
typedef float16 floatn;
#define LOADN vload16
#define STOREN vstore16
#else
#error "VWN must be 1, 2, 4, 8 or 16"
#endif

// Element (i, p) of op(A), an m × k matrix, and (p, j) of op(B), k × n; zero outside, and
// for p at or past k_end (the end of this work-group's run of k).
inline float element_a(const __global float* a, int transpose_a, int m, int k, int k_end, int i, int p) {
  if (i >= m || p >= k_end) return 0.0f;
  return transpose_a ? a[(size_t)p * m + i] : a[(size_t)i * k + p];
}
inline float element_b(const __global float* b, int transpose_b, int k, int k_end, int n, int p, int j) {
  if (p >= k_end || j >= n) return 0.0f;
  return transpose_b ? b[(size_t)j * k + p] : b[(size_t)p * n + j];
}

// alpha·product + beta·C through the epilogue, for element (row, column) at index.
inline float finish(const float product, const float alpha, const float beta,
                    const __global float* c, const size_t index, const int column,
                    const int epilogue, const int activation, const float slope,
                    const __global float* epilogue_values) {
  // With beta == 0 the old C is never read: it may hold garbage or NaN (BLAS rule).
  float value = beta == 0.0f ? alpha * product : alpha * product + beta * c[index];
  if (epilogue == EPILOGUE_BIAS_ACTIVATION)
    value = activation_forward(activation, slope, value + epilogue_values[column]);
  else if (epilogue == EPILOGUE_ACTIVATION_GRADIENT)
    value *= activation_derivative(activation, slope, epilogue_values[index]);
  return value;
}

// Global size (⌈n/NWG⌉·NDIMC, ⌈m/MWG⌉·MDIMC, SPLIT_K), local size (NDIMC, MDIMC, 1).
// partials: SPLIT_K·m·(n + 1) floats when SPLIT_K > 1 (products, then row sums), unused else.
__kernel __attribute__((reqd_work_group_size(NDIMC, MDIMC, 1)))
void gemm(const int m, const int n, const int k, const float alpha, const float beta,
          const int transpose_a, const int transpose_b,
          const __global float* a, const __global float* b, __global float* c,
          const int epilogue, const int activation, const float slope,
          const __global float* epilogue_values, const int sum_rows, __global float* a_row_sums,
          __global float* partials) {
  const int slice = get_group_id(2);
  const int k_run = (k + SPLIT_K - 1) / SPLIT_K;
  const int k_begin = min(k, slice * k_run);
  const int k_end = min(k, k_begin + k_run);
  const int item_row = get_local_id(1) * MWI;
  const int item_column = get_local_id(0) * NWI;
  const int row0 = get_group_id(1) * MWG + item_row;
  const int col0 = get_group_id(0) * NWG + item_column;
  floatn accumulator[MWI][NVW];
  for (int i = 0; i < MWI; i++)
    for (int v = 0; v < NVW; v++) accumulator[i][v] = (floatn)(0.0f);
  float row_sum[MWI];
  for (int i = 0; i < MWI; i++) row_sum[i] = 0.0f;

#if GEMM_LOCAL
  // One column of padding: the cooperative store of a non-transposed A writes down a
  // column of the tile, which would otherwise hit one local-memory bank MWG times over.
  __local float a_tile[KWG][MWG + 1];
  __local float b_tile[KWG][NWG];
  const int tile_row = get_group_id(1) * MWG;
  const int tile_column = get_group_id(0) * NWG;
  const int lane = get_local_id(1) * NDIMC + get_local_id(0);
  const int sums_here = sum_rows && get_group_id(0) == 0 && get_local_id(0) == 0;
  for (int p0 = k_begin; p0 < k_end; p0 += KWG) {
    // Cooperative loads, consecutive lanes on consecutive addresses of each layout.
    for (int e = lane; e < KWG * MWG; e += MDIMC * NDIMC) {
      const int p = transpose_a ? e / MWG : e % KWG;
      const int i = transpose_a ? e % MWG : e / KWG;
      a_tile[p][i] = element_a(a, transpose_a, m, k, k_end, tile_row + i, p0 + p);
    }
    for (int e = lane; e < KWG * NWG; e += MDIMC * NDIMC) {
      const int p = transpose_b ? e % KWG : e / NWG;
      const int j = transpose_b ? e / KWG : e % NWG;
      b_tile[p][j] = element_b(b, transpose_b, k, k_end, n, p0 + p, tile_column + j);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int p = 0; p < KWG; p++) {
      floatn b_values[NVW];
      for (int v = 0; v < NVW; v++) b_values[v] = LOADN(0, &b_tile[p][item_column + v * VWN]);
      for (int i = 0; i < MWI; i++) {
        const floatn a_value = (floatn)(a_tile[p][item_row + i]);
        for (int v = 0; v < NVW; v++) accumulator[i][v] = fma(a_value, b_values[v], accumulator[i][v]);
      }
    }
    if (sums_here)
      for (int p = 0; p < KWG; p++)
        for (int i = 0; i < MWI; i++) row_sum[i] += a_tile[p][item_row + i];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
#else
  if (row0 >= m || col0 >= n) return;
  const int sums_here = sum_rows && col0 == 0;
  if (row0 + MWI <= m && col0 + NWI <= n && !transpose_b && !sums_here) {
    // Interior block: B rows are contiguous, read as vectors with no bounds checks.
    for (int p = k_begin; p < k_end; p++) {
      floatn b_values[NVW];
      for (int v = 0; v < NVW; v++) b_values[v] = LOADN(0, b + (size_t)p * n + col0 + v * VWN);
      for (int i = 0; i < MWI; i++) {
        const float a_scalar =
            transpose_a ? a[(size_t)p * m + row0 + i] : a[(size_t)(row0 + i) * k + p];
        for (int v = 0; v < NVW; v++)
          accumulator[i][v] = fma((floatn)(a_scalar), b_values[v], accumulator[i][v]);
      }
    }
  } else if (row0 + MWI <= m && col0 + NWI <= n && !sums_here) {
    // Interior block of a transposed B: its columns are rows of the stored B, read lane by
    // lane with no bounds checks (PoCL trains SiGAH 1.16× faster than with the checked loop).
    const __global float* b_columns = b + (size_t)col0 * k;
    for (int p = k_begin; p < k_end; p++) {
      floatn b_values[NVW];
      for (int v = 0; v < NVW; v++) {
        float lanes[VWN];
        for (int l = 0; l < VWN; l++) lanes[l] = b_columns[(size_t)(v * VWN + l) * k + p];
        b_values[v] = LOADN(0, lanes);
      }
      for (int i = 0; i < MWI; i++) {
        const float a_scalar =
            transpose_a ? a[(size_t)p * m + row0 + i] : a[(size_t)(row0 + i) * k + p];
        for (int v = 0; v < NVW; v++)
          accumulator[i][v] = fma((floatn)(a_scalar), b_values[v], accumulator[i][v]);
      }
    }
  } else {
    for (int p = k_begin; p < k_end; p++) {
      floatn b_values[NVW];
      for (int v = 0; v < NVW; v++) {
        float lanes[VWN];
        for (int l = 0; l < VWN; l++)
          lanes[l] = element_b(b, transpose_b, k, k_end, n, p, col0 + v * VWN + l);
        b_values[v] = LOADN(0, lanes);
      }
      for (int i = 0; i < MWI; i++) {
        const float a_scalar = element_a(a, transpose_a, m, k, k_end, row0 + i, p);
        if (sums_here) row_sum[i] += a_scalar;
        const floatn a_value = (floatn)(a_scalar);
        for (int v = 0; v < NVW; v++) accumulator[i][v] = fma(a_value, b_values[v], accumulator[i][v]);
      }
    }
  }
#endif

#if SPLIT_K > 1
  __global float* slice_products = partials + (size_t)slice * m * n;
  if (sum_rows && col0 == 0)
    for (int i = 0; i < MWI && row0 + i < m; i++)
      partials[(size_t)SPLIT_K * m * n + (size_t)slice * m + row0 + i] = row_sum[i];
#else
  if (sum_rows && col0 == 0)
    for (int i = 0; i < MWI && row0 + i < m; i++) a_row_sums[row0 + i] = row_sum[i];
#endif
  for (int i = 0; i < MWI; i++) {
    const int row = row0 + i;
    if (row >= m) break;
    for (int v = 0; v < NVW; v++) {
      float lanes[VWN];
      STOREN(accumulator[i][v], 0, lanes);
      for (int l = 0; l < VWN; l++) {
        const int column = col0 + v * VWN + l;
        if (column >= n) break;
        const size_t index = (size_t)row * n + column;
#if SPLIT_K > 1
        slice_products[index] = lanes[l];
#else
        c[index] = finish(lanes[l], alpha, beta, c, index, column, epilogue, activation, slope,
                          epilogue_values);
#endif
      }
    }
  }
}

// The second pass of a split-K product: each element's SPLIT_K partial products added in
// slice order, then alpha, beta and the epilogue; the row sums of op(A) the same way.
// Global size m·n.
__kernel void gemm_split_sum(const int m, const int n, const float alpha, const float beta,
                             __global float* c, const int epilogue, const int activation,
                             const float slope, const __global float* epilogue_values,
                             const int sum_rows, __global float* a_row_sums,
                             const __global float* partials) {
  const int index = get_global_id(0);
  if (index >= m * n) return;
  const int row = index / n;
  const int column = index - row * n;
  float product = 0.0f;
  for (int s = 0; s < SPLIT_K; s++) product += partials[(size_t)s * m * n + index];
  c[index] = finish(product, alpha, beta, c, index, column, epilogue, activation, slope,
                    epilogue_values);
  if (sum_rows && column == 0) {
    float total = 0.0f;
    for (int s = 0; s < SPLIT_K; s++) total += partials[(size_t)SPLIT_K * m * n + (size_t)s * m + row];
    a_row_sums[row] = total;
  }
}
