import ArgumentParser
import Foundation
import Study

struct CacheCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cache",
    abstract: "See what the cache holds, or prune the entries no study uses.",
    subcommands: [CacheInfoCommand.self, CachePruneCommand.self])
}

/// The cache folder option of `cache info` and `cache prune`.
struct CacheFolderOption: ParsableArguments {
  @Option(help: ArgumentHelp("The folder of the cell and run cache.", valueName: "dir"))
  var cache = ".cache/mnist-report"
}

struct CacheInfoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info", abstract: "Print the cache's size and entries, kind by kind.")

  @OptionGroup var folder: CacheFolderOption

  @Flag(help: "Print one JSON object instead of a table.")
  var json = false

  func run() throws {
    let inventory = CacheInventory(directory: folder.cache)
    if json {
      let object: [String: Any] = [
        "directory": folder.cache, "bytes": inventory.bytes,
        "kinds": inventory.kinds.map { ["kind": $0.name, "entries": $0.entries, "bytes": $0.bytes] },
        "abandoned_temporary_files": inventory.abandoned.count,
      ]
      print(jsonText(object))
      return
    }
    var table = TextTable(header: ["kind", "entries", "size", "holds"], rightAligned: [1, 2])
    let holds = [
      "runs": "each run's record (settings, history, metrics)", "timings": "where and how long each run trained",
      "models": "each tested run's weights (safetensors)", "cells": "each cell's result",
      "distributed": "studies trained by work tasks",
    ]
    for kind in inventory.kinds {
      table.rows.append([kind.name, grouped(kind.entries), byteSize(kind.bytes), holds[kind.name] ?? ""])
    }
    print("\(folder.cache): \(byteSize(inventory.bytes))")
    print(table.render())
    if !inventory.abandoned.isEmpty {
      print(
        "\(inventory.abandoned.count) temporary file(s) of writers that stopped (a killed build): cache prune removes them"
      )
    }
  }
}

struct CachePruneCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "prune",
    abstract: "Remove the cache entries that none of the given studies uses, at any of the given profiles.",
    discussion: """
      A study uses the runs its plan lists (those read off longer runs keep the longer ones), its cells, and the mark of a distributed build; a run's timing and model go with it. Everything else is removed: entries of settings the study no longer has, of another seed or engine version. Temporary files that writers left more than an hour ago go too.
      """)

  @OptionGroup var folder: CacheFolderOption

  @Option(
    help: ArgumentHelp(
      "A study whose entries to keep (repeatable; default: studies/default.yaml).", valueName: "file"))
  var study: [String] = []

  @Option(
    help: ArgumentHelp(
      "A profile whose entries to keep: full or quick (repeatable; default: both).", valueName: "profile"))
  var profile: [String] = []

  @Option(
    name: .customLong("data"),
    help: ArgumentHelp("A folder holding the studies' dataset files instead of their own.", valueName: "dir"))
  var dataDirectory: String?

  @Flag(help: "Only list what would be removed.")
  var dryRun = false

  func validate() throws {
    for name in profile where Profile.named(name) == nil {
      throw ValidationError("unknown profile '\(name)' (allowed: full, quick)")
    }
  }

  func run() throws {
    let defaultStudy = "studies/default.yaml"
    let studies = study.isEmpty ? [locateInCheckout(defaultStudy) ?? defaultStudy] : study
    let profiles = profile.isEmpty ? [Profile.full, Profile.quick] : profile.compactMap(Profile.named)
    var used = UsedKeys()
    for file in studies {
      let loaded = try Study.load(file)
      for profile in profiles {
        var options = BuildOptions(output: "reports", cacheDirectory: folder.cache)
        options.profile = profile
        options.dataDirectory = dataDirectory
        let build = StudyBuild(
          study: loaded, options: options, observer: SilentObserver(), cancellation: Cancellation(),
          version: mnistReportVersion)
        used.formUnion(try build.usedKeys())
      }
    }
    let inventory = CacheInventory(directory: folder.cache)
    let unused = inventory.unused(used)
    let removed = unused.map(\.path) + inventory.abandoned.map(\.path)
    let bytes = unused.reduce(0) { $0 + $1.bytes } + inventory.abandoned.reduce(0) { $0 + $1.bytes }
    var byKind: [String: Int] = [:]
    for entry in unused { byKind[entry.kind, default: 0] += 1 }
    let summary = CacheInventory.kindNames.compactMap { kind in byKind[kind].map { "\($0) \(kind)" } }
    let what =
      (summary.isEmpty ? "no entries" : summary.joined(separator: ", "))
      + (inventory.abandoned.isEmpty ? "" : ", \(inventory.abandoned.count) temporary files")
    if dryRun {
      for path in removed { print(path) }
      print("would remove \(what): \(byteSize(bytes)) of \(byteSize(inventory.bytes)) (nothing removed: --dry-run)")
      return
    }
    var failures: [String] = []
    for path in removed {
      do { try FileManager.default.removeItem(atPath: path) } catch { failures.append(path) }
    }
    print(
      "removed \(what): \(byteSize(bytes)) of \(byteSize(inventory.bytes)); kept what \(studies.joined(separator: ", ")) use\(studies.count == 1 ? "s" : "")"
    )
    if !failures.isEmpty {
      throw CommandFailure("could not remove \(failures.count) file(s), e.g. \(failures[0])")
    }
  }
}

/// A size in bytes, in the largest unit that keeps it at 1 or more (binary units).
func byteSize(_ bytes: Int) -> String {
  let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
  var value = Double(bytes)
  var unit = 0
  while value >= 1024 && unit < units.count - 1 {
    value /= 1024
    unit += 1
  }
  return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f %@", value, units[unit])
}
