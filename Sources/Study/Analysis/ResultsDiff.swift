import Foundation
import Statistics
import Tensor

/// What changed between two builds' results (`mnist-report diff OLD NEW`): the study's
/// settings, cells added or removed, each common cell's settings, its verdicts as each
/// build's results.json states them (the findings, not computed again), its metrics over
/// their repeats (each build's stored summary) — a change of a metric flagged only when the
/// repeats, paired by seed across the builds, resolve it — and where the builds ran.
public struct ResultsDiff: Sendable {
  /// One value that differs: what it is, before and after.
  public struct Change: Sendable, Equatable {
    public let item: String
    public let old: String
    public let new: String
  }

  /// One measure of one run in both builds, over its repeats.
  public struct Metric: Sendable {
    public enum Verdict: String, Sendable {
      /// The repeats resolve a rise (paired by seed: see `Comparison.verdict`).
      case better
      /// They resolve a fall.
      case worse
      /// A difference the repeats cannot tell from noise.
      case withinNoise = "within noise"
      /// Without repeats on both sides nothing tells noise: only whether it moved.
      case changed
      case same
    }

    public let cell: String
    public let run: String
    public let measure: String
    public let old: Spread
    public let new: Spread
    public let verdict: Verdict
    public var change: Double { new.mean - old.mean }
  }

  public let study: [Change]
  public let added: [String]
  public let removed: [String]
  /// Cells in both whose settings differ, each with its changed settings.
  public let settings: [(cell: String, changes: [Change])]
  /// Verdicts of the findings that differ (a comparison now better, a search's new winner),
  /// by cell, as each build's results state them; the key results' under "key results".
  public let verdicts: [(cell: String, change: Change)]
  public let metrics: [Metric]
  public let provenance: [Change]
  /// The test accuracy of the last final cell both builds have, over its repeats.
  public let tuned: (cell: String, old: Spread, new: Spread)?

  /// Metrics whose change the repeats resolve, or that moved without repeats to tell.
  public var flagged: [Metric] { metrics.filter { $0.verdict != .same && $0.verdict != .withinNoise } }

  public init(old: StudyResults, new: StudyResults) {
    func change(_ item: String, _ a: String, _ b: String) -> Change? {
      a == b ? nil : Change(item: item, old: a, new: b)
    }
    study = [
      change("title", old.title, new.title),
      change("profile", old.profile.name, new.profile.name),
      change("dataset", old.data.datasetName, new.data.datasetName),
      change("seed", "\(old.data.seed)", "\(new.data.seed)"),
      change("validation images", "\(old.data.validation)", "\(new.data.validation)"),
      change("normalization", old.data.normalization.rawValue, new.data.normalization.rawValue),
      change(
        "changed from the command line", old.overrides.map(\.flag).joined(separator: ", "),
        new.overrides.map(\.flag).joined(separator: ", ")),
      change("dataset digests", old.files.map(\.sha256).joined(), new.files.map(\.sha256).joined()).map {
        Change(item: $0.item, old: "\(old.files.count) files", new: "other files")
      },
      change("engine", old.engine, new.engine),
    ].compactMap { $0 }
    let oldIDs = old.cells.map(\.id)
    let newIDs = new.cells.map(\.id)
    added = newIDs.filter { !oldIDs.contains($0) }
    removed = oldIDs.filter { !newIDs.contains($0) }
    var settings: [(String, [Change])] = []
    var verdicts: [(String, Change)] = []
    var metrics: [Metric] = []
    var tuned: (String, Spread, Spread)?
    for cell in new.cells {
      guard let before = old.cells.first(where: { $0.id == cell.id }) else { continue }
      if let a = before.settings, let b = cell.settings {
        let changes = a.changedKeys(to: b).map { Change(item: $0.rawValue, old: a.describe($0), new: b.describe($0)) }
        if !changes.isEmpty { settings.append((cell.id, changes)) }
      }
      metrics += Self.metrics(cell: cell.id, old: before, new: cell, seed: new.data.seed)
      verdicts += Self.changes(before.findings?.verdicts ?? [], cell.findings?.verdicts ?? []).map { (cell.id, $0) }
      if cell.kind == .final, let a = before.runs.first, let b = cell.runs.first {
        let (x, y) = (a.all.compactMap { $0.test?.accuracy }, b.all.compactMap { $0.test?.accuracy })
        if !x.isEmpty && !y.isEmpty { tuned = (cell.id, Spread(x), Spread(y)) }
      }
    }
    verdicts += Self.changes(old.findings?.verdicts ?? [], new.findings?.verdicts ?? []).map { ("key results", $0) }
    self.settings = settings
    self.verdicts = verdicts
    self.metrics = metrics
    self.tuned = tuned
    let (p, q) = (old.provenance, new.provenance)
    provenance = [
      change(
        "commit", p.commit.map { String($0.prefix(12)) } ?? "none", q.commit.map { String($0.prefix(12)) } ?? "none"),
      change("uncommitted changes", p.dirty ? "yes" : "no", q.dirty ? "yes" : "no"),
      change("mnist-report", p.version, q.version),
      change("compiler", p.swift, q.swift),
      change("CPU", "\(p.cpu), \(p.cores) cores", "\(q.cpu), \(q.cores) cores"),
      change("kernels", old.kernels, new.kernels),
      change("threads", "\(old.threads)", "\(new.threads)"),
      change("hosts", old.hosts.keys.sorted().joined(separator: ", "), new.hosts.keys.sorted().joined(separator: ", ")),
      change("built", p.started, q.started),
    ].compactMap { $0 }
  }

