// reductions.cl — per-row reductions (one work-group a row, tree sum in local memory)
// and column sums (the layout of common.cl: row lanes per column, coalesced over rows).

#ifndef REDUCE_WG
#define REDUCE_WG 64
#endif

inline float reduced(const int reduction, const float v) {
  switch (reduction) {
    case REDUCTION_SUM: return v;
    case REDUCTION_SUM_OF_SQUARES: return v * v;
    case REDUCTION_SUM_OF_ABSOLUTE_VALUES: return fabs(v);
    default: return NAN;
  }
}

// reduction: a REDUCTION_* code. Global size rows·REDUCE_WG, local size REDUCE_WG.
__kernel __attribute__((reqd_work_group_size(REDUCE_WG, 1, 1)))
void reduce_rows(const __global float* matrix, const int rows, const int columns,
                 const int reduction, __global float* out) {
  __local float partial[REDUCE_WG];
  const int row = get_group_id(0);
  const int lane = get_local_id(0);
  const __global float* x = matrix + (size_t)row * columns;
  float total = 0.0f;
  for (int j = lane; j < columns; j += REDUCE_WG) total += reduced(reduction, x[j]);
  const float sum = tree_sum(partial, lane, REDUCE_WG, 1, total);
  if (lane == 0 && row < rows) out[row] = sum;
}

// Global size (columns rounded up to COLUMN_WG_COLUMNS) × COLUMN_WG_ROWS.
__kernel __attribute__((reqd_work_group_size(COLUMN_WG_COLUMNS, COLUMN_WG_ROWS, 1)))
void sum_columns(const __global float* matrix, const int rows, const int columns,
                 __global float* out) {
  __local float partial[COLUMN_WG_ROWS * COLUMN_WG_COLUMNS];
  const int j = get_global_id(0);
  const int lane = get_local_id(1);
  float total = 0.0f;
  if (j < columns)
    for (int i = lane; i < rows; i += COLUMN_WG_ROWS) total += matrix[(size_t)i * columns + j];
  const float sum =
      tree_sum(partial + get_local_id(0), lane, COLUMN_WG_ROWS, COLUMN_WG_COLUMNS, total);
  if (lane == 0 && j < columns) out[j] = sum;
}

// accumulator[index] += scale · reduce(x[0..<count]) in one work-group, so the order of
// the sum is fixed: loss terms add up on the device across a whole epoch.
__kernel __attribute__((reqd_work_group_size(REDUCE_WG, 1, 1)))
void accumulate(const __global float* x, const int count, const int reduction, const float scale,
                __global float* accumulator, const int index) {
  __local float partial[REDUCE_WG];
  const int lane = get_local_id(0);
  float total = 0.0f;
  for (int i = lane; i < count; i += REDUCE_WG) total += reduced(reduction, x[i]);
  const float sum = tree_sum(partial, lane, REDUCE_WG, 1, total);
  if (lane == 0) accumulator[index] += scale * sum;
}
