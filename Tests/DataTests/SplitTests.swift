import Tensor
import Testing

@testable import Data

@Suite struct Splitting {
  @Test func quotasSumExactlyAndFollowProportions() {
    #expect(StratifiedSplit.quotas(classCounts: [5, 5], total: 3) == [2, 1])  // tie: lower class first
    #expect(StratifiedSplit.quotas(classCounts: [1, 2, 7], total: 5) == [1, 1, 3])  // 0.5, 1.0, 3.5
    #expect(StratifiedSplit.quotas(classCounts: [10, 0, 10], total: 20) == [10, 0, 10])
    let mnist = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    let quotas = StratifiedSplit.quotas(classCounts: mnist, total: 6000)
    #expect(quotas.reduce(0, +) == 6000)
    for (q, n) in zip(quotas, mnist) { #expect(abs(Double(q) - Double(n) / 10) < 1) }
  }

  @Test func splitIsStratifiedDisjointAndSeeded() {
    let labels = (0..<1000).map { Int32($0 % 7 == 0 ? 3 : $0 % 10) }
    let a = StratifiedSplit.split(labels: labels, heldOut: 100, seed: SeedPath(1))
    let b = StratifiedSplit.split(labels: labels, heldOut: 100, seed: SeedPath(1))
    let c = StratifiedSplit.split(labels: labels, heldOut: 100, seed: SeedPath(2))
    #expect(a.train == b.train && a.heldOut == b.heldOut)
    #expect(a.heldOut != c.heldOut)
    #expect(a.heldOut.count == 100 && a.train.count == 900)
    #expect(Set(a.train).isDisjoint(with: a.heldOut))
    #expect((a.train + a.heldOut).sorted() == Array(0..<1000))
    #expect(a.train == a.train.sorted())
    let counts = (0..<10).map { label in labels.filter { $0 == label }.count }
    let held = (0..<10).map { label in a.heldOut.filter { labels[$0] == label }.count }
    #expect(held == StratifiedSplit.quotas(classCounts: counts, total: 100))
  }

  @Test func foldsAreBalancedPerClass() {
    let labels = (0..<103).map { Int32($0 % 3) }
    let folds = StratifiedSplit.foldAssignment(labels: labels, folds: 5, seed: SeedPath(9))
    let sizes = (0..<5).map { f in folds.filter { $0 == f }.count }
    #expect(sizes.max()! - sizes.min()! <= 1)
    for label in 0..<3 {
      let perFold = (0..<5).map { f in labels.indices.filter { labels[$0] == label && folds[$0] == f }.count }
      #expect(perFold.max()! - perFold.min()! <= 1)
    }
    #expect(folds == StratifiedSplit.foldAssignment(labels: labels, folds: 5, seed: SeedPath(9)))
  }

  @Test func batchesVisitEveryImageOncePerEpochInASeededOrder() {
    let images = Images(
      pixels: (0..<50).map { Float($0) }, labels: (0..<25).map { Int32($0 % 10) }, rows: 1, columns: 2)
    var batches = ShuffledBatches(images, batchSize: 4, seed: SeedPath(5))
    #expect(batches.batchCount == 7)
    var pixels = [Float](repeating: -1, count: 8)
    var labels = [Int32](repeating: -1, count: 4)
    var orders: [[Int32]] = []
    for epoch in 0..<2 {
      batches.start(epoch: epoch)
      var seen: [Int32] = []
      for b in 0..<batches.batchCount {
        let rows = batches.copy(batch: b, pixels: &pixels, labels: &labels)
        #expect(rows == (b == 6 ? 1 : 4))
        let indices = Array(batches.indices(ofBatch: b))
        for (r, index) in indices.enumerated() {
          #expect(pixels[2 * r] == Float(2 * index) && labels[r] == index % 10)
        }
        seen += indices
      }
      #expect(seen.sorted() == Array(0..<25))
      orders.append(seen)
    }
    #expect(orders[0] != orders[1])
    var again = ShuffledBatches(images, batchSize: 4, seed: SeedPath(5))
    again.start(epoch: 1)
    #expect((0..<7).flatMap { Array(again.indices(ofBatch: $0)) } == orders[1])
  }

  @Test func standardizedSplitHasZeroMeanUnitStd() throws {
    let dataset = try DatasetLoader.load(try DatasetSource.builtIn("mnist"))
    let prepared = PreparedData(dataset, validationCount: 6000, seed: 42, normalization: .standardize)
    #expect(prepared.train.count == 54_000 && prepared.validation.count == 6000 && prepared.test.count == 10_000)
    let stats = prepared.train.pixelStatistics()
    #expect(abs(stats.mean) < 1e-4 && abs(stats.std - 1) < 1e-4)
    #expect(Set(prepared.trainIndices).isDisjoint(with: prepared.validationIndices))
  }
}
