import Foundation
import Study
import Testing

/// `plan`, `work` and `slurm submit`, run as a user runs them (the real cluster is in
/// SlurmTests).
@Suite struct ClusterCommands {
  /// Slurm's and Kubernetes' variables removed, so the host's own do not leak in.
  let clean: [String: String?] = [
    "SLURM_ARRAY_TASK_ID": nil, "SLURM_ARRAY_TASK_COUNT": nil, "SLURM_ARRAY_TASK_MIN": nil,
    "JOB_COMPLETION_INDEX": nil, "SLURM_CPUS_PER_TASK": nil,
  ]

  func quick(_ scratch: Scratch) -> [String] { ["--profile", "quick", "--cache", scratch.path("cache")] }

  @Test func planPrintsStagesSplitsAndEstimates() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let result = try run(["plan"] + quick(scratch) + ["--tasks", "4", "--threads", "2"], environment: clean)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("4 stages"))
    #expect(result.stdout.contains("Stage 1: 115 known runs (107 to train, 0 cached, 8 read off)"), "\(result.stdout)")
    #expect(result.stdout.contains("not known until the stages before are finished"))
    #expect(result.stdout.contains("Over 4 tasks of 2 threads each"))
    #expect(result.stdout.contains("Estimated wall time"))
    #expect(result.stdout.contains("Power: the smallest true difference"), "\(result.stdout)")
    #expect(result.stdout.contains("0.10 pt (prior)"))
    for part in ["Memory with 2 runs side by side", "Disk: the cache gains about", "Time: about"] {
      #expect(result.stdout.contains(part), "\(result.stdout)")
    }

    let json = try run(["plan", "--json", "--tasks", "2"] + quick(scratch), environment: clean)
    let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let stages = try #require(document["stages"] as? [[String: Any]])
    #expect(stages.count == 4)
    let tasks = try #require(stages[0]["tasks"] as? [[String: Any]])
    #expect(tasks.count == 2)
    let keys = tasks.flatMap { $0["runs"] as? [String] ?? [] }
    #expect(keys.count == 107 && Set(keys).count == 107, "every scheduled run in one task")
    // Power before anything ran: every comparing cell, on the prior spread.
    let power = try #require(document["power"] as? [[String: Any]])
    #expect(
      power.compactMap { $0["cell"] as? String }
        == ["architecture", "activations", "optimizers", "batch-sizes", "regularization"])
    #expect(power.allSatisfy { $0["observed"] as? Bool == false && $0["sd"] as? Double == PlannedPower.priorSD })
    // Memory before anything ran: every training cell's largest run; the tuned model's
    // candidates include a wider network than the baseline's.
    let memory = try #require(document["memory"] as? [[String: Any]])
    #expect(memory.compactMap { $0["cell"] as? String }.count == 10, "every cell but the data's")
    let bytes = { (id: String) in memory.first { $0["cell"] as? String == id }?["run_bytes"] as? Double ?? 0 }
    #expect(bytes("tuned") > bytes("baseline") && bytes("baseline") > 0)
    let peaks = memory.compactMap { $0["peak_bytes"] as? Double }
    #expect(document["peak_memory"] as? Double == peaks.max() && peaks.allSatisfy { $0 > bytes("tuned") })
    #expect((document["machine_memory"] as? Double ?? 0) > 0)
    let disk = try #require(document["disk"] as? [String: Double])
    #expect((disk["cache_bytes"] ?? 0) > 0 && (disk["output_bytes"] ?? 0) > 0)
    #expect((document["training_seconds"] as? Double ?? 0) > 0)
    #expect(document["complete"] as? Bool == false)
  }

  @Test func workTakesItsTaskFromSlurmOrKubernetesOrItsFlags() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    // Each way of naming the task; the study has nothing to do yet for a task past the split.
    func work(_ flags: [String], _ environment: [String: String?]) throws -> CommandResult {
      try run(["work", "--stage", "2"] + quick(scratch) + flags, environment: clean.merging(environment) { $1 })
    }
    let early = try work([], ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"])
    #expect(early.stderr.contains("--stage 2: its runs are not known until stage 1 is finished"), "\(early.stderr)")
    #expect(early.stderr.contains("stage 1: baseline / baseline, repeat 1/5"))
    #expect(early.status != 0)
    // Which task each way names: --dry-run prints the share without training it.
    func share(_ flags: [String], _ environment: [String: String?]) throws -> String {
      let result = try run(
        ["work", "--dry-run", "--threads", "1"] + quick(scratch) + flags,
        environment: clean.merging(environment) { $1 })
      #expect(result.status == 0, "\(result.stderr)")
      return result.stdout
    }
    // A task run again on its own (--array=3, MIN 3, COUNT 1) is still task 3 of the --tasks.
    let slurm = try share(
      ["--tasks", "4"], ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "1", "SLURM_ARRAY_TASK_MIN": "3"])
    #expect(slurm.hasPrefix("task 3 of 4 on "), "\(slurm)")
    #expect(try share([], ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2"]).hasPrefix("task 1 of 2 on "))
    let kubernetes = try share(["--tasks", "3"], ["JOB_COMPLETION_INDEX": "2"])
    #expect(kubernetes.hasPrefix("task 2 of 3 on ") && kubernetes.contains("stage 1 of 4"), "\(kubernetes)")
    #expect(try share(["--task", "0", "--tasks", "1"], [:]).contains("to train baseline / baseline, repeat 1/5"))
    let missing = try work([], ["JOB_COMPLETION_INDEX": "1"])
    #expect(missing.stderr.contains("JOB_COMPLETION_INDEX is set: give the number of tasks with --tasks"))
    #expect(!FileManager.default.fileExists(atPath: scratch.path("cache/runs")), "a dry run trains nothing")
    let beyond = try work(["--task", "4", "--tasks", "4"], [:])
    #expect(beyond.stderr.contains("--task must be from 0 to 3 for 4 tasks, got 4"))
    let without = try work(["--tasks", "2"], [:])
    #expect(without.stderr.contains("--tasks 2 needs --task"))
    let cpus = try work(["--task", "0", "--tasks", "1"], ["SLURM_CPUS_PER_TASK": "zero"])
    #expect(cpus.stderr.contains("SLURM_CPUS_PER_TASK must be a whole number of at least 1, found 'zero'"))
    let stage = try work(["--stage", "9"], [:])
    #expect(stage.stderr.contains("--stage 9: the study's runs take 4 stages (1–4)"), "\(stage.stderr)")
  }

  @Test func slurmSubmitWritesReadableScriptsAndPrintsTheCommands() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let result = try run(
      [
        "slurm", "submit", "--dry-run", "--tasks", "3", "--partition", "cpu", "--time", "1-02:00:00",
        "--cpus-per-task", "4", "--sbatch-arg=--account=ml", "--out", scratch.path("out"),
      ] + quick(scratch),
      environment: clean)
    #expect(result.status == 0, "\(result.stderr)")
    let folder = scratch.path("out/slurm")
    #expect(result.stdout.contains("job0=$(sbatch --parsable \(folder)/stage-1.sbatch"), "\(result.stdout)")
    #expect(result.stdout.contains("--dependency=afterok:$job0 \(folder)/stage-2.sbatch"))
    #expect(result.stdout.contains("--dependency=afterok:$job3 \(folder)/build.sbatch"))
    let stage = try String(contentsOfFile: folder + "/stage-1.sbatch", encoding: .utf8)
    for line in [
      "#SBATCH --array=0-2", "#SBATCH --cpus-per-task=4", "#SBATCH --partition=cpu", "#SBATCH --time=1-02:00:00",
      "#SBATCH --account=ml", "#SBATCH --kill-on-invalid-dep=yes", "work --stage 1 --tasks 3",
      "--profile quick", "#SBATCH --output=\(folder)/logs/stage-1-%A_%a.out",
    ] {
      #expect(stage.contains(line), "\(line) in stage-1.sbatch")
    }
    let build = try String(contentsOfFile: folder + "/build.sbatch", encoding: .utf8)
    #expect(build.contains(" build --out ") && !build.contains("--array"))
    #expect(FileManager.default.isExecutableFile(atPath: folder + "/submit.sh"))
  }

  @Test func slurmSubmitChecksItsFlags() throws {
    for (flags, message) in [
      (["--time", "soon"], "--time 'soon' is not a Slurm time"),
      (["--tasks", "0"], "--tasks must be from 1 to 10000, got 0"),
      (["--cpus-per-task", "0"], "--cpus-per-task must be from 1 to 4096, got 0"),
      (["--partition", "a b"], "--partition must be a partition's name"),
      (["--sbatch-arg", "account=ml"], "--sbatch-arg 'account=ml' must be one sbatch option"),
    ] {
      let result = try run(["slurm", "submit", "--dry-run"] + flags, environment: clean)
      #expect(result.status != 0)
      #expect(result.stderr.contains(message), "\(flags): \(result.stderr)")
    }
  }
}
