// graph.cl — pairwise distances from a Gram matrix, the core of the batch graph
// similarity S = exp(−σ·‖x_i − x_j‖) (SPEC §2, paper Eq. 17) and of exact ground truth.
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
