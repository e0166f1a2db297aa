// The typed values of the command line's options: each choice is an enum of the library,
// parsed here once, so that a command never converts a string after validation and every
// help text lists the values from the enum itself.

import ArgumentParser
import Kernels
import SiGAH

extension HashMethod: ExpressibleByArgument {}
extension ActivationName: ExpressibleByArgument {}
extension EnergyKind: ExpressibleByArgument {}
extension SparsityKind: ExpressibleByArgument {}
extension GraphTermKind: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}

extension BackendChoice: ExpressibleByArgument {
  /// Any case: `--backend CPU` as `SIGAH_BACKEND=CPU` is read.
  public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}
