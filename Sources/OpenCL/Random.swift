// Launcher for kernels/random.cl.

import Backend

extension OpenCLBackend {
  public func uncheckedFillRandom(
    _ buffer: DeviceBuffer<Float>, count: Int, _ distribution: RandomDistribution, key: UInt32
  ) throws {
    let (code, parameter) = distribution.code
    try launch(
      "fill_random", file: "random", global: [count],
      try arguments("fillRandom", [("out", buffer)]) + [
        .int(count), .int(Int(code.rawValue)), .float(parameter),
        .uint(CounterHash.threshold(probability: parameter)), .uint(key),
      ])
  }
}
