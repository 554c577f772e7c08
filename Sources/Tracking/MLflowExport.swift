import Crypto
import Foundation
import Study

/// A build's results sent to an MLflow tracking server, from its results folder (no cache
/// needed), as runs people compare in MLflow's UI:
///
/// - a study run, parent of the rest, with the report (Markdown, HTML, notebook, figures),
///   results.json, predictions.csv and the exported models as artifacts;
/// - one run per named run of a training cell (a variant, a grid point, the baseline), its
///   settings as params (flattened, as the study file names them); with repeats, each repeat
///   a child run of it (`mlflow.parentRunId`);
/// - on each run that trained, every epoch's `loss`, `accuracy`, `val_loss`,
///   `val_accuracy` and `learning_rate` with the epoch as step, and `test_loss`,
///   `test_accuracy` when it was tested;
/// - one run per search candidate, its drawn parameters as params and its scores as metrics;
/// - tags for the cell, the variant, the repeat, the run's cache key and the commit.
///
/// Exporting the same results twice changes nothing: every run carries an export key
/// (`mnist_report.export_key`, from results.json's digest and the run's place), a run whose
/// key is there and finished is left alone, and the study run is marked finished last. A run
/// left unfinished by an export that stopped is deleted and sent again.
public struct MLflowExport {
  public struct Summary: Sendable {
    public let experimentID: String
    public let studyRunID: String
    /// MLflow runs created, and those already there.
    public let created: Int
    public let existing: Int
    public let artifacts: Int
    public let serverVersion: String
  }

  let folder: String
  let results: StudyResults
  let digest: String
  let experiment: String
  let client: MLflowClient
  let progress: (String) -> Void

  /// The MLflow versions whose REST API this export speaks (tested with 3.17.2).
  static let majorVersions = 2...3

  public init(
    folder: String, results: StudyResults, trackingURI: String, experiment: String?,
    progress: @escaping (String) -> Void
  ) throws {
    self.folder = folder
    self.results = results
    let file = (folder as NSString).appendingPathComponent("results.json")
    let bytes = FileManager.default.contents(atPath: file) ?? Data()
    digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    self.experiment = experiment ?? results.title
    client = try MLflowClient(trackingURI: trackingURI)
    self.progress = progress
  }

  /// One MLflow run to send: where it sits, what it carries.
  struct Planned {
    let key: String
    let name: String
    let parent: String?
    var tags: [String: String]
    var params: [String: String]
    var metrics: [(key: String, value: Double, step: Int)] = []
    /// Whether other runs sit under it (it is finished after them, and holds no metrics).
    var isParent = false
    /// How long it took, in seconds: a run's training time, a cell's, the build's.
    var seconds = 0.0
  }

