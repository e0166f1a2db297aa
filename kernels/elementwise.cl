// elementwise.cl — fills, broadcasts and element-wise arithmetic. One work-item an element.

__kernel void fill(__global float* x, const float value, const int count) {
  const int i = get_global_id(0);
  if (i < count) x[i] = value;
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

// y = f(x); function: 0 sign, 1 abs, 2 square, 3 exp(parameter·x). Codes match
// UnaryFunction's launcher in Sources/Kernels/Elementwise.swift.
__kernel void map(const int function, const float parameter, const __global float* x,
                  __global float* y, const int count) {
  const int i = get_global_id(0);
  if (i >= count) return;
  const float v = x[i];
  switch (function) {
    case 0: y[i] = v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f); break;
    case 1: y[i] = fabs(v); break;
    case 2: y[i] = v * v; break;
    default: y[i] = exp(parameter * v); break;
  }
}
