// random.cl — the counter-based random fill: element i from a hash of i and the call's key
// (CounterHash in Sources/Backend/OperationTypes.swift computes the same on the host).

inline uint counter_mix(uint value) {
  const uint state = value * 747796405u + 2891336453u;
  const uint word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

inline uint counter_bits(uint key, int index, int lane) {
  return counter_mix(counter_mix((uint)(2 * index + lane)) ^ key) >> 8u;
}

// distribution: RANDOM_*; parameter: the Gaussian's deviation; threshold: a Bernoulli's
// probability times 2^24.
__kernel void fill_random(__global float* out, const int count, const int distribution,
                          const float parameter, const uint threshold, const uint key) {
  const int i = get_global_id(0);
  if (i >= count) return;
  const uint first = counter_bits(key, i, 0);
  switch (distribution) {
    case RANDOM_UNIFORM: out[i] = (float)first * 0x1p-24f; break;
    case RANDOM_BERNOULLI: out[i] = first < threshold ? 1.0f : 0.0f; break;
    case RANDOM_GAUSSIAN: {
      const float u1 = ((float)first + 1.0f) * 0x1p-24f;
      const float u2 = (float)counter_bits(key, i, 1) * 0x1p-24f;
      out[i] = parameter * sqrt(-2.0f * log(u1)) * cos(2.0f * M_PI_F * u2);
      break;
    }
    default: out[i] = NAN; break;
  }
}
