// graph.cl — pairwise distances from a Gram matrix, the core of the batch graph
// similarity S = exp(−σ·‖x_i − x_j‖) (METHOD.md §2, paper Eq. 17) and of exact ground truth.
// D[i, j] = max(0, a[i] + b[j] − 2·G[i, j]), square-rooted when square_root != 0.
// zero_diagonal: D[i, i] = 0 exactly for a set against itself (no cancellation residue).
// D may alias G: each work-item reads its element before writing it.

__kernel void distances_from_gram(const __global float* gram, const __global float* row_norms,
                                  const __global float* column_norms, const int rows,
                                  const int columns, const int square_root,
                                  const int zero_diagonal, __global float* distances) {
  const int index = get_global_id(0);
  if (index >= rows * columns) return;
  const int i = index / columns;
  const int j = index - i * columns;
  const float squared = zero_diagonal && i == j
      ? 0.0f : fmax(0.0f, row_norms[i] + column_norms[j] - 2.0f * gram[index]);
  distances[index] = square_root ? sqrt(squared) : squared;
}

#ifndef REDUCE_WG
#define REDUCE_WG 64
#endif

// distances_from_gram's D over rows × columns, one work-group a row, with the row sums of D
// (the graph's σ and distance matching's scales need them) in a fixed tree order.
__kernel __attribute__((reqd_work_group_size(REDUCE_WG, 1, 1)))
void distances_with_row_sums(const __global float* gram, const __global float* row_norms,
                             const __global float* column_norms, const int columns,
                             const int square_root, const int zero_diagonal,
                             __global float* distances, __global float* row_sums) {
  __local float partial[REDUCE_WG];
  const int i = get_group_id(0);
  const int lane = get_local_id(0);
  float total = 0.0f;
  for (int j = lane; j < columns; j += REDUCE_WG) {
    const size_t index = (size_t)i * columns + j;
    const float squared = zero_diagonal && i == j
        ? 0.0f : fmax(0.0f, row_norms[i] + column_norms[j] - 2.0f * gram[index]);
    const float distance = square_root ? sqrt(squared) : squared;
    distances[index] = distance;
    total += distance;
  }
  const float sum = tree_sum(partial, lane, REDUCE_WG, 1, total);
  if (lane == 0) row_sums[i] = sum;
}

// S = exp(−σ·D) over rows × rows with σ = sigma when has_sigma, else pairs / Σ_i
// distance_row_sums[i] (1 when that is 0), and degrees[i] = Σ_j S[i, j]. Every work-group
// sums the row sums in the same order, so all of them use the same σ. S may alias D.
__kernel __attribute__((reqd_work_group_size(REDUCE_WG, 1, 1)))
void similarity_with_degrees(const __global float* distances, const int rows, const int has_sigma,
                             const float sigma, const __global float* distance_row_sums,
                             const int pairs, __global float* similarity,
                             __global float* degrees) {
  __local float partial[REDUCE_WG];
  const int i = get_group_id(0);
  const int lane = get_local_id(0);
  float part = 0.0f;
  for (int j = lane; j < rows; j += REDUCE_WG) part += distance_row_sums[j];
  const float total = tree_sum(partial, lane, REDUCE_WG, 1, part);
  const float used = has_sigma ? sigma : (pairs > 0 && total > 0.0f ? (float)pairs / total : 1.0f);
  float degree = 0.0f;
  for (int j = lane; j < rows; j += REDUCE_WG) {
    const size_t index = (size_t)i * rows + j;
    const float s = exp(-used * distances[index]);
    similarity[index] = s;
    degree += s;
  }
  const float sum = tree_sum(partial, lane, REDUCE_WG, 1, degree);
  if (lane == 0) degrees[i] = sum;
}

