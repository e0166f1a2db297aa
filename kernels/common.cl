// common.cl — helpers every kernel file may use; prepended to each program after the
// generated operation codes.

// The sum of `lanes` partials (a power of two) in local memory, in a fixed tree order, so
// that a sum never depends on scheduling. Lane i's partial sits at partial[i · stride];
// every work-item that holds a lane must call it, and all of them get the total.
inline float tree_sum(__local float* partial, const int lane, const int lanes, const int stride,
                      const float value) {
  partial[lane * stride] = value;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int width = lanes / 2; width > 0; width /= 2) {
    if (lane < width) partial[lane * stride] += partial[(lane + width) * stride];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  const float total = partial[0];
  barrier(CLK_LOCAL_MEM_FENCE);  // the caller may reuse the partials
  return total;
}

// Column sums of a rows × columns matrix share one layout: work-groups of COLUMN_WG_COLUMNS
// columns × COLUMN_WG_ROWS row lanes; lane r of column j adds rows r, r + COLUMN_WG_ROWS, …
// (coalesced across columns), then the lanes' partials are tree-summed. One row lane is
// the plain serial loop, best where work-items are threads of a CPU.
#ifndef COLUMN_WG_COLUMNS
#define COLUMN_WG_COLUMNS 16
#endif
#ifndef COLUMN_WG_ROWS
#define COLUMN_WG_ROWS 1
#endif

// The activations (METHOD.md §1), by the ACTIVATION_* codes generated from
// Sources/OperationCodes. Every one is monotone, so its derivative is written in terms of
// the output y = f(x), which is what a backward pass keeps.
#define SELU_SCALE 1.0507009873554805f
#define SELU_ALPHA 1.6732632423543772f

inline float activation_forward(const int activation, const float slope, const float v) {
  switch (activation) {
    case ACTIVATION_LEAKY_RELU: return v > 0.0f ? v : slope * v;
    case ACTIVATION_RELU: return v > 0.0f ? v : 0.0f;
    case ACTIVATION_TANH: return tanh(v);
    case ACTIVATION_SIGMOID: return 1.0f / (1.0f + exp(-v));
    case ACTIVATION_IDENTITY: return v;
    case ACTIVATION_SELU: return v > 0.0f ? SELU_SCALE * v : SELU_SCALE * SELU_ALPHA * (exp(v) - 1.0f);
    default: return NAN;  // an unknown code shows as NaN, never as a silent identity
  }
}

// f'(x) written in terms of y = f(x).
inline float activation_derivative(const int activation, const float slope, const float y) {
  switch (activation) {
    case ACTIVATION_LEAKY_RELU: return y > 0.0f ? 1.0f : slope;
    case ACTIVATION_RELU: return y > 0.0f ? 1.0f : 0.0f;
    case ACTIVATION_TANH: return 1.0f - y * y;
    case ACTIVATION_SIGMOID: return y * (1.0f - y);
    case ACTIVATION_IDENTITY: return 1.0f;
    case ACTIVATION_SELU: return y > 0.0f ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA;
    default: return NAN;
  }
}
