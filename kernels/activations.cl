// activations.cl — LeakyReLU, ReLU, tanh, sigmoid and identity, forward and backward.
// activation: 0 leaky ReLU (slope), 1 ReLU, 2 tanh, 3 sigmoid, 4 identity; codes match
// Sources/Kernels/Activations.swift. Every one is monotone, so the backward pass needs
// only the forward output y.

__kernel void activate(const int activation, const float slope, const __global float* x,
                       __global float* y, const int count) {
  const int i = get_global_id(0);
  if (i >= count) return;
  const float v = x[i];
  switch (activation) {
    case 0: y[i] = v > 0.0f ? v : slope * v; break;
    case 1: y[i] = v > 0.0f ? v : 0.0f; break;
    case 2: y[i] = tanh(v); break;
    case 3: y[i] = 1.0f / (1.0f + exp(-v)); break;
    default: y[i] = v; break;
  }
}

// dx = dy · f'(x), with f' written in terms of y = f(x).
__kernel void activation_backward(const int activation, const float slope,
                                  const __global float* y, const __global float* dy,
                                  __global float* dx, const int count) {
  const int i = get_global_id(0);
  if (i >= count) return;
  const float out = y[i];
  const float g = dy[i];
  switch (activation) {
    case 0: dx[i] = out > 0.0f ? g : slope * g; break;
    case 1: dx[i] = out > 0.0f ? g : 0.0f; break;
    case 2: dx[i] = g * (1.0f - out * out); break;
    case 3: dx[i] = g * out * (1.0f - out); break;
    default: dx[i] = g; break;
  }
}
