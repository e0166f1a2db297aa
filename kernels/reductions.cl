// reductions.cl — per-row reductions (one work-group a row, tree sum in local memory)
// and column sums (one work-item a column, coalesced over rows).

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

// The tree sum of REDUCE_WG partials in local memory; every lane must call it.
inline float group_sum(__local float* partial, const int lane, const float value) {
  partial[lane] = value;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int width = REDUCE_WG / 2; width > 0; width /= 2) {
    if (lane < width) partial[lane] += partial[lane + width];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  return partial[0];
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
  const float sum = group_sum(partial, lane, total);
  if (lane == 0 && row < rows) out[row] = sum;
}

__kernel void sum_columns(const __global float* matrix, const int rows, const int columns,
                          __global float* out) {
  const int j = get_global_id(0);
  if (j >= columns) return;
  float total = 0.0f;
  for (int i = 0; i < rows; i++) total += matrix[(size_t)i * columns + j];
  out[j] = total;
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
  const float sum = group_sum(partial, lane, total);
  if (lane == 0) accumulator[index] += scale * sum;
}
