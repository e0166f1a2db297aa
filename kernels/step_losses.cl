// step_losses.cl — the row-wise fused operations of a training step (METHOD.md §1–3): the
// discriminator's energy loss, the reconstruction and penalty gradients and the hash
// layer's last step back. One work-group owns one row: it sums the row's loss in the fixed
// tree order of common.cl and adds it to the row's own element of the loss rows, so a step
// needs no separate reduction launch and every run gives the same sums.

#ifndef REDUCE_WG
#define REDUCE_WG 64
#endif

// ρ(v) and ρ'(v) of a penalty: v² and 2v, or |v| and sign(v) (0 at 0).
inline float penalty_value(const int kind, const float v) {
  return kind == REDUCTION_SUM_OF_SQUARES ? v * v : fabs(v);
}
inline float penalty_slope(const int kind, const float v) {
  if (kind == REDUCTION_SUM_OF_SQUARES) return 2.0f * v;
  return v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f);
}

// e_i = energy_scale·‖R_i − A_i‖²; rows below hinge_from lose e_i (slope 1), the others
// max(0, margin − e_i) (slope −1 inside the margin). dR_i = gradient_scale·slope·2·
// energy_scale·(R_i − A_i), subtracted from dA when has_input_gradient.
__kernel __attribute__((reqd_work_group_size(REDUCE_WG, 1, 1)))
void energy_loss(const __global float* r, const __global float* a, const int columns,
                 const float energy_scale, const int hinge_from, const float margin,
                 const float gradient_scale, __global float* dr, const int has_input_gradient,
                 __global float* da, __global float* losses, const int loss_offset,
                 const float loss_scale) {
  __local float partial[REDUCE_WG];
  const int i = get_group_id(0);
  const int lane = get_local_id(0);
  const size_t base = (size_t)i * columns;
  float squares = 0.0f;
  for (int j = lane; j < columns; j += REDUCE_WG) {
    const float residual = r[base + j] - a[base + j];
    squares += residual * residual;
  }
  const float energy = energy_scale * tree_sum(partial, lane, REDUCE_WG, 1, squares);
  const float gap = margin - energy;
  const float loss = i < hinge_from ? energy : (gap > 0.0f ? gap : 0.0f);
  const float slope = i < hinge_from ? 1.0f : (gap > 0.0f ? -1.0f : 0.0f);
  const float factor = gradient_scale * slope * 2.0f * energy_scale;
  for (int j = lane; j < columns; j += REDUCE_WG) {
    const float g = (r[base + j] - a[base + j]) * factor;
    dr[base + j] = g;
    if (has_input_gradient) da[base + j] -= g;
  }
  if (lane == 0) losses[loss_offset + i] += loss_scale * loss;
}

// gradient = gradient_scale·(X − T); the row's ‖X_i − T_i‖² to its loss.
__kernel __attribute__((reqd_work_group_size(REDUCE_WG, 1, 1)))
void squared_error_loss(const __global float* x, const __global float* target, const int columns,
                        const float gradient_scale, __global float* gradient,
                        __global float* losses, const int loss_offset, const float loss_scale) {
  __local float partial[REDUCE_WG];
  const int i = get_group_id(0);
  const int lane = get_local_id(0);
  const size_t base = (size_t)i * columns;
  float squares = 0.0f;
  for (int j = lane; j < columns; j += REDUCE_WG) {
    const float difference = x[base + j] - target[base + j];
    squares += difference * difference;
    gradient[base + j] = gradient_scale * difference;
  }
  const float total = tree_sum(partial, lane, REDUCE_WG, 1, squares);
  if (lane == 0) losses[loss_offset + i] += loss_scale * total;
}

// gradient = (accumulate ? gradient : 0) + gradient_scale·ρ'(X); the row's Σρ to its loss.
__kernel __attribute__((reqd_work_group_size(REDUCE_WG, 1, 1)))
void penalty_gradient(const __global float* x, const int columns, const int kind,
                      const float gradient_scale, const int accumulate, __global float* gradient,
                      __global float* losses, const int loss_offset, const float loss_scale) {
  __local float partial[REDUCE_WG];
  const int i = get_group_id(0);
  const int lane = get_local_id(0);
  const size_t base = (size_t)i * columns;
  float total = 0.0f;
  for (int j = lane; j < columns; j += REDUCE_WG) {
    const float v = x[base + j];
    total += penalty_value(kind, v);
    const float step = gradient_scale * penalty_slope(kind, v);
    gradient[base + j] = accumulate ? gradient[base + j] + step : step;
  }
  const float sum = tree_sum(partial, lane, REDUCE_WG, 1, total);
  if (lane == 0) losses[loss_offset + i] += loss_scale * sum;
}

