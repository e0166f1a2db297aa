// Rows streamed from the host into an encoder a block at a time, through two device
// buffers in turn: block i + 1 is uploaded as side work (Backend+SideWork.swift) before
// block i's work is queued, so that on a device with a second queue the transfer of one
// block overlaps the encoding of the one before it. Every operation is the plain order's,
// so the codes are too, on every backend.

import Backend

/// The stream's spare buffer, made on first need (a call of one block never needs it) and
/// grown with the blocks, and its byte staging.
final class BlockUploads {
  let backend: any Backend
  let staging = ByteStaging()
  private var spare: DeviceBuffer<Float>?

  init(backend: any Backend) { self.backend = backend }

  /// Uploads `data`'s blocks of `blockRows` rows into `first` and the spare in turn
  /// (`blockRows × columns` floats each) and calls `body` with each block and the buffer
  /// that holds it, once its upload is ordered before what `body` queues.
  func stream(
    _ data: EncoderRows, blockRows: Int, first: DeviceBuffer<Float>,
    _ body: (Range<Int>, DeviceBuffer<Float>) throws -> Void
  ) throws {
    let blocks = data.rowBlocks(blockRows)
    guard let head = blocks.first else { return }
    let capacity = blockRows * data.columns
    if blocks.count > 1, (spare?.count ?? 0) < capacity { spare = try backend.makeBuffer(Float.self, count: capacity) }
    let buffers = [first, spare ?? first]
    try data.upload(head, into: first, staging: staging, capacity: capacity, backend: backend)
    for (index, block) in blocks.enumerated() {
      try backend.joinSideWork()  // this block's upload
      if index + 1 < blocks.count {
        // The buffer's last reader, block i − 1's work, is already queued: the side work
        // starts after it.
        try backend.beginSideWork()
        try data.upload(
          blocks[index + 1], into: buffers[(index + 1) % 2], staging: staging, capacity: capacity, backend: backend)
        try backend.endSideWork()
      }
      try body(block, buffers[index % 2])
    }
  }
}