  public func run() throws(MLflowError) -> Summary {
    let version = try serverVersion()
    let experimentID = try experimentID()
    let existing = try existingRuns(experimentID)
    let studyKey = "study/" + digest.prefix(16)
    if let study = existing[studyKey], study.finished {
      progress("already exported: study run \(study.id) holds these results; nothing sent")
      return Summary(
        experimentID: experimentID, studyRunID: study.id, created: 0,
        existing: existing.keys.filter { $0.hasPrefix(studyKey) }.count, artifacts: 0,
        serverVersion: version)
    }
    let planned = plan(studyKey: String(studyKey))
    var ids: [String: String] = [:]
    var created = 0
    var reused = 0
    let leaves = planned.filter { !$0.isParent }.count
    var sentLeaves = 0
    let start = startMilliseconds
    for run in planned {
      let parentID = run.parent.flatMap { ids[$0] }
      if let found = existing[run.key] {
        if found.finished || run.isParent {
          ids[run.key] = found.id
          reused += 1
          if !run.isParent { sentLeaves += 1 }
          // An unfinished parent may have stopped before its params: sent again (the same
          // values, which MLflow takes again).
          if run.isParent && !found.finished { try log(run, id: found.id, start: start) }
          continue
        }
        // Left unfinished by an export that stopped: its metrics may be half there.
        try client.post("api/2.0/mlflow/runs/delete", ["run_id": found.id])
      }
      var tags = run.tags
      tags["mnist_report.export_key"] = run.key
      tags["mlflow.runName"] = run.name
      if let parentID { tags["mlflow.parentRunId"] = parentID }
      let answer = try client.post(
        "api/2.0/mlflow/runs/create",
        [
          "experiment_id": experimentID, "run_name": run.name, "start_time": start,
          "tags": tags.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] },
        ])
      guard let id = ((answer["run"] as? [String: Any])?["info"] as? [String: Any])?["run_id"] as? String else {
        throw MLflowError(
          url: client.base.absoluteString, request: "POST api/2.0/mlflow/runs/create",
          message: "the answer holds no run id")
      }
      ids[run.key] = id
      created += 1
      try log(run, id: id, start: start)
      if !run.isParent {
        try finish(id, end: start + Int(run.seconds * 1000))
        sentLeaves += 1
        if sentLeaves % 25 == 0 || sentLeaves == leaves { progress("sent \(sentLeaves) of \(leaves) runs") }
      }
    }
    let studyID = ids[String(studyKey)]!
    let artifacts = try uploadArtifacts(experimentID: experimentID, runID: studyID)
    // Parents last, the study run at the very end: a finished study run means everything
    // under it is there.
    for run in planned.reversed() where run.isParent {
      if let found = existing[run.key], found.finished { continue }
      try finish(ids[run.key]!, end: start + Int(run.seconds * 1000))
    }
    return Summary(
      experimentID: experimentID, studyRunID: studyID, created: created, existing: reused, artifacts: artifacts,
      serverVersion: version)
  }

  /// The server's version, refused unless its REST API is the one this export speaks.
  private func serverVersion() throws(MLflowError) -> String {
    let text = String(decoding: try client.get("version"), as: UTF8.self).trimmingCharacters(
      in: .whitespacesAndNewlines)
    guard let major = Int(text.prefix { $0.isNumber }), Self.majorVersions.contains(major) else {
      throw MLflowError(
        url: client.base.absoluteString, request: "GET version",
        message:
          "the server says it is version '\(text.prefix(40))'; this export speaks the REST API of MLflow \(Self.majorVersions.lowerBound) and \(Self.majorVersions.upperBound) (tested with 3.17.2)"
      )
    }
    return text
  }

  private func experimentID() throws(MLflowError) -> String {
    do {
      let data = try client.get("api/2.0/mlflow/experiments/get-by-name", query: ["experiment_name": experiment])
      if let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
        let id = (object["experiment"] as? [String: Any])?["experiment_id"] as? String
      {
        return id
      }
    } catch  where error.message.contains("RESOURCE_DOES_NOT_EXIST") {
      let answer = try client.post("api/2.0/mlflow/experiments/create", ["name": experiment])
      if let id = answer["experiment_id"] as? String { return id }
    }
    throw MLflowError(
      url: client.base.absoluteString, request: "experiments/get-by-name",
      message: "no experiment id in the answer for '\(experiment)'")
  }

  /// The runs of the experiment that an export made, by export key.
  private func existingRuns(_ experimentID: String) throws(MLflowError) -> [String: (id: String, finished: Bool)] {
    var found: [String: (id: String, finished: Bool)] = [:]
    var token: String?
    repeat {
      var body: [String: Any] = [
        "experiment_ids": [experimentID], "max_results": 1000,
        "filter": "tags.`mnist_report.export_key` != ''",
      ]
      if let token { body["page_token"] = token }
      let answer = try client.post("api/2.0/mlflow/runs/search", body)
      for run in answer["runs"] as? [[String: Any]] ?? [] {
        let info = run["info"] as? [String: Any] ?? [:]
        let tags = (run["data"] as? [String: Any])?["tags"] as? [[String: Any]] ?? []
        guard let id = info["run_id"] as? String,
          let key = tags.first(where: { $0["key"] as? String == "mnist_report.export_key" })?["value"] as? String
        else { continue }
        found[key] = (id, info["status"] as? String == "FINISHED")
      }
      token = answer["next_page_token"] as? String
    } while token?.isEmpty == false
    return found
  }

  /// Params, tags and metrics in batches of MLflow's limits (1,000 items, 100 params and
  /// 100 tags each). Values go as strings: a param sent as a number is stored empty.
  private func log(_ run: Planned, id: String, start: Int) throws(MLflowError) {
    let params = run.params.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": String($0.value.prefix(6000))] }
    for chunk in stride(from: 0, to: params.count, by: 100) {
      try client.post(
        "api/2.0/mlflow/runs/log-batch",
        ["run_id": id, "params": Array(params[chunk..<min(chunk + 100, params.count)])])
    }
    let metrics: [[String: Any]] = run.metrics.map { metric in
      [
        "key": metric.key, "value": metric.value.isFinite ? metric.value as Any : "NaN", "step": metric.step,
        "timestamp": start + metric.step * 1000,
      ]
    }
    for chunk in stride(from: 0, to: metrics.count, by: 1000) {
      try client.post(
        "api/2.0/mlflow/runs/log-batch",
        ["run_id": id, "metrics": Array(metrics[chunk..<min(chunk + 1000, metrics.count)])])
    }
  }

  /// Marks a run finished at `end` (its start plus the time it took, so that MLflow's
  /// durations are the training times).
  private func finish(_ id: String, end: Int) throws(MLflowError) {
    try client.post("api/2.0/mlflow/runs/update", ["run_id": id, "status": "FINISHED", "end_time": end])
  }

  /// The build's start, in milliseconds since 1970: every run's start, so that the same
  /// results send the same values.
  private var startMilliseconds: Int {
    let formatter = ISO8601DateFormatter()
    let date = formatter.date(from: results.provenance.started) ?? Date(timeIntervalSince1970: 0)
    return Int(date.timeIntervalSince1970 * 1000)
  }

  /// Every run to send, each parent before the runs under it.
  func plan(studyKey: String) -> [Planned] {
    let commit = results.provenance.commit ?? "unknown"
    var runs = [
      Planned(
        key: studyKey, name: results.title, parent: nil,
        tags: ["mnist_report.commit": commit, "mnist_report.study_file": results.studyFile],
        params: [
          "profile": results.profile.name, "data.validation": "\(results.data.validation)",
          "data.seed": "\(results.data.seed)", "data.dataset": results.data.datasetName,
          "threads": "\(results.threads)",
        ], isParent: true, seconds: results.cells.reduce(0) { $0 + $1.seconds })
    ]
    for cell in results.cells {
      let cellTags = [
        "mnist_report.cell": cell.id, "mnist_report.kind": cell.kind.rawValue, "mnist_report.commit": commit,
      ]
      for named in cell.runs {
        let key = "\(studyKey)/\(cell.id)/\(named.name)"
        let params = Self.flattened(named.run.settings)
        var tags = cellTags
        tags["mnist_report.variant"] = named.name
        if named.repeats.isEmpty {
          tags["mnist_report.repeat"] = "0"
          tags["mnist_report.cache_key"] = named.run.key
          runs.append(
            Planned(
              key: key, name: "\(cell.id) · \(named.name)", parent: studyKey, tags: tags, params: params,
              metrics: Self.metrics(named.run), seconds: named.run.seconds))
          continue
        }
        runs.append(
          Planned(
            key: key, name: "\(cell.id) · \(named.name)", parent: studyKey, tags: tags,
            params: params.merging(["repeats": "\(named.all.count)"]) { $1 }, isParent: true,
            seconds: named.all.map(\.seconds).max() ?? 0))
        for (index, record) in named.all.enumerated() {
          var child = tags
          child["mnist_report.repeat"] = "\(index)"
          child["mnist_report.cache_key"] = record.key
          runs.append(
            Planned(
              key: "\(key)/\(index)", name: "\(cell.id) · \(named.name) · repeat \(index + 1)", parent: key,
              tags: child,
              params: Self.flattened(record.settings), metrics: Self.metrics(record), seconds: record.seconds))
        }
      }
      if case .search(let search)? = cell.outcome {
        for candidate in search.candidates {
          var tags = cellTags
          tags["mnist_report.candidate"] = "\(candidate.index)"
          var params = Dictionary(
            uniqueKeysWithValues: candidate.parameters.map { ($0.key.rawValue, $0.value.description) })
          params["epochs"] = "\(candidate.epochs)"
          runs.append(
            Planned(
              key: "\(studyKey)/\(cell.id)/candidate-\(candidate.index)",
              name: "\(cell.id) · candidate \(candidate.index)",
              parent: studyKey, tags: tags, params: params,
              metrics: [
                ("mean_test_score", candidate.meanScore, 0), ("std_test_score", candidate.stdScore, 0),
                ("rank_test_score", Double(candidate.rank), 0),
              ], seconds: candidate.meanFitSeconds))
        }
      }
    }
    return runs
  }

  /// A run's settings as params: results.json's names, nested ones joined by dots
  /// (`schedule.kind`), lists as JSON, booleans as `true` and `false`.
  static func flattened(_ settings: RunSettings) -> [String: String] {
    guard let data = try? ResultsJSON.encoder().encode(settings),
      let value = try? JSONDecoder().decode(JSONValue.self, from: data)
    else { return [:] }
    var params: [String: String] = [:]
    func add(_ value: JSONValue, _ name: String) {
      if case .object(let fields) = value {
        for (key, inner) in fields { add(inner, name.isEmpty ? key : "\(name).\(key)") }
      } else {
        params[name] = value.text
      }
    }
    add(value, "")
    return params
  }

  /// Every epoch's metrics with the epoch as step, and the test metrics when tested.
  static func metrics(_ record: RunRecord) -> [(key: String, value: Double, step: Int)] {
    var metrics: [(key: String, value: Double, step: Int)] = []
    for epoch in record.history.epochs {
      metrics.append(("loss", epoch.trainLoss, epoch.epoch))
      metrics.append(("accuracy", epoch.trainAccuracy, epoch.epoch))
      if let loss = epoch.validationLoss { metrics.append(("val_loss", loss, epoch.epoch)) }
      if let accuracy = epoch.validationAccuracy { metrics.append(("val_accuracy", accuracy, epoch.epoch)) }
      metrics.append(("learning_rate", epoch.learningRate, epoch.epoch))
    }
    if let test = record.test {
      metrics.append(("test_loss", test.loss, 0))
      metrics.append(("test_accuracy", test.accuracy, 0))
    }
    return metrics
  }

  /// The report, results.json, predictions.csv, the figures and the exported models, as the
  /// study run's artifacts (PUT through the server's artifact proxy).
  private func uploadArtifacts(experimentID: String, runID: String) throws(MLflowError) -> Int {
    let manager = FileManager.default
    var files = ["results.json", "predictions.csv", "report.md", "report.html", "report.ipynb"]
    for sub in ["figures", "models"] {
      let names = (try? manager.contentsOfDirectory(atPath: (folder as NSString).appendingPathComponent(sub))) ?? []
      files += names.sorted().map { "\(sub)/\($0)" }
    }
    // Where the server keeps the run's artifacts: through its proxy (`mlflow-artifacts:/…`),
    // which is where this export can send them.
    let answer = try client.get("api/2.0/mlflow/runs/get", query: ["run_id": runID])
    let object = (try? JSONSerialization.jsonObject(with: answer)) as? [String: Any]
    let uri = ((object?["run"] as? [String: Any])?["info"] as? [String: Any])?["artifact_uri"] as? String ?? ""
    guard uri.hasPrefix("mlflow-artifacts:/") else {
      throw MLflowError(
        url: client.base.absoluteString, request: "GET api/2.0/mlflow/runs/get",
        message:
          "the study run's artifacts go to '\(uri)', which the server does not serve; start it with --artifacts-destination DIR (and no --default-artifact-root), as a local `mlflow server` is by default"
      )
    }
    let place = uri.dropFirst("mlflow-artifacts:/".count).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    var sent = 0
    for file in files {
      guard let data = manager.contents(atPath: (folder as NSString).appendingPathComponent(file)) else { continue }
      try client.put("api/2.0/mlflow-artifacts/artifacts/\(place)/\(file)", data)
      sent += 1
    }
    progress("sent \(sent) artifacts to the study run")
    return sent
  }
}

/// A JSON value as results.json writes it, to flatten settings into params.
private indirect enum JSONValue: Decodable {
  case bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue]), null

  init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let value = try? c.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? c.decode(Double.self) {
      self = .number(value)
    } else if let value = try? c.decode(String.self) {
      self = .string(value)
    } else if let value = try? c.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try c.decode([String: JSONValue].self))
    }
  }

  /// The value as a param's text: numbers as Swift prints them (whole ones without a
  /// fraction), lists as JSON.
  var text: String {
    switch self {
    case .bool(let value): return "\(value)"
    case .number(let value): return value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
    case .string(let value): return value
    case .array(let values): return "[" + values.map(\.text).joined(separator: ",") + "]"
    case .object(let fields):
      return "{" + fields.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.text)" }.joined(separator: ",") + "}"
    case .null: return "null"
    }
  }
}
