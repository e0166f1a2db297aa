// Fits that hold the whole training set in one buffer (PCA, ITQ, SiGAH-DM's start) on a
// device whose buffers are smaller than the set: they run in host memory, where the set
// already is, on the CPU backend; the learned methods' epochs still stream to the device.

import Backend

enum HostFallback {
  /// `backend` when `data` fits one of its buffers, else a CPU backend.
  static func backend(for data: Matrix, preferring backend: any Backend) throws -> any Backend {
    let bytes = CheckedSize.product([data.rows, data.columns, MemoryLayout<Float>.stride])
    if let bytes, bytes <= backend.largestBuffer { return backend }
    return try CPUBackend()
  }
}
