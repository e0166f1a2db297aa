// Host copies of the uploads still in flight. A non-blocking clEnqueueWriteBuffer reads
// its host memory later, so each upload's values are copied here first. The copies live in
// one ring of page-locked memory (a CL_MEM_ALLOC_HOST_PTR buffer mapped once, NVIDIA's
// pinned-memory pattern): a driver transfers from it by DMA at the bus's speed, where
// from ordinary (pageable) memory it first copies again into a pinned buffer of its own.
// A region of the ring is reused once the write that read it has completed; where no
// pinned buffer can be made, the ring is ordinary memory and everything else is the same.

import COpenCL

public final class StagingArea {
  /// Host bytes allowed in flight before an upload waits for the oldest writes: room for
  /// the next streamed batches to travel while the current one is computed on, and for
  /// the many small writes of a step or a validation (a hash function is three), bounded
  /// so that streaming a large data set never piles up in host memory.
  public static let bytesInFlight = 32 << 20
  /// The largest piece of one upload: a larger upload is written in pieces, so that the
  /// next piece's copy overlaps the previous piece's transfer.
  static let largestPiece = bytesInFlight / 4
  private static let alignment = 64

  private let queue: cl_command_queue
  private let ring: UnsafeMutableRawPointer
  /// The mapped pinned buffer behind `ring`, or nil when `ring` is ordinary memory.
  private let pinned: cl_mem?
  /// Writes still in flight, oldest first (an in-order queue completes them in order).
  private var pending: [(offset: Int, bytes: Int, event: cl_event)] = []
  /// Where the next region starts.
  private var head = 0

  init(context: cl_context, queue: cl_command_queue) {
    // Held here too: the backend releases its queue before its stored properties go, and
    // the ring is unmapped on this queue.
    clRetainCommandQueue(queue)
    self.queue = queue
    var status: cl_int = 0
    let capacity = Self.bytesInFlight
    if let memory = clCreateBuffer(
      context, cl_mem_flags(CL_MEM_READ_ONLY | CL_MEM_ALLOC_HOST_PTR), capacity, nil, &status),
      status == CL_SUCCESS
    {
      let mapped = clEnqueueMapBuffer(
        queue, memory, cl_bool(CL_TRUE), cl_map_flags(CL_MAP_WRITE), 0, capacity, 0, nil, nil, &status)
      if status == CL_SUCCESS, let mapped {
        (ring, pinned) = (mapped, memory)
        return
      }
      clReleaseMemObject(memory)
    }
    (ring, pinned) = (UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: Self.alignment), nil)
  }

  deinit {
    releaseAll()
    if let pinned {
      clEnqueueUnmapMemObject(queue, pinned, ring, 0, nil, nil)
      clFinish(queue)
      clReleaseMemObject(pinned)
    } else {
      ring.deallocate()
    }
    clReleaseCommandQueue(queue)
  }

  /// Whether the ring is page-locked memory (`sigah devices --details` says so).
  var isPinned: Bool { pinned != nil }

  /// Room for `bytes` (at most `largestPiece`) in the ring: frees the regions of finished
  /// writes, then waits for the oldest while there is no room. Returns the region's start
  /// (for `add`), its memory, and whether it waited.
  func reserve(_ bytes: Int) throws -> (offset: Int, memory: UnsafeMutableRawPointer, waited: Bool) {
    precondition(bytes > 0 && bytes <= Self.largestPiece)
    let size = (bytes + Self.alignment - 1) / Self.alignment * Self.alignment
    while let oldest = pending.first, Self.isComplete(oldest.event) { clReleaseEvent(pending.removeFirst().event) }
    var waited = false
    while true {
      if let start = freeStart(for: size) { return (start, ring + start, waited) }
      var oldest: cl_event? = pending[0].event
      try OpenCLStatus.check(clWaitForEvents(1, &oldest), "clWaitForEvents")
      clReleaseEvent(pending.removeFirst().event)
      waited = true
    }
  }

  /// Records the write that reads the region `reserve` gave.
  func add(offset: Int, bytes: Int, event: cl_event) {
    let size = (bytes + Self.alignment - 1) / Self.alignment * Self.alignment
    pending.append((offset, size, event))
    head = offset + size
  }

  /// Frees every region; call only when the queue has finished (after a blocking read or
  /// clFinish).
  func releaseAll() {
    for entry in pending { clReleaseEvent(entry.event) }
    pending.removeAll()
    head = 0
  }

  /// Where `size` bytes fit without touching a region in flight, or nil. The regions in
  /// flight run from the oldest's start to `head`, wrapping at the end of the ring.
  private func freeStart(for size: Int) -> Int? {
    let capacity = Self.bytesInFlight
    guard let oldest = pending.first?.offset else {
      head = 0
      return 0
    }
    if head > oldest {
      if capacity - head >= size { return head }
      return oldest >= size ? 0 : nil
    }
    // head ≤ oldest: the free space is between them (none when they meet: full).
    return head < oldest && oldest - head >= size ? head : nil
  }

  private static func isComplete(_ event: cl_event) -> Bool {
    var status: cl_int = 0
    let query = clGetEventInfo(
      event, cl_event_info(CL_EVENT_COMMAND_EXECUTION_STATUS), MemoryLayout<cl_int>.size, &status, nil)
    return query == CL_SUCCESS && status == CL_COMPLETE
  }
}
