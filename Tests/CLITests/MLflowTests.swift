import Foundation
import Testing

/// The MLflow executable of the test peer `.ci/run` installs (a pinned mlflow in a virtual
/// environment of its own, never a runtime dependency), or nil.
private let mlflow: String? = ProcessInfo.processInfo.environment["MNIST_REPORT_MLFLOW"].flatMap {
  FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil
}
/// CI sets it: an MLflow test that cannot run is a failure, not a skip.
private let mlflowRequired = ProcessInfo.processInfo.environment["MNIST_REPORT_REQUIRE_MLFLOW"] == "1"

/// Starts `command` in a session of its own, in the background, and returns its process
/// group (its pid). Through `system`, not `Process`: Foundation's `Process` waits for every
/// holder of a descriptor it hands the child, and the server would hold it for good.
func startInItsOwnSession(_ command: String, folder: String) throws -> Int32 {
  let status = system("setsid \(command) < /dev/null & echo $! > '\(folder)/pid'")
  guard status == 0 else { throw CocoaError(.fileWriteUnknown) }
  let text = (try? String(contentsOfFile: folder + "/pid", encoding: .utf8)) ?? ""
  return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
}

/// A real `mlflow server` on 127.0.0.1 with a SQLite store, started in a session of its own
/// and stopped by SIGKILL to its process group: the whole group, since a worker outlives its
/// parent's kill, and SIGKILL, since the server inherits this test process's blocked
/// signals (SIGTERM among them).
final class MLflowServer {
  let url: String
  let folder: String
  let group: Int32

  init(_ mlflow: String, folder: String) throws {
    self.folder = folder
    try FileManager.default.createDirectory(atPath: folder + "/artifacts", withIntermediateDirectories: true)
    let command =
      "env MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false '\(mlflow)' server --host 127.0.0.1 --port 0 --workers 1 "
      + "--backend-store-uri 'sqlite:///\(folder)/store.db' --artifacts-destination '\(folder)/artifacts' "
      + "> '\(folder)/server.log' 2>&1"
    group = try startInItsOwnSession(command, folder: folder)
    var found: String?
    for _ in 0..<240 where found == nil {
      Thread.sleep(forTimeInterval: 0.25)
      let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
      if let range = log.range(of: #"Uvicorn running on (http://127\.0\.0\.1:\d+)"#, options: .regularExpression) {
        found = String(log[range].dropFirst("Uvicorn running on ".count))
      }
    }
    url = found ?? ""
    if found == nil { stop() }
  }

  func stop() {
    if group > 0 { kill(-group, SIGKILL) }
  }
}

@Suite(.serialized) struct MLflowRoundTrip {
  /// What MLflow's own client reads back: every run with its parent, params, tags and each
  /// metric's history, and the study run's artifacts.
  func readBack(_ server: MLflowServer, experiment: String) throws -> [String: Any] {
    let python = (mlflow! as NSString).deletingLastPathComponent + "/python"
    let script = """
      import json, sys
      from mlflow.tracking import MlflowClient
      c = MlflowClient(sys.argv[1])
      exp = c.get_experiment_by_name(sys.argv[2])
      runs = c.search_runs([exp.experiment_id], max_results=5000)
      out = {"runs": []}
      for r in runs:
          t = r.data.tags
          out["runs"].append({
              "id": r.info.run_id, "status": r.info.status, "parent": t.get("mlflow.parentRunId"),
              "key": t.get("mnist_report.export_key"), "cache_key": t.get("mnist_report.cache_key"),
              "cell": t.get("mnist_report.cell"), "params": r.data.params,
              "history": {k: [[m.step, m.value] for m in c.get_metric_history(r.info.run_id, k)] for k in r.data.metrics},
          })
          if "mlflow.parentRunId" not in t:
              out["artifacts"] = sorted(a.path for a in c.list_artifacts(r.info.run_id))
              out["models"] = sorted(a.path for a in c.list_artifacts(r.info.run_id, "models"))
      print(json.dumps(out))
      """
    let result = try shell([python, "-c", script, server.url, experiment])
    #expect(result.status == 0, "\(result.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
  }

  @Test(.enabled(if: mlflow != nil || mlflowRequired, "needs the MLflow test peer (MNIST_REPORT_MLFLOW)"))
  func aBuildsRunsReadBackFromARealServer() throws {
    let mlflow = try #require(mlflow, "MNIST_REPORT_MLFLOW names no mlflow executable")
    let scratch = try Scratch()
    defer { scratch.remove() }
    let server = try MLflowServer(mlflow, folder: scratch.path("mlflow"))
    defer { server.stop() }
    try #require(!server.url.isEmpty, "the server did not start: \(scratch.path("mlflow/server.log"))")

    // A quick build whose baseline has repeats (child runs) and whose search has candidates.
    let repeated = renderedStudy.replacingOccurrences(of: "    test: true\n", with: "    test: true\n    repeats: 2\n")
    #expect(repeated != renderedStudy)
    let built = try buildQuick(repeated, in: scratch)
    #expect(built.status == 0, "\(built.stderr)")
    let export = [
      "export", "mlflow", "--tracking-uri", server.url, "--experiment", "quick", "--from", scratch.path("out"),
    ]
    let first = try run(export)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.contains("0 already there"), "\(first.stdout)")

