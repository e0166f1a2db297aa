// The progress line: no rate over the first instants of a run (a batch done in
// microseconds once showed 28,532,680 samples/s), then rate and ETA.

import Testing

@testable import CLI

struct ProgressTests {
  @Test func theFirstTickShowsNoRate() {
    let progress = Progress("training", total: 10_000, unit: "samples", quiet: true)
    let first = progress.status(done: 500, elapsed: 0.0000175)
    #expect(first.contains("measuring rate") && !first.contains("samples/s"), "\(first)")
    let later = progress.status(done: 5_000, elapsed: 2)
    #expect(later.contains("2500 samples/s") && later.contains("ETA 2s"), "\(later)")
  }
}
