// selection.cl — the `count` smallest values of each row of a matrix, ties by index, as
// column ids in index order with their values: ground truth's candidates, chosen on the
// device so that only they cross the bus (a query's 20,000 distances become its 116).
// One work-group a row. The count-th smallest key is found a byte at a time from the top
// (a radix select: four histogram passes); then each lane owns a contiguous run of the row,
// so lane order is index order, and exclusive sums of the lanes' counts place every chosen
// element.

#ifndef REDUCE_WG
#define REDUCE_WG 64
#endif

// A float's bits as an unsigned key in the order of the values (negative ones reversed).
inline uint orderable(const float v) {
  const uint bits = as_uint(v);
  return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

// In place: each lane's value becomes the sum of the lanes before it; returns the total.
// Lane 0 adds them in lane order (REDUCE_WG values, a few hundred at most).
inline int exclusive_sum(__local int* lanes, const int lane, const int value) {
  lanes[lane] = value;
  barrier(CLK_LOCAL_MEM_FENCE);
  if (lane == 0) {
    int total = 0;
    for (int l = 0; l < REDUCE_WG; l++) {
      const int own = lanes[l];
      lanes[l] = total;
      total += own;
    }
    lanes[REDUCE_WG] = total;
  }
  barrier(CLK_LOCAL_MEM_FENCE);
  const int total = lanes[REDUCE_WG];
  barrier(CLK_LOCAL_MEM_FENCE);  // the caller may reuse the lanes
  return total;
}

// Global size rows·REDUCE_WG, local size REDUCE_WG; 1 ≤ count ≤ columns.
__kernel __attribute__((reqd_work_group_size(REDUCE_WG, 1, 1)))
void smallest_per_row(const __global float* matrix, const int columns, const int count,
                      __global int* ids, __global float* values) {
  __local int lanes[REDUCE_WG + 1];
  __local int histogram[256];
  __local int digit_and_below[2];
  const int row = get_group_id(0);
  const int lane = get_local_id(0);
  const __global float* x = matrix + (size_t)row * columns;
  // The count-th smallest key, a byte at a time from the top: four passes, each a
  // histogram of the next byte over the keys that share the bytes found so far.
  uint threshold = 0;
  uint mask = 0;
  int needed = count;
  for (int shift = 24; shift >= 0; shift -= 8) {
    for (int b = lane; b < 256; b += REDUCE_WG) histogram[b] = 0;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int j = lane; j < columns; j += REDUCE_WG) {
      const uint key = orderable(x[j]);
      if ((key & mask) == threshold) atomic_inc(&histogram[(key >> shift) & 255u]);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    if (lane == 0) {
      int below = 0;
      int digit = 0;
      while (below + histogram[digit] < needed) below += histogram[digit++];
      digit_and_below[0] = digit;
      digit_and_below[1] = below;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    threshold |= (uint)digit_and_below[0] << shift;
    mask |= 255u << shift;
    needed -= digit_and_below[1];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  // Every key below the threshold is chosen, and the first (count − below) equal to it.
  const int run = (columns + REDUCE_WG - 1) / REDUCE_WG;
  const int begin = min(columns, lane * run);
  const int end = min(columns, begin + run);
  int below = 0;
  int equal = 0;
  for (int j = begin; j < end; j++) {
    const uint key = orderable(x[j]);
    below += key < threshold;
    equal += key == threshold;
  }
  const int all_below = exclusive_sum(lanes, lane, below);
  const int ties = count - all_below;
  exclusive_sum(lanes, lane, equal);
  const int equal_before = lanes[lane];
  barrier(CLK_LOCAL_MEM_FENCE);
  const int ties_here = clamp(ties - equal_before, 0, equal);
  exclusive_sum(lanes, lane, below + ties_here);
  int position = lanes[lane];
  int ties_left = ties_here;
  const size_t out = (size_t)row * count;
  for (int j = begin; j < end; j++) {
    const uint key = orderable(x[j]);
    if (key < threshold || (key == threshold && ties_left-- > 0)) {
      ids[out + position] = j;
      values[out + position] = x[j];
      position++;
    }
  }
}
