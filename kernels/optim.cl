// optim.cl — one Adam step in place (METHOD.md §3), L2 weight decay added to the gradient,
// and the self-controlled schedule's decision on the device (METHOD.md §9).
// c1 = 1/(1 − β1^t) and c2 = 1/(1 − β2^t) are computed on the host in Float64. One launch
// covers a player's whole parameter block; its first `decayed` elements (the weights) get
// the decay.

#ifndef REDUCE_WG
#define REDUCE_WG 64
#endif

inline void adam_element(__global float* theta, const __global float* gradient, __global float* m,
                         __global float* v, const int i, const int decayed,
                         const float learning_rate, const float beta1, const float beta2,
                         const float epsilon, const float weight_decay, const float c1,
                         const float c2) {
  const float g = gradient[i] + (i < decayed ? weight_decay : 0.0f) * theta[i];
  const float m_new = beta1 * m[i] + (1.0f - beta1) * g;
  const float v_new = beta2 * v[i] + (1.0f - beta2) * g * g;
  m[i] = m_new;
  v[i] = v_new;
  theta[i] -= learning_rate * (m_new * c1) / (sqrt(v_new * c2) + epsilon);
}

__kernel void adam_update(__global float* theta, const __global float* gradient,
                          __global float* m, __global float* v, const int count, const int decayed,
                          const float learning_rate, const float beta1, const float beta2,
                          const float epsilon, const float weight_decay, const float c1,
                          const float c2) {
  const int i = get_global_id(0);
  if (i >= count) return;
  adam_element(theta, gradient, m, v, i, decayed, learning_rate, beta1, beta2, epsilon,
               weight_decay, c1, c2);
}

// The same step where the schedule says so: schedule[2·slot] is the decision (0 or 1) and
// schedule[2·slot + 1] the player's steps taken so far, this one included, which picks the
// bias corrections (c1, c2) at corrections[2(t − 1)]. Nothing changes when the decision is
// 0 or t is outside the table.
__kernel void adam_update_gated(__global float* theta, const __global float* gradient,
                                __global float* m, __global float* v, const int count,
                                const int decayed, const float learning_rate, const float beta1,
                                const float beta2, const float epsilon, const float weight_decay,
                                const __global int* schedule, const int slot,
                                const __global float* corrections, const int table_steps) {
  const int i = get_global_id(0);
  const int t = schedule[2 * slot + 1];
  if (i >= count || schedule[2 * slot] == 0 || t < 1 || t > table_steps) return;
  adam_element(theta, gradient, m, v, i, decayed, learning_rate, beta1, beta2, epsilon,
               weight_decay, corrections[2 * (t - 1)], corrections[2 * (t - 1) + 1]);
}

// Algorithm 1's decision for one player: taken = (mean of σ(logits[offset + i]) over `count`
// > threshold); schedule[2·slot] = taken and schedule[2·slot + 1] += taken. One work-group
// of REDUCE_WG; lane i sums elements i, i + REDUCE_WG, …, then a tree adds the lanes.
__kernel __attribute__((reqd_work_group_size(REDUCE_WG, 1, 1)))
void score_gate(const __global float* logits, const int offset, const int count,
                const float threshold, __global int* schedule, const int slot) {
  __local float sums[REDUCE_WG];
  const int lane = get_local_id(0);
  float sum = 0.0f;
  for (int i = lane; i < count; i += REDUCE_WG) sum += 1.0f / (1.0f + exp(-logits[offset + i]));
  sums[lane] = sum;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int width = REDUCE_WG / 2; width > 0; width /= 2) {
    if (lane < width) sums[lane] += sums[lane + width];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (lane == 0) {
    const int taken = sums[0] / (float)count > threshold;
    schedule[2 * slot] = taken;
    schedule[2 * slot + 1] += taken;
  }
}
