// Side work (Backend+SideWork.swift) on a second in-order queue. Events order the two:
// the side queue starts behind a marker of everything queued on the main one before
// `beginSideWork`, and the main queue waits at `joinSideWork` for a marker after the side
// work. Each queue is flushed before the other waits on its event, as OpenCL requires
// for a wait across queues. Without `usesSideQueue` the three calls do nothing, and the
// side work runs in order on the main queue.

import Backend
import COpenCL

extension OpenCLBackend {
  public func beginSideWork() throws {
    guard usesSideQueue, !sideActive else { return }
    try joinSideWork()  // one side span at a time
    if sideQueue == nil { sideQueue = try Self.makeQueue(context: context, device: device, profiling: profiling) }
    var fork: cl_event?
    try OpenCLStatus.check(clEnqueueMarkerWithWaitList(mainQueue, 0, nil, &fork), "clEnqueueMarkerWithWaitList")
    defer { if let fork { clReleaseEvent(fork) } }
    try OpenCLStatus.check(clFlush(mainQueue), "clFlush")
    try OpenCLStatus.check(clEnqueueBarrierWithWaitList(sideQueue, 1, &fork, nil), "clEnqueueBarrierWithWaitList")
    sideActive = true
    sideSpans += 1
  }

  public func endSideWork() throws {
    guard sideActive else { return }
    sideActive = false
    var done: cl_event?
    try OpenCLStatus.check(clEnqueueMarkerWithWaitList(sideQueue, 0, nil, &done), "clEnqueueMarkerWithWaitList")
    sideDone = done
    try OpenCLStatus.check(clFlush(sideQueue), "clFlush")
  }

  public func joinSideWork() throws {
    try endSideWork()
    guard let done = sideDone else { return }
    sideDone = nil
    defer { clReleaseEvent(done) }
    var waitList: cl_event? = done
    try OpenCLStatus.check(
      clEnqueueBarrierWithWaitList(mainQueue, 1, &waitList, nil), "clEnqueueBarrierWithWaitList")
  }
}

extension OpenCLBackend {
  /// Two backends of device `deviceIndex` with `tuning` but for the side queue, on and
  /// then off: what `sigah tune` chooses between and `sigah bench` compares.
  public static func withAndWithoutSideQueue(deviceIndex: Int, tuning: OpenCLTuning) throws -> [(
    sideQueue: Bool, backend: OpenCLBackend
  )] {
    try [true, false].map { sideQueue in
      var tuning = tuning
      tuning.sideQueue = sideQueue
      return (sideQueue, try OpenCLBackend(deviceIndex: deviceIndex, tuning: tuning))
    }
  }
}
