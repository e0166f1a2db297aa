// reductions.cl — per-row reductions (one work-group a row, tree sum in local memory)
// and column sums (one work-item a column, coalesced over rows).

#ifndef REDUCE_WG
#define REDUCE_WG 64
#endif

// reduction: 0 sum, 1 sum of squares, 2 sum of absolute values (RowReduction's order).
// Global size rows·REDUCE_WG, local size REDUCE_WG.
__kernel __attribute__((reqd_work_group_size(REDUCE_WG, 1, 1)))
void reduce_rows(const __global float* matrix, const int rows, const int columns,
                 const int reduction, __global float* out) {
  __local float partial[REDUCE_WG];
  const int row = get_group_id(0);
  const int lane = get_local_id(0);
  const __global float* x = matrix + (size_t)row * columns;
  float total = 0.0f;
  for (int j = lane; j < columns; j += REDUCE_WG) {
    const float v = x[j];
    total += reduction == 0 ? v : (reduction == 1 ? v * v : fabs(v));
  }
  partial[lane] = total;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int width = REDUCE_WG / 2; width > 0; width /= 2) {
    if (lane < width) partial[lane] += partial[lane + width];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (lane == 0 && row < rows) out[row] = partial[0];
}

__kernel void sum_columns(const __global float* matrix, const int rows, const int columns,
                          __global float* out) {
  const int j = get_global_id(0);
  if (j >= columns) return;
  float total = 0.0f;
  for (int i = 0; i < rows; i++) total += matrix[(size_t)i * columns + j];
  out[j] = total;
}
