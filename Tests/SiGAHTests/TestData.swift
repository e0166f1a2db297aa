// Where the bundled data sets are, relative to this file.

import Foundation

@testable import SiGAH

enum TestData {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

  static var mnistImages: String { path("data/mnist/t10k-images-idx3-ubyte.gz") }
  static var siftBase: String { path("data/siftsmall/siftsmall_base.fvecs") }
  static var siftQueries: String { path("data/siftsmall/siftsmall_query.fvecs") }
  static var siftGroundTruth: String { path("data/siftsmall/siftsmall_groundtruth.ivecs") }

  /// The first 2,000 SIFT10K base vectors (d = 128), loaded once for every suite.
  static let sift2000: Result<Matrix, Error> = Result {
    try Dataset.load(siftBase).vectors.rows(0..<2000)
  }
}
