import Foundation
import Study
import Tensor

/// One matrix product of a training step: C (m × n) = A (m × k) · B (k × n), either operand
/// possibly transposed.
public struct GEMMShape: Codable, Hashable, Sendable {
  public let m, n, k: Int
  public let transA, transB: Bool

  public init(m: Int, n: Int, k: Int, transA: Bool, transB: Bool) {
    (self.m, self.n, self.k, self.transA, self.transB) = (m, n, k, transA, transB)
  }

  /// The products of a network's hidden layers in one training step, for batches of
  /// `batch` images of `features` pixels: every forward product (A·B), then every weight
  /// gradient (Aᵀ·B), then every input gradient (A·Bᵀ).
  public static func hiddenLayers(of settings: RunSettings, features: Int) -> [GEMMShape] {
    let widths = [features] + settings.hidden
    let layers = zip(widths, widths.dropFirst()).map { (input: $0, output: $1) }
    let batch = settings.batchSize
    return layers.map { GEMMShape(m: batch, n: $0.output, k: $0.input, transA: false, transB: false) }
      + layers.map { GEMMShape(m: $0.input, n: $0.output, k: batch, transA: true, transB: false) }
      + layers.map { GEMMShape(m: batch, n: $0.input, k: $0.output, transA: false, transB: true) }
  }

  public var label: String { "\(m)×\(k)·\(k)×\(n) \(transA ? "Aᵀ" : "A")·\(transB ? "Bᵀ" : "B")" }
  var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
}

/// GFLOP/s of our product on dense random matrices: the median of several timed rounds.
public func measureGEMM(_ shape: GEMMShape, threads: Int, rounds: Int) -> Double {
  let context = ComputeContext(threads: threads)
  var generator = Xoshiro256(seed: 1)
  let a = (0..<(shape.m * shape.k)).map { _ in generator.uniformFloat() + 0.5 }
  let b = (0..<(shape.k * shape.n)).map { _ in generator.uniformFloat() + 0.5 }
  var c = [Float](repeating: 0, count: shape.m * shape.n)
  let lda = shape.transA ? shape.m : shape.k
  let ldb = shape.transB ? shape.k : shape.n
  let run = {
    context.multiply(
      a, lda: lda, transposeA: shape.transA, b, ldb: ldb, transposeB: shape.transB, into: &c, ldc: shape.n,
      m: shape.m, n: shape.n, k: shape.k)
  }
  let perRound = max(5, Int(0.03 / (shape.flops / 100e9)))
  for _ in 0..<perRound { run() }
  var times: [Double] = []
  for _ in 0..<rounds {
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<perRound { run() }
    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(perRound))
  }
  return shape.flops / median(times) / 1e9
}

/// numpy's (OpenBLAS's) GFLOP/s for the same shapes, measured by `python3` in this run, or
/// `nil` when python3 with numpy is not installed. numpy is only a yardstick here.
public func measureNumpyGEMM(_ shapes: [GEMMShape], threads: Int, rounds: Int) -> [GEMMShape: Double]? {
  let script = """
    import json, sys, time
    import numpy as np
    rounds = int(sys.argv[1])
    out = []
    for m, n, k, ta, tb in json.loads(sys.stdin.read()):
        rng = np.random.default_rng(1)
        A = (rng.random((k, m) if ta else (m, k), dtype=np.float32) + 0.5)
        B = (rng.random((n, k) if tb else (k, n), dtype=np.float32) + 0.5)
        a = A.T if ta else A
        b = B.T if tb else B
        C = np.empty((m, n), dtype=np.float32)
        per = max(5, int(0.03 / (2 * m * n * k / 100e9)))
        for _ in range(per): np.matmul(a, b, out=C)
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            for _ in range(per): np.matmul(a, b, out=C)
            times.append((time.perf_counter() - t) / per)
        times.sort()
        out.append(2 * m * n * k / times[len(times) // 2] / 1e9)
    print(json.dumps(out))
    """
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["python3", "-c", script, String(rounds)]
  var environment = ProcessInfo.processInfo.environment
  for name in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] { environment[name] = String(threads) }
  process.environment = environment
  let input = Pipe()
  let output = Pipe()
  process.standardInput = input
  process.standardOutput = output
  process.standardError = FileHandle.nullDevice
  do { try process.run() } catch { return nil }
  let request = shapes.map { [$0.m, $0.n, $0.k, $0.transA ? 1 : 0, $0.transB ? 1 : 0] }
  input.fileHandleForWriting.write(try! JSONEncoder().encode(request))
  try? input.fileHandleForWriting.close()
  let data = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0, let values = try? JSONDecoder().decode([Double].self, from: data),
    values.count == shapes.count
  else { return nil }
  return Dictionary(uniqueKeysWithValues: zip(shapes, values))
}
