// CPU backend: the counter-based random fill.

extension CPUBackend {
  public func uncheckedFillRandom(
    _ buffer: DeviceBuffer<Float>, count: Int, _ distribution: RandomDistribution, key: UInt32
  ) throws {
    let out = try pointer(buffer, "fillRandom", "buffer")
    let (code, parameter) = distribution.code
    let threshold = CounterHash.threshold(probability: parameter)
    elements(count) { range in
      for i in range {
        out[i] = CounterHash.value(code, parameter: parameter, threshold: threshold, key: key, index: i)
      }
    }
  }
}
