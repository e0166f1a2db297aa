// Host copies of the uploads still in flight. A non-blocking clEnqueueWriteBuffer reads
// its host memory later, so each upload's values are copied here and freed once its event
// says the write is complete.

import COpenCL

final class StagingArea {
  /// Writes allowed in flight before an upload waits for the oldest: two lets the next
  /// streamed batch travel while the current one is computed on.
  static let inFlight = 2

  private var pending: [(memory: UnsafeMutableRawPointer, event: cl_event)] = []

  func add(_ memory: UnsafeMutableRawPointer, _ event: cl_event) {
    pending.append((memory, event))
  }

  /// Frees the finished writes; when `inFlight` are still outstanding, waits for the
  /// oldest. Returns whether it waited.
  func waitIfFull() throws -> Bool {
    pending.removeAll { entry in
      var status: cl_int = 0
      let query = clGetEventInfo(
        entry.event, cl_event_info(CL_EVENT_COMMAND_EXECUTION_STATUS), MemoryLayout<cl_int>.size, &status, nil)
      guard query == CL_SUCCESS, status == CL_COMPLETE else { return false }
      release(entry)
      return true
    }
    guard pending.count >= Self.inFlight else { return false }
    var oldest: cl_event? = pending[0].event
    try OpenCLStatus.check(clWaitForEvents(1, &oldest), "clWaitForEvents")
    release(pending.removeFirst())
    return true
  }

  /// Frees every copy; call only when the queue has finished (after a blocking read or
  /// clFinish).
  func releaseAll() {
    for entry in pending { release(entry) }
    pending.removeAll()
  }

  private func release(_ entry: (memory: UnsafeMutableRawPointer, event: cl_event)) {
    clReleaseEvent(entry.event)
    entry.memory.deallocate()
  }
}
