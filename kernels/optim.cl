// optim.cl — one Adam step in place (METHOD.md §3), L2 weight decay added to the gradient.
// c1 = 1/(1 − β1^t) and c2 = 1/(1 − β2^t) are computed on the host. One launch covers a
// player's whole parameter block; its first `decayed` elements (the weights) get the decay.

__kernel void adam_update(__global float* theta, const __global float* gradient,
                          __global float* m, __global float* v, const int count, const int decayed,
                          const float learning_rate, const float beta1, const float beta2,
                          const float epsilon, const float weight_decay, const float c1,
                          const float c2) {
  const int i = get_global_id(0);
  if (i >= count) return;
  const float g = gradient[i] + (i < decayed ? weight_decay : 0.0f) * theta[i];
  const float m_new = beta1 * m[i] + (1.0f - beta1) * g;
  const float v_new = beta2 * v[i] + (1.0f - beta2) * g * g;
  m[i] = m_new;
  v[i] = v_new;
  theta[i] -= learning_rate * (m_new * c1) / (sqrt(v_new * c2) + epsilon);
}
