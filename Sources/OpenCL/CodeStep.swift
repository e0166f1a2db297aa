// Launcher for kernels/code_step.cl.

import Backend

extension OpenCLBackend {
  public func uncheckedFlipCodeBits(
    _ codes: DeviceBuffer<Float>, firstRow: Int, rows: Int, bits: Int, projections: DeviceBuffer<Float>,
    shift: DeviceBuffer<Float>, scores: DeviceBuffer<Float>, gram: DeviceBuffer<Float>, penalty: Float, passes: Int,
    flips: DeviceBuffer<Float>, mismatches: DeviceBuffer<Float>
  ) throws {
    let operation = "flipCodeBits"
    let localBytes = 3 * bits * MemoryLayout<Float>.size + MemoryLayout<Int32>.size
    guard UInt64(localBytes) <= device.localMemoryBytes else {
      throw BackendError.invalidArgument(
        operation: operation,
        message: "\(bits)-bit codes need \(localBytes) bytes of local memory; the device has \(device.localMemoryBytes)"
      )
    }
    // One work-group a row: the Hamming group size (one lane on CPU devices, whose barriers
    // cost a loop each), no wider than the bits need.
    var group = 1
    while group < bits && group * 2 <= min(tuning.hammingGroupSize, device.maxWorkGroupSize) { group *= 2 }
    let floats = bits * MemoryLayout<Float>.size
    try launch(
      "flip_code_bits", file: "code_step", global: [rows * group], local: [group],
      [
        .memory(try memory(codes, operation, "codes")), .int(firstRow), .int(bits),
        .memory(try memory(projections, operation, "projections")), .memory(try memory(shift, operation, "shift")),
        .memory(try memory(scores, operation, "scores")), .memory(try memory(gram, operation, "gram")),
        .float(penalty), .int(passes), .memory(try memory(flips, operation, "flips")),
        .memory(try memory(mismatches, operation, "mismatches")), .local(bytes: floats), .local(bytes: floats),
        .local(bytes: floats), .local(bytes: MemoryLayout<Int32>.size),
      ])
  }
}
