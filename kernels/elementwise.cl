// elementwise.cl — fills, broadcasts and element-wise arithmetic. One work-item an element.

__kernel void fill(__global float* x, const float value, const int count) {
  const int i = get_global_id(0);
  if (i < count) x[i] = value;
}

// out[i] = table[bytes[i]]: byte data uploaded as bytes, each value the host's Float for it.
__kernel void widen_bytes(const __global uchar* bytes, const __global float* table,
                          __global float* out, const int count) {
  const int i = get_global_id(0);
  if (i < count) out[i] = table[bytes[i]];
}

// M[i, j] += v[j] over a rows × columns matrix (global size rows·columns).
__kernel void add_row_vector(__global float* matrix, const __global float* vector,
                             const int rows, const int columns) {
  const int index = get_global_id(0);
  if (index < rows * columns) matrix[index] += vector[index % columns];
}

// M[i, j] *= s[i].
__kernel void scale_rows(__global float* matrix, const __global float* scales,
                         const int rows, const int columns) {
  const int index = get_global_id(0);
  if (index < rows * columns) matrix[index] *= scales[index / columns];
}

// z = alpha·x + beta·y (z may alias x or y: each work-item reads before it writes).
__kernel void linear_combination(const float alpha, const __global float* x, const float beta,
                                 const __global float* y, __global float* z, const int count) {
  const int i = get_global_id(0);
  if (i < count) z[i] = alpha * x[i] + beta * y[i];
}

__kernel void multiply(const __global float* x, const __global float* y, __global float* z,
                       const int count) {
  const int i = get_global_id(0);
  if (i < count) z[i] = x[i] * y[i];
}

// y = f(x) for the FUNCTION_* codes generated from Sources/OperationCodes; exp is
// exp(parameter·x).
__kernel void map(const int function, const float parameter, const __global float* x,
                  __global float* y, const int count) {
  const int i = get_global_id(0);
  if (i >= count) return;
  const float v = x[i];
  switch (function) {
    case FUNCTION_SIGN: y[i] = v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f); break;
    case FUNCTION_ABS: y[i] = fabs(v); break;
    case FUNCTION_SQUARE: y[i] = v * v; break;
    case FUNCTION_EXP: y[i] = exp(parameter * v); break;
    case FUNCTION_SOFTPLUS: y[i] = fmax(v, 0.0f) + log1p(exp(-fabs(v))); break;
    case FUNCTION_LOG: y[i] = log(fmax(v, FLT_MIN)); break;
    default: y[i] = NAN; break;
  }
}

// out[r, j] = source[indices[first + r], j] − mean[j] (mean only when has_mean): a batch
// gathered from a resident data set through a device-side permutation, centred on the way.
__kernel void gather_rows(const __global float* source, const __global int* indices,
                          const int first, const int rows, const int columns,
                          const int has_mean, const __global float* mean, __global float* out) {
  const int index = get_global_id(0);
  if (index >= rows * columns) return;
  const int r = index / columns;
  const int j = index - r * columns;
  const float value = source[(size_t)indices[first + r] * columns + j];
  out[index] = has_mean ? value - mean[j] : value;
}
