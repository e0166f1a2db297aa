// encode.cl — a linear hash's codes in one pass (METHOD.md §4): centre the rows, project
// them, add the offset (and an MLP hash's skip, §3c, when there is an addend), take the
// signs and pack them, without storing the centred rows or the projections. Each bit's sum runs over the columns in order in both variants, so a
// row's code does not depend on the rows encoded beside it. The projection comes
// transposed (columns × bits): a code word's 64 weights of one column are contiguous.
//
// ENCODE_LOCAL selects the variant, as GEMM_LOCAL does for matmul.cl: 0 has each work-item
// code ENCODE_ROWS rows of one word in vector registers, reading straight from global
// memory (CPU devices); 1 has 64 lanes, one a bit, share slices staged in local memory
// (GPUs).

#ifndef ENCODE_LOCAL
#define ENCODE_LOCAL 0
#endif
#ifndef ENCODE_ROWS
#define ENCODE_ROWS 4  // rows a work-item (direct) or a work-group (local) codes; ≤ 64
#endif
#ifndef ENCODE_SLICE
#define ENCODE_SLICE 32  // columns staged in local memory at a time (local variant)
#endif
#if ENCODE_ROWS > 64
#error "ENCODE_ROWS must be at most 64"
#endif

// Value of row `row` (of `rows`), column k, centred; 0 past the last row.
inline float centred(const __global float* x, const int first_row, const int rows, const int columns,
                     const __global float* mean, const int centre, const int row, const int k) {
  if (row >= rows) return 0.0f;
  const float value = x[(size_t)(first_row + row) * columns + k];
  return centre ? value - mean[k] : value;
}

#if ENCODE_LOCAL == 0

// 16 weights of column k from bit `first`, zero past the code's last bit.
inline float16 weights16(const __global float* projection, const int bits, const int k, const int first) {
  const __global float* w = projection + (size_t)k * bits + first;
  if (first + 16 <= bits) return vload16(0, w);
  float lanes[16];
  for (int b = 0; b < 16; b++) lanes[b] = first + b < bits ? w[b] : 0.0f;
  return vload16(0, lanes);
}

// Global size (⌈rows/ENCODE_ROWS⌉, words): one work-item a block of rows and a word.
__kernel void project_sign_pack(const __global float* x, const int first_row, const int rows,
                                const int columns, const __global float* mean, const int centre,
                                const __global float* projection, const __global float* addend,
                                const int add, const __global float* offset, const int bits,
                                __global ulong* codes, const int first_code) {
  const int first = get_global_id(0) * ENCODE_ROWS;
  const int word = get_global_id(1);
  if (first >= rows) return;
  float16 sums[ENCODE_ROWS][4];
  for (int r = 0; r < ENCODE_ROWS; r++)
    for (int v = 0; v < 4; v++) sums[r][v] = (float16)(0.0f);
  for (int k = 0; k < columns; k++) {
    float16 w[4];
    for (int v = 0; v < 4; v++) w[v] = weights16(projection, bits, k, word * 64 + v * 16);
    for (int r = 0; r < ENCODE_ROWS; r++) {
      const float value = centred(x, first_row, rows, columns, mean, centre, first + r, k);
      for (int v = 0; v < 4; v++) sums[r][v] += value * w[v];
    }
  }
  const int words = (bits + 63) / 64;
  for (int r = 0; r < ENCODE_ROWS && first + r < rows; r++) {
    float totals[64];
    for (int v = 0; v < 4; v++) vstore16(sums[r][v], v, totals);
    ulong packed = 0;
    for (int b = 0; b < 64 && word * 64 + b < bits; b++) {
      const int bit = word * 64 + b;
      const float total = add ? totals[b] + addend[(size_t)(first + r) * bits + bit] : totals[b];
      if (total + offset[bit] >= 0.0f) packed |= (ulong)1 << b;
    }
    codes[(size_t)(first_code + first + r) * words + word] = packed;
  }
}

#else

// Work-groups of 64 lanes, one a bit of a code word: group (g, w) codes rows
// g·ENCODE_ROWS … of word w. The rows' slice (centred) and the word's weights of the
// slice are staged in local memory; each lane keeps its bit's sums for every row.
__kernel __attribute__((reqd_work_group_size(64, 1, 1))) void project_sign_pack(
    const __global float* x, const int first_row, const int rows, const int columns,
    const __global float* mean, const int centre, const __global float* projection,
    const __global float* addend, const int add, const __global float* offset, const int bits,
    __global ulong* codes, const int first_code) {
  __local float staged_rows[ENCODE_ROWS][ENCODE_SLICE];
  __local float staged_weights[ENCODE_SLICE][64];
  __local uchar signs[ENCODE_ROWS][64];
  const int lane = get_local_id(0);
  const int word = get_group_id(1);
  const int first = get_group_id(0) * ENCODE_ROWS;
  const int bit = word * 64 + lane;
  float sums[ENCODE_ROWS];
  for (int r = 0; r < ENCODE_ROWS; r++) sums[r] = 0.0f;
  for (int k0 = 0; k0 < columns; k0 += ENCODE_SLICE) {
    const int slice = min(ENCODE_SLICE, columns - k0);
    for (int i = lane; i < ENCODE_ROWS * ENCODE_SLICE; i += 64) {
      const int r = i / ENCODE_SLICE;
      const int k = i - r * ENCODE_SLICE;
      staged_rows[r][k] = k < slice ? centred(x, first_row, rows, columns, mean, centre, first + r, k0 + k) : 0.0f;
    }
    // Consecutive lanes read consecutive weights of a column and store them side by side.
    for (int k = 0; k < slice; k++)
      staged_weights[k][lane] = bit < bits ? projection[(size_t)(k0 + k) * bits + bit] : 0.0f;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int k = 0; k < slice; k++) {
      const float w = staged_weights[k][lane];
      for (int r = 0; r < ENCODE_ROWS; r++) sums[r] += staged_rows[r][k] * w;
    }
    // Every lane is done with the slice before the next overwrites it.
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  const float c = bit < bits ? offset[bit] : 0.0f;
  for (int r = 0; r < ENCODE_ROWS; r++) {
    const int row = first + r;
    const float total = add && bit < bits && row < rows ? sums[r] + addend[(size_t)row * bits + bit] : sums[r];
    signs[r][lane] = bit < bits && total + c >= 0.0f;
  }
  barrier(CLK_LOCAL_MEM_FENCE);
  if (lane < ENCODE_ROWS && first + lane < rows) {
    ulong packed = 0;
    for (int b = 0; b < 64; b++) packed |= (ulong)signs[lane][b] << b;
    const int words = (bits + 63) / 64;
    codes[(size_t)(first_code + first + lane) * words + word] = packed;
  }
}

#endif