  /// The verdicts that differ between `old` and `new` (one missing from either counts).
  static func changes(_ old: [(String, String)], _ new: [(String, String)]) -> [Change] {
    var found: [Change] = []
    for (item, verdict) in new where !old.contains(where: { $0 == (item, verdict) }) {
      found.append(Change(item: item, old: old.first { $0.0 == item }?.1 ?? "–", new: verdict))
    }
    for (item, verdict) in old where !new.contains(where: { $0.0 == item }) {
      found.append(Change(item: item, old: verdict, new: "–"))
    }
    return found
  }

  /// Each run's measures in both builds, matched by name: best validation accuracy, and
  /// test accuracy for a tested run; for a search, its best candidate's mean score. A
  /// repeated run's spread is its stored summary; the change is compared repeat by repeat
  /// (the builds' repeat r share their seeds), its bootstrap drawn by the analysis's seed
  /// rule (`findingSeed`) under the new build's seed.
  static func metrics(cell: String, old: CellResult, new: CellResult, seed: UInt64) -> [Metric] {
    var metrics: [Metric] = []
    func add(_ run: String, _ measure: String, _ a: [Double], _ b: [Double], stored: (Spread?, Spread?) = (nil, nil)) {
      let (x, y) = (a.filter(\.isFinite), b.filter(\.isFinite))
      guard !x.isEmpty, !y.isEmpty else { return }
      let verdict: Metric.Verdict
      if x == y {
        verdict = .same
      } else if x.count >= 2 && x.count == y.count {
        // The builds' repeat r drew the same random numbers only when their settings agree;
        // whatever changed, a pair is the same seed, so the pairing is the best available.
        switch compared(y, x, design: .paired, seed: findingSeed(seed, cell: cell), "diff", run, measure)?.verdict {
        case .better?: verdict = .better
        case .worse?: verdict = .worse
        case .indistinguishable?, .equivalent?, .single?, nil: verdict = .withinNoise
        }
      } else {
        verdict = .changed
      }
      metrics.append(
        Metric(
          cell: cell, run: run, measure: measure, old: stored.0 ?? Spread(x), new: stored.1 ?? Spread(y),
          verdict: verdict))
    }
    for run in new.runs {
      guard let before = old.runs.first(where: { $0.name == run.name }) else { continue }
      add(
        run.name, "best validation accuracy", before.all.map(\.bestValidationAccuracy),
        run.all.map(\.bestValidationAccuracy), stored: (before.summary?.best, run.summary?.best))
      add(
        run.name, "test accuracy", before.all.compactMap { $0.test?.accuracy },
        run.all.compactMap { $0.test?.accuracy },
        stored: (before.summary?.testAccuracy, run.summary?.testAccuracy))
    }
    if case .search(let a)? = old.outcome, case .search(let b)? = new.outcome, let x = a.best, let y = b.best {
      add("best candidate", "mean CV accuracy", [x.meanScore], [y.meanScore])
    }
    return metrics
  }
}

extension RunSettings {
  /// A setting's value in words, for a diff.
  func describe(_ key: SettingKey) -> String {
    switch key {
    case .hidden, .layers, .width: return "\(hidden)"
    case .activation: return activation.rawValue
    case .dropout: return "\(dropoutRates)"
    case .inputDropout: return "\(inputDropout)"
    case .batchNorm: return batchNorm ? "yes" : "no"
    case .initializer: return initializer?.rawValue ?? "default"
    case .optimizer: return optimizer.rawValue + (momentum.map { ", momentum \($0)" } ?? "")
    case .learningRate: return "\(learningRate)"
    case .momentum: return momentum.map { "\($0)" } ?? "default"
    case .weightDecay: return "\(weightDecay)"
    case .batchSize: return "\(batchSize)"
    case .epochs: return "\(epochs)"
    case .schedule: return "\(schedule)" + (warmup.map { ", warm-up \($0)" } ?? "")
    case .warmup: return warmup.map { "\($0)" } ?? "none"
    case .earlyStopping: return earlyStopping.map { "\($0)" } ?? "none"
    }
  }
}

extension CellFacts {
  /// The findings' verdicts, each named: what `diff` compares between two builds' results.
  var verdicts: [(String, String)] {
    switch self {
    case .compare(let facts):
      var list = facts.variants.compactMap { v in
        v.comparison.map { ("\(v.name) against \(facts.referenceName)", $0.verdict.rawValue) }
      }
      switch facts.story {
      case .regularization(let regularization?):
        list += regularization.others.compactMap { gap in gap.change.map { ("gap of \(gap.name)", $0.rawValue) } }
      case .batchSizes(let sizes?):
        if let payoff = sizes.payoff { list.append(("largest batch that still pays", payoff)) }
        if let drop = sizes.drop {
          list.append(("\(sizes.largest) against \(sizes.highest.joined(separator: ", "))", drop.verdict.rawValue))
        }
      case .ranking, .single, .allDiverged, .unscored, .batchSizes(nil), .regularization(nil): break
      }
      return list
    case .grid(let facts):
      let name = { (p: GridFacts.Point) in "row \(p.row + 1), column \(p.column + 1)" }
      var list = [("best network", name(facts.best))]
      list.append(("smallest network as good as the best", facts.smallestClose.map(name) ?? "the best itself"))
      if let rows = facts.rowComparison { list.append(("last row against the first", rows.verdict.rawValue)) }
      return list
    case .search(let facts):
      var list = [("best candidate", "#\(facts.best)")]
      if let comparison = facts.runnerUp?.comparison {
        list.append(("best against the runner-up", comparison.verdict.rawValue))
      }
      return list
    case .data, .train: return []
    }
  }
}

extension StudyFacts {
  /// The key results' verdict, named.
  var verdicts: [(String, String)] {
    keyResults?.comparison.map { [("tuned model against the baseline", $0.verdict.rawValue)] } ?? []
  }
}