    let results = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path("out/results.json"))))
        as? [String: Any])
    let cells = try #require(results["cells"] as? [[String: Any]])
    var leaves: [String: [[String: Any]]] = [:]  // cache key → its epochs
    var named = 0
    var candidates = 0
    for cell in cells {
      for run in cell["runs"] as? [[String: Any]] ?? [] {
        named += 1
        for record in run["repeats"] as? [[String: Any]] ?? [] {
          leaves[record["key"] as! String] = (record["history"] as? [String: Any])?["epochs"] as? [[String: Any]] ?? []
        }
      }
      // scikit-learn's cv_results_: one entry per candidate in each column.
      let cv = (cell["search"] as? [String: Any])?["cv_results"] as? [String: Any]
      candidates += (cv?["rank_test_score"] as? [Any])?.count ?? 0
    }
    let read = try readBack(server, experiment: "quick")
    let runs = try #require(read["runs"] as? [[String: Any]])
    let withRepeats = cells.flatMap { $0["runs"] as? [[String: Any]] ?? [] }.filter {
      ($0["repeats"] as? [Any])?.count ?? 0 > 1
    }
    #expect(withRepeats.count == 1, "the baseline has repeats")
    let repeats = withRepeats.reduce(0) { $0 + (($1["repeats"] as? [Any])?.count ?? 0) }
    #expect(runs.count == 1 + named + repeats + candidates, "the study, each named run, each repeat, each candidate")
    #expect(runs.allSatisfy { $0["status"] as? String == "FINISHED" })
    // One study run; every other run under it, repeats under their named run.
    let study = try #require(runs.first { $0["parent"] is NSNull || $0["parent"] == nil })
    let ids = Set(runs.compactMap { $0["id"] as? String })
    #expect(runs.filter { !($0["parent"] is String) }.count == 1)
    #expect(runs.allSatisfy { ($0["parent"] as? String).map(ids.contains) ?? true })
    let children = runs.filter { run in runs.contains { ($0["parent"] as? String) == run["id"] as? String } }
    #expect(children.count == 1 + withRepeats.count, "the study run and each repeated run have runs under them")
    // Every epoch of every trained run, as its metrics' history.
    for (key, epochs) in leaves {
      let run = try #require(runs.first { $0["cache_key"] as? String == key }, "run \(key)")
      let history = try #require(run["history"] as? [String: [[Double]]])
      for (metric, field) in [
        ("loss", "train_loss"), ("accuracy", "train_accuracy"), ("val_loss", "val_loss"),
        ("val_accuracy", "val_accuracy"), ("learning_rate", "learning_rate"),
      ] {
        let expected = epochs.map { [($0["epoch"] as! NSNumber).doubleValue, ($0[field] as! NSNumber).doubleValue] }
        #expect(history[metric] == expected, "\(key) \(metric)")
      }
      let params = try #require(run["params"] as? [String: String])
      #expect(params["optimizer"] != nil && params["hidden"]?.hasPrefix("[") == true, "\(params)")
    }
    #expect(study["params"] != nil)
    let artifacts = try #require(read["artifacts"] as? [String])
    for file in ["results.json", "report.md", "report.html", "report.ipynb", "predictions.csv", "figures", "models"] {
      #expect(artifacts.contains(file), "\(file) in \(artifacts)")
    }
    #expect((read["models"] as? [String])?.contains("models/tuned.safetensors") == true, "\(read["models"] ?? "")")

    // Again: nothing new.
    let second = try run(export)
    #expect(second.status == 0, "\(second.stderr)")
    #expect(second.stdout.contains("0 runs created"), "\(second.stdout)")
    #expect(((try readBack(server, experiment: "quick"))["runs"] as? [Any])?.count == runs.count)

    // A server that is not there: the URL and the request named.
    let nowhere = try run(["export", "mlflow", "--tracking-uri", "http://127.0.0.1:9", "--from", scratch.path("out")])
    #expect(nowhere.status != 0)
    #expect(nowhere.stderr.contains("MLflow at http://127.0.0.1:9: GET version: no answer"), "\(nowhere.stderr)")
  }

  /// A server of another version is refused before anything is sent.
  @Test func aServerOfAnotherVersionIsRefused() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    try "1.30.0\n".write(toFile: scratch.path("version"), atomically: true, encoding: .utf8)
    let group = try startInItsOwnSession(
      "python3 -u -m http.server 0 --bind 127.0.0.1 --directory '\(scratch.path(""))' > '\(scratch.path("log"))' 2>&1",
      folder: scratch.path(""))
    defer { if group > 0 { kill(-group, SIGKILL) } }
    var url: String?
    for _ in 0..<80 where url == nil {
      Thread.sleep(forTimeInterval: 0.1)
      let log = (try? String(contentsOfFile: scratch.path("log"), encoding: .utf8)) ?? ""
      if let range = log.range(of: #"port \d+"#, options: .regularExpression) {
        url = "http://127.0.0.1:" + log[range].dropFirst(5)
      }
    }
    let server = try #require(url, "the stand-in server did not start")
    let result = try run([
      "export", "mlflow", "--tracking-uri", server, "--from", packageRoot.appendingPathComponent("reports").path,
    ])
    #expect(result.status != 0)
    #expect(
      result.stderr.contains("MLflow at \(server): GET version: the server says it is version '1.30.0'"),
      "\(result.stderr)")
  }
}

@Suite struct ExportCommandHelp {
  @Test func everyOptionOfExportMLflowHasHelp() throws {
    let result = try run(["export", "mlflow", "--help"])
    #expect(result.status == 0)
    for option in ["--tracking-uri", "--experiment", "--from", "--quiet"] {
      #expect(result.stdout.contains(option), "\(option) is listed")
    }
    let bad = try run(["export", "mlflow", "--tracking-uri", "ftp://example", "--from", packageRoot.path + "/reports"])
    #expect(bad.status != 0)
    #expect(bad.stderr.contains("expected an http:// or https:// URL of a tracking server"), "\(bad.stderr)")
    let missing = try run(["export", "mlflow", "--tracking-uri", "http://127.0.0.1:9", "--from", "/nonexistent"])
    #expect(missing.status != 0 && missing.stderr.contains("/nonexistent"), "\(missing.stderr)")
  }
}
