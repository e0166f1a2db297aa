// activations.cl — the activations forward and backward, alone and fused with a layer's
// bias (activation_forward and activation_derivative are in common.cl, which the GEMM's
// epilogues share).

__kernel void activate(const int activation, const float slope, const __global float* x,
                       __global float* y, const int count) {
  const int i = get_global_id(0);
  if (i < count) y[i] = activation_forward(activation, slope, x[i]);
}

// dx = dy · f'(x), from y.
__kernel void activation_backward(const int activation, const float slope,
                                  const __global float* y, const __global float* dy,
                                  __global float* dx, const int count) {
  const int i = get_global_id(0);
  if (i < count) dx[i] = dy[i] * activation_derivative(activation, slope, y[i]);
}

// M[i, j] = f(M[i, j] + bias[j]) in place over a rows × columns matrix.
__kernel void bias_activate(const int activation, const float slope, const __global float* bias,
                            __global float* matrix, const int rows, const int columns) {
  const int index = get_global_id(0);
  if (index < rows * columns)
    matrix[index] = activation_forward(activation, slope, matrix[index] + bias[index % columns]);
}

// dX = dY ⊙ f'(Y) and bias_gradient[j] = Σ_i dX[i, j], the column sums laid out as in
// common.cl, so that each sum has a fixed order. Global size (columns rounded up to
// COLUMN_WG_COLUMNS) × COLUMN_WG_ROWS.
__kernel __attribute__((reqd_work_group_size(COLUMN_WG_COLUMNS, COLUMN_WG_ROWS, 1)))
void activation_backward_bias(const int activation, const float slope,
                              const __global float* y, const __global float* dy,
                              __global float* dx, const int rows, const int columns,
                              __global float* bias_gradient) {
  __local float partial[COLUMN_WG_ROWS * COLUMN_WG_COLUMNS];
  const int j = get_global_id(0);
  const int lane = get_local_id(1);
  float total = 0.0f;
  if (j < columns) {
    for (int i = lane; i < rows; i += COLUMN_WG_ROWS) {
      const size_t index = (size_t)i * columns + j;
      const float g = dy[index] * activation_derivative(activation, slope, y[index]);
      dx[index] = g;
      total += g;
    }
  }
  const float sum =
      tree_sum(partial + get_local_id(0), lane, COLUMN_WG_ROWS, COLUMN_WG_COLUMNS, total);
  if (lane == 0 && j < columns) bias_gradient[j] = sum;
}
