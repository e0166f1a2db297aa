// Independent work side by side (issue 26's "second queue"): a training step's graph term
// needs only the batch and its codes, so it can run while the discriminator steps. The
// model brackets it:
//
//     try backend.beginSideWork()      // the side work starts after everything queued so far
//     … operations on buffers the main work leaves alone …
//     try backend.endSideWork()
//     … the main work, which must not write what the side work reads, nor touch what it writes …
//     try backend.joinSideWork()       // what follows may read the side work's results
//
// The results are those of running everything in the order it was queued, on every
// backend: only when each operation starts changes. OpenCL runs the side work on a second
// in-order queue where the device gains from it (`OpenCLBackend.usesSideQueue`); a read
// or `synchronize` joins first. The CPU backend runs every operation as it is called, so
// these defaults do nothing.

extension Backend {
  public func beginSideWork() throws {}
  public func endSideWork() throws {}
  public func joinSideWork() throws {}
}
