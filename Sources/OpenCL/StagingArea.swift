// Host copies of the uploads still in flight. A non-blocking clEnqueueWriteBuffer reads
// its host memory later, so each upload's values are copied here and freed once its event
// says the write is complete.

import COpenCL

final class StagingArea {
  /// Host bytes allowed in flight before an upload waits for the oldest writes: room for
  /// the next streamed batches to travel while the current one is computed on, and for
  /// the many small writes of a step or a validation (a hash function is three), bounded
  /// so that streaming a large data set never piles up in host memory.
  static let bytesInFlight = 32 << 20

  private var pending: [(memory: UnsafeMutableRawPointer, event: cl_event, bytes: Int)] = []
  private var pendingBytes = 0

  func add(_ memory: UnsafeMutableRawPointer, _ event: cl_event, bytes: Int) {
    pending.append((memory, event, bytes))
    pendingBytes += bytes
  }

  /// Frees the finished writes; then, while `bytes` more would exceed `bytesInFlight`,
  /// waits for the oldest. Returns whether it waited.
  func makeRoom(for bytes: Int) throws -> Bool {
    pending.removeAll { entry in
      var status: cl_int = 0
      let query = clGetEventInfo(
        entry.event, cl_event_info(CL_EVENT_COMMAND_EXECUTION_STATUS), MemoryLayout<cl_int>.size, &status, nil)
      guard query == CL_SUCCESS, status == CL_COMPLETE else { return false }
      release(entry)
      return true
    }
    var waited = false
    while !pending.isEmpty && pendingBytes + bytes > Self.bytesInFlight {
      var oldest: cl_event? = pending[0].event
      try OpenCLStatus.check(clWaitForEvents(1, &oldest), "clWaitForEvents")
      release(pending.removeFirst())
      waited = true
    }
    return waited
  }

  /// Frees every copy; call only when the queue has finished (after a blocking read or
  /// clFinish).
  func releaseAll() {
    for entry in pending { release(entry) }
    pending.removeAll()
  }

  private func release(_ entry: (memory: UnsafeMutableRawPointer, event: cl_event, bytes: Int)) {
    clReleaseEvent(entry.event)
    entry.memory.deallocate()
    pendingBytes -= entry.bytes
  }
}