// S = exp(−σ·D) with σ = sigma when has_sigma, else pairs / total[0] (1 when the total or
// the pair count is 0): the graph's σ is the reciprocal mean distance, read on the device.
__kernel void exponential_similarity(const __global float* distances, const int count,
                                     const int has_sigma, const float sigma,
                                     const __global float* total, const int pairs,
                                     __global float* similarity) {
  const int i = get_global_id(0);
  if (i >= count) return;
  const float sum = total[0];
  const float used = has_sigma ? sigma : (pairs > 0 && sum > 0.0f ? (float)pairs / sum : 1.0f);
  similarity[i] = exp(-used * distances[i]);
}


// The near sets of distance matching (METHOD.md §3b.2): one work-group a row i marks the
// `nearest` smallest D[i, j], j ≠ i, ties by ascending j. The k-th smallest value t is
// found bit by bit from the top (distances are ≥ 0, so their bit patterns order as their
// values): at each bit, if fewer than k values lie below prefix + 2^b, the k-th is at or
// above it. Then every value below t is near, and the first (k − below) values equal to t
// in index order.
__kernel __attribute__((reqd_work_group_size(REDUCE_WG, 1, 1)))
void nearest_selection(const __global float* distances, const int rows, const int nearest,
                       __global float* selected) {
  __local int counts[REDUCE_WG];
  const int i = get_group_id(0);
  const int lane = get_local_id(0);
  const __global uint* row = (const __global uint*)(distances + (size_t)i * rows);
  __global float* out = selected + (size_t)i * rows;
  uint prefix = 0;
  for (int bit = 31; bit >= 0 && nearest > 0; bit--) {
    const uint candidate = prefix | (1u << bit);
    int below = 0;
    for (int j = lane; j < rows; j += REDUCE_WG) below += (j != i && row[j] < candidate);
    counts[lane] = below;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int width = REDUCE_WG / 2; width > 0; width /= 2) {
      if (lane < width) counts[lane] += counts[lane + width];
      barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (counts[0] < nearest) prefix = candidate;
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  int below = 0;
  for (int j = lane; j < rows; j += REDUCE_WG) {
    const int near = nearest > 0 && j != i && row[j] < prefix;
    out[j] = near ? 1.0f : 0.0f;
    below += near;
  }
  counts[lane] = below;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int width = REDUCE_WG / 2; width > 0; width /= 2) {
    if (lane < width) counts[lane] += counts[lane + width];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (lane == 0 && nearest > 0) {
    int ties = nearest - counts[0];
    for (int j = 0; j < rows && ties > 0; j++) {
      if (j != i && row[j] == prefix) {
        out[j] = 1.0f;
        ties--;
      }
    }
  }
}

// The distance-matching residual (METHOD.md §3b.2) over a rows × rows batch: targets
// T = 1 − D/√(s_i·s_j) with s_i = row_sums[i]/(rows − 1), e = P − T, near = selected[i, j]
// or selected[j, i], G = near ? e : max(0, e). G replaces P; row i's Σ_j e·G, times
// loss_scale, is added to losses[loss_offset + i]. One work-group a row.
__kernel __attribute__((reqd_work_group_size(REDUCE_WG, 1, 1)))
void distance_matching_residual(__global float* products, const __global float* distances,
                                const __global float* row_sums,
                                const __global float* selected, const int rows,
                                __global float* losses, const int loss_offset,
                                const float loss_scale) {
  __local float partial[REDUCE_WG];
  const int i = get_group_id(0);
  const int lane = get_local_id(0);
  const float others = (float)max(rows - 1, 1);
  float total = 0.0f;
  for (int j = lane; j < rows; j += REDUCE_WG) {
    const size_t index = (size_t)i * rows + j;
    const float scale = sqrt((row_sums[i] / others) * (row_sums[j] / others));
    const float target = 1.0f - (scale > 0.0f ? distances[index] / scale : 0.0f);
    const float e = products[index] - target;
    const int near = selected[index] > 0.0f || selected[(size_t)j * rows + i] > 0.0f;
    const float g = near ? e : fmax(e, 0.0f);
    products[index] = g;
    total += e * g;
  }
  const float sum = tree_sum(partial, lane, REDUCE_WG, 1, total);
  if (lane == 0) losses[loss_offset + i] += loss_scale * sum;
}
