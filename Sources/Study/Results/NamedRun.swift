import Foundation

/// A named run of a cell (a variant, a grid point, the baseline), with its repeats.
public struct NamedRun: Codable, Sendable {
  public var name: String
  /// Repeat 0: the run an unrepeated cell has.
  public var run: RunRecord
  /// Repeats 1, 2, …: the same settings from other seeds (and splits, when resampled).
  public var repeats: [RunRecord] = []
  /// With repeats, the metrics over them (mean, sample standard deviation, n, 95% t
  /// interval), as the analysis found them; results.json writes them beside the repeats.
  public var summary: RepeatedRunFacts?

  public init(name: String, run: RunRecord, repeats: [RunRecord] = []) {
    self.name = name
    self.run = run
    self.repeats = repeats
  }

  /// Every repeat, repeat 0 first.
  public var all: [RunRecord] { [run] + repeats }

  /// Changes every repeat.
  mutating func update(_ change: (inout RunRecord) -> Void) {
    change(&run)
    for i in repeats.indices { change(&repeats[i]) }
  }

  enum CodingKeys: String, CodingKey {
    case name, repeats, summary
  }

  /// One entry of `repeats`: the record with its repeat number beside its fields, so that
  /// a table of the runs (`pandas.json_normalize`) has a `repeat` column.
  private struct Numbered: Codable {
    enum CodingKeys: String, CodingKey { case index = "repeat" }
    let index: Int
    let record: RunRecord

    init(index: Int, record: RunRecord) { (self.index, self.record) = (index, record) }

    init(from decoder: Decoder) throws {
      index = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .index)
      record = try RunRecord(from: decoder)
    }

    func encode(to encoder: Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(index, forKey: .index)
      try record.encode(to: encoder)
    }
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    let numbered = try c.decode([Numbered].self, forKey: .repeats)
    guard let first = numbered.first, numbered.map(\.index) == Array(numbered.indices) else {
      throw DecodingError.dataCorruptedError(
        forKey: .repeats, in: c, debugDescription: "expected repeats numbered 0, 1, 2, … in order")
    }
    run = first.record
    repeats = numbered.dropFirst().map(\.record)
    summary = try c.decodeIfPresent(RepeatedRunFacts.self, forKey: .summary)
  }

  /// Every repeat in `repeats`, repeat 0 first; with more than one, their `summary`.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(name, forKey: .name)
    try c.encode(all.enumerated().map { Numbered(index: $0, record: $1) }, forKey: .repeats)
    if !repeats.isEmpty { try c.encodeIfPresent(summary, forKey: .summary) }
  }
}
