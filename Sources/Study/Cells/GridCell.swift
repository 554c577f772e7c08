import Statistics

/// A grid cell: every combination of two settings (for example hidden layers × neurons),
/// each trained once.
public struct GridCell: CellBehaviour {
  /// One axis of the grid: a settings key and its values as written.
  public struct Axis: Sendable {
    public let key: SettingKey
    public let values: [String]
    /// The values as the study file gives them (results.json's `row_values`).
    let settingValues: [SettingValue]
  }

  public let rows: Axis
  public let columns: Axis
  /// The settings of each point, row-major: `settings[r][c]`.
  public let settings: [[RunSettings]]

  var otherSettings: [RunSettings] { settings.flatMap { $0 } }
  public let replication: Replication
  var dataUse: DataUse { DataUse(replication) }
  /// Whether the points train one after another on every thread (the default), rather than
  /// side by side on one thread each (more throughput; times still compare, all measured
  /// the same way).
  public let sequential: Bool

  static let keys = ["settings", "rows", "columns", "repeats", "resample", "sequential"]

  init(_ input: CellInput) throws(StudyError) {
    let value = input.value
    guard let rowsValue = input.fields["rows"], let columnsValue = input.fields["columns"] else {
      throw value.error("a grid cell needs rows and columns (each a key and its values)")
    }
    let (rowKey, rowNodes) = try Self.axis(rowsValue)
    let (columnKey, columnNodes) = try Self.axis(columnsValue)
    if rowKey == columnKey { throw columnsValue.error("the columns vary '\(rowKey.rawValue)' too; choose another key") }
    var points: [[RunSettings]] = []
    for rowNode in rowNodes {
      var row: [RunSettings] = []
      for columnNode in columnNodes {
        var point = input.settings
        try point.apply(YAMLValue.mapping([(rowKey.rawValue, rowNode), (columnKey.rawValue, columnNode)], at: value))
        row.append(try point.validated(at: value))
      }
      points.append(row)
    }
    rows = Axis(
      key: rowKey, values: try rowNodes.map { v throws(StudyError) in try v.string() },
      settingValues: rowNodes.map { SettingValue($0.node) })
    columns = Axis(
      key: columnKey, values: try columnNodes.map { v throws(StudyError) in try v.string() },
      settingValues: columnNodes.map { SettingValue($0.node) })
    settings = points
    replication = try input.cellReplication()
    sequential = try input.fields["sequential"]?.bool() ?? true
  }

  /// A grid axis: `{key: NAME, values: [...]}`, the key being a settings key.
  private static func axis(_ value: YAMLValue) throws(StudyError) -> (SettingKey, [YAMLValue]) {
    let fields = Dictionary(
      uniqueKeysWithValues: try value.mapping(allowed: ["key", "values"]).map { ($0.key, $0.value) })
    guard let keyValue = fields["key"], let values = fields["values"] else {
      throw value.error("a grid axis needs key (a settings key) and values (a list)")
    }
    let name = try keyValue.string()
    guard let key = SettingKey(rawValue: name) else {
      throw keyValue.error("unknown settings key '\(name)' (allowed: \(RunSettings.keys.joined(separator: ", ")))")
    }
    let items = try values.list()
    guard !items.isEmpty else { throw values.error("expected at least one value") }
    return (key, items)
  }

  func runCount(settings: RunSettings) -> Int { rows.values.count * columns.values.count * replication.count }

  func keyParts(earlier: [String]) -> CellKeyParts {
    CellKeyParts(
      grid: settings, gridAxes: [rows.key.rawValue, columns.key.rawValue] + rows.values + columns.values,
      replication: replication)  // how runs are scheduled changes no result, so it is not keyed
  }

  /// The name of the run at row `r`, column `c`.
  func pointName(_ r: Int, _ c: Int) -> String {
    "\(rows.key.rawValue) \(rows.values[r]), \(columns.key.rawValue) \(columns.values[c])"
  }

  func run(_ context: CellContext) throws(CellStop) -> CellOutcome {
    var groups: [[RunRequest]] = []
    for (r, row) in settings.enumerated() {
      for (c, point) in row.enumerated() { groups.append(context.repeated(pointName(r, c), point, replication)) }
    }
    let runs = try context.namedRuns(groups, sequential: sequential)
    let width = columns.values.count
    func matrix<T>(_ value: (NamedRun) -> T) -> [[T]] {
      (0..<rows.values.count).map { r in (0..<width).map { c in value(runs[r * width + c]) } }
    }
    let repeated = runs.contains { !$0.repeats.isEmpty }
    let grid = GridResult(
      rowKey: rows.key, rowValues: rows.settingValues, columnKey: columns.key,
      columnValues: columns.settingValues,
      accuracy: matrix { mean($0.all.map(\.bestValidationAccuracy)) }, parameters: matrix(\.run.parameterCount),
      seconds: matrix { mean($0.all.map(\.seconds)) },
      accuracySD: repeated ? matrix { Spread($0.all.map(\.bestValidationAccuracy)).sd ?? .nan } : nil)
    return .grid(grid, runs)
  }
}
