// Embeds kernels/*.cl into the OpenCL module at build time, so a built binary carries
// its OpenCL sources and the .cl files stay the single source of truth.
import Foundation
import PackagePlugin

@main
struct EmbedKernels: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
    let kernelFolder = context.package.directoryURL.appending(path: "kernels")
    let sources = try FileManager.default
      .contentsOfDirectory(at: kernelFolder, includingPropertiesForKeys: nil)
      .filter { $0.pathExtension == "cl" }
      .sorted { $0.lastPathComponent < $1.lastPathComponent }
    let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedKernelSources.swift")
    return [
      .buildCommand(
        displayName: "Embedding \(sources.count) OpenCL kernel files",
        executable: try context.tool(named: "KernelEmbedder").url,
        arguments: [output.path] + sources.map(\.path),
        inputFiles: sources,
        outputFiles: [output])
    ]
  }
}
