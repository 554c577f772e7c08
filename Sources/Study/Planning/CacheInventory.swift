import Foundation

/// What a cache folder holds, kind by kind, and pruning what no study uses any more
/// (`mnist-report cache info|prune`).
public struct CacheInventory: Sendable {
  /// The entries of one kind (`runs`, `timings`, `models`, `cells`, `distributed`).
  public struct Kind: Sendable {
    public let name: String
    public let keys: [String: Int]
    public var entries: Int { keys.count }
    public var bytes: Int { keys.values.reduce(0, +) }
  }

  public let directory: String
  public let kinds: [Kind]
  /// Temporary files of writers that are gone (a killed build), older than `staleAge`.
  public let abandoned: [(path: String, bytes: Int)]

  public var bytes: Int { kinds.reduce(0) { $0 + $1.bytes } + abandoned.reduce(0) { $0 + $1.bytes } }

  /// The folders a cache has, and what each holds.
  public static let kindNames = ["runs", "timings", "models", "cells", "distributed"]
  /// A temporary file this old is no writer's any more: an entry is written in well under a
  /// minute.
  static let staleAge: TimeInterval = 3600

  /// Reads the folder (a missing one is an empty cache).
  public init(directory: String) {
    self.directory = directory
    let manager = FileManager.default
    var kinds: [Kind] = []
    var abandoned: [(String, Int)] = []
    for name in Self.kindNames {
      let folder = (directory as NSString).appendingPathComponent(name)
      var keys: [String: Int] = [:]
      for file in (try? manager.contentsOfDirectory(atPath: folder)) ?? [] {
        let path = (folder as NSString).appendingPathComponent(file)
        let attributes = try? manager.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        if file.hasPrefix(".") && file.hasSuffix(".tmp") {
          let modified = attributes?[.modificationDate] as? Date ?? Date()
          if Date().timeIntervalSince(modified) > Self.staleAge { abandoned.append((path, size)) }
          continue
        }
        keys[(file as NSString).deletingPathExtension] = size
      }
      kinds.append(Kind(name: name, keys: keys))
    }
    self.kinds = kinds
    self.abandoned = abandoned
  }

  /// The entries no study of `used` needs, by kind, with their files. A run's timing and
  /// model go with its record.
  public func unused(_ used: UsedKeys) -> [(kind: String, key: String, path: String, bytes: Int)] {
    var found: [(String, String, String, Int)] = []
    for kind in kinds {
      let keep: Set<String>
      switch kind.name {
      case "runs", "timings", "models": keep = used.runs
      case "cells": keep = used.cells
      default: keep = used.studies
      }
      let ext = kind.name == "models" ? "safetensors" : "json"
      for (key, size) in kind.keys.sorted(by: { $0.key < $1.key }) where !keep.contains(key) {
        found.append((kind.name, key, "\(directory)/\(kind.name)/\(key).\(ext)", size))
      }
    }
    return found
  }
}

/// The cache keys a set of studies uses: every run its plan lists (and the longer runs they
/// are read off), every cell, and the study as a whole.
public struct UsedKeys: Sendable {
  public var runs: Set<String> = []
  public var cells: Set<String> = []
  public var studies: Set<String> = []

  public init() {}

  public mutating func formUnion(_ other: UsedKeys) {
    runs.formUnion(other.runs)
    cells.formUnion(other.cells)
    studies.formUnion(other.studies)
  }
}

extension StudyBuild {
  /// The keys this study (at the options' profile) uses in the cache: read from a plan,
  /// which trains nothing and writes nothing.
  public func usedKeys() throws -> UsedKeys {
    let setup = try setUp()
    let plan = try plan(setup, throughCachedCells: true)
    var used = UsedKeys()
    for stage in plan.stages {
      for run in stage.runs {
        used.runs.insert(run.key)
        if let longer = run.readOff { used.runs.insert(longer) }
      }
    }
    used.cells = Set(setup.cellKeys)
    used.studies = [setup.studyKey]
    return used
  }
}
