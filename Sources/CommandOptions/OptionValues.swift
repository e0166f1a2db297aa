// The typed values of the command line's options: each choice is an enum of the library,
// parsed here once, so that a command never converts a string after validation and every
// help text lists the values from the enum itself.

import ArgumentParser
import Foundation
import OpenCL
import SiGAH

extension HashMethod: ExpressibleByArgument {}
extension Metric: ExpressibleByArgument {}
extension ActivationName: ExpressibleByArgument {}
extension EnergyKind: ExpressibleByArgument {}
extension SparsityKind: ExpressibleByArgument {}
extension GraphTermKind: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}

extension BackendChoice: ExpressibleByArgument {
  /// Any case: `--backend CPU` as `SIGAH_BACKEND=CPU` is read.
  public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

/// Methods as a comma-separated list ("lsh,itq,sigah"): `eval --methods`.
public struct MethodList: ExpressibleByArgument, Sendable, Equatable {
  public let values: [HashMethod]

  public init(_ values: [HashMethod]) { self.values = values }

  public init?(argument: String) {
    let names = argument.split(separator: ",", omittingEmptySubsequences: false)
    let methods = names.compactMap { HashMethod(argument: $0.trimmingCharacters(in: .whitespaces)) }
    guard !methods.isEmpty, methods.count == names.count else { return nil }
    values = methods
  }

  public var defaultValueDescription: String { values.map(\.rawValue).joined(separator: ",") }
  public static var allValueStrings: [String] { HashMethod.allValueStrings }
}

/// A comma-separated list of Ks, each at least 1 ("10,100,1000").
public struct KList: ExpressibleByArgument, Sendable, Equatable {
  public let values: [Int]

  public init?(argument: String) {
    let values = argument.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) >= 1 }) else { return nil }
    self.values = values.map { $0! }
  }
}

/// Seeds as a comma-separated list ("0,1,2"): `eval --seeds`, `ablation --seeds`.
public struct SeedList: ExpressibleByArgument, Sendable, Equatable {
  public let values: [UInt64]

  public init?(argument: String) {
    let values = argument.split(separator: ",", omittingEmptySubsequences: false).map {
      UInt64($0.trimmingCharacters(in: .whitespaces))
    }
    guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { return nil }
    self.values = values.map { $0! }
  }
}