// ∂L/∂Z of the hash layer from ∂L/∂H (in gradient), the quantisation penalty on H and the
// graph term: L = −S·H becomes (Diag(S1) − S)·H in place, ∂/∂H += graph_scale·L, the
// row's Σ H⊙L to the graph loss; then the sum times f'(Z) from H = f(Z).
__kernel __attribute__((reqd_work_group_size(REDUCE_WG, 1, 1)))
void code_gradient(const __global float* h, const int bits, __global float* gradient,
                   const int has_quantisation, const int quantisation_kind,
                   const float quantisation_scale, __global float* quantisation_losses,
                   const int quantisation_offset, const float quantisation_loss_scale,
                   const int has_graph, __global float* negated_products,
                   const __global float* degrees, const float graph_scale,
                   __global float* graph_losses, const int graph_offset,
                   const float graph_loss_scale, const int activation, const float slope) {
  __local float partial[REDUCE_WG];
  const int i = get_group_id(0);
  const int lane = get_local_id(0);
  const size_t base = (size_t)i * bits;
  float graph_total = 0.0f;
  float penalty_total = 0.0f;
  for (int k = lane; k < bits; k += REDUCE_WG) {
    const float value = h[base + k];
    float total = gradient[base + k];
    if (has_graph) {
      const float laplacian = negated_products[base + k] + degrees[i] * value;
      negated_products[base + k] = laplacian;
      graph_total += value * laplacian;
      total += graph_scale * laplacian;
    }
    if (has_quantisation) {
      penalty_total += penalty_value(quantisation_kind, value);
      total += quantisation_scale * penalty_slope(quantisation_kind, value);
    }
    gradient[base + k] = total * activation_derivative(activation, slope, value);
  }
  // Both sums always run: a barrier is reached by every work-item or by none.
  const float graph_sum = tree_sum(partial, lane, REDUCE_WG, 1, graph_total);
  const float penalty_sum = tree_sum(partial, lane, REDUCE_WG, 1, penalty_total);
  if (lane == 0 && has_graph) graph_losses[graph_offset + i] += graph_loss_scale * graph_sum;
  if (lane == 0 && has_quantisation)
    quantisation_losses[quantisation_offset + i] += quantisation_loss_scale * penalty_sum;
}

// Binary cross-entropy of `count` logits x from `offset` against one target t (METHOD.md
// §7): loss_scale·Σ (softplus(x) − t·x) added to accumulator[index] when has_accumulator,
// and gradient[gradient_offset + i] = gradient_scale·(σ(x_i) − t) + beta·(its old value;
// never read when beta is 0) when has_gradient. One work-group: the sum's order is fixed.
__kernel __attribute__((reqd_work_group_size(REDUCE_WG, 1, 1)))
void binary_cross_entropy(const __global float* logits, const int offset, const int count,
                          const float target, const float loss_scale, const int has_accumulator,
                          __global float* accumulator, const int index, const int has_gradient,
                          __global float* gradient, const int gradient_offset,
                          const float gradient_scale, const float beta) {
  __local float partial[REDUCE_WG];
  const int lane = get_local_id(0);
  float total = 0.0f;
  for (int i = lane; i < count; i += REDUCE_WG) {
    const float x = logits[offset + i];
    total += fmax(x, 0.0f) + log1p(exp(-fabs(x))) - target * x;
    if (has_gradient) {
      const float term = gradient_scale * (1.0f / (1.0f + exp(-x)) - target);
      gradient[gradient_offset + i] = beta == 0.0f ? term : term + beta * gradient[gradient_offset + i];
    }
  }
  const float sum = tree_sum(partial, lane, REDUCE_WG, 1, total);
  if (lane == 0 && has_accumulator) accumulator[index] += loss_scale * sum;
}
