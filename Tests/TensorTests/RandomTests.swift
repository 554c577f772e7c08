import Testing

@testable import Tensor

@Suite struct RandomStreams {
  @Test func splitMixMatchesTheReference() {
    // SplitMix64 seeded with 0: the first output is the widely published 0xe220a8397b1dcdaf.
    var generator = SplitMix64(seed: 0)
    #expect(
      [generator.next(), generator.next(), generator.next()] == [
        0xe220_a839_7b1d_cdaf, 0x6e78_9e6a_a1b9_65f4, 0x06c4_5d18_8009_454f,
      ])
  }

  @Test func xoshiroMatchesTheReference() {
    // From a Python transcription of Blackman & Vigna's xoshiro256** seeded by SplitMix64(42).
    var generator = Xoshiro256(seed: 42)
    #expect(
      (0..<4).map { _ in generator.next() } == [
        0x1578_0b2e_0c2e_c716, 0x6104_d986_6d11_3a7e, 0xae17_5332_39e4_99a1, 0xecb8_ad47_03b3_60a1,
      ])
  }

  @Test func counterRandomIsSplitMixWithRandomAccess() {
    let counter = CounterRandom(key: 1234)
    var sequential = SplitMix64(seed: 1234)
    for i in 0..<10 { #expect(counter.bits(at: UInt64(i)) == sequential.next()) }
  }

  @Test func seedPathsAreStableAndDistinct() {
    let root = SeedPath(42)
    #expect(root.child("shuffle").value == SeedPath(42).child("shuffle").value)
    let values = [
      root.value, root.child("a").value, root.child("b").value, root.child(0).value, root.child(1).value,
      root.child("a").child(0).value, SeedPath(43).value,
    ]
    #expect(Set(values).count == values.count)
  }

  @Test func integersBelowABoundAreUniform() {
    var generator = Xoshiro256(seed: 7)
    var counts = [Int](repeating: 0, count: 6)
    let draws = 60_000
    for _ in 0..<draws { counts[generator.integer(below: 6)] += 1 }
    // Pearson's chi-square with 5 degrees of freedom: 20.5 is its 0.999 quantile.
    let expected = Double(draws) / 6
    let chi2 = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
    #expect(chi2 < 20.5)
    #expect((0..<1000).allSatisfy { _ in generator.integer(below: 1) == 0 })
  }

  @Test func floatsAreInTheUnitInterval() {
    var generator = Xoshiro256(seed: 3)
    var sum = 0.0
    for _ in 0..<10_000 {
      let f = generator.uniformFloat()
      #expect(f >= 0 && f < 1)
      sum += Double(f)
    }
    #expect(abs(sum / 10_000 - 0.5) < 0.01)
  }

  @Test func normalsHaveUnitVariance() {
    var generator = Xoshiro256(seed: 11)
    let draws = (0..<20_000).map { _ in generator.normal() }
    let mean = draws.reduce(0, +) / Double(draws.count)
    let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws.count)
    #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.03)
  }

  @Test func shuffleIsASeededPermutation() {
    var a = Xoshiro256(seed: 5)
    var b = Xoshiro256(seed: 5)
    let p = a.permutation(100)
    #expect(p == b.permutation(100))
    #expect(p.sorted() == Array(0..<100) && p != Array(0..<100))
    // Every position is reachable: over many shuffles of 4 items, all 24 orders appear.
    var orders = Set<[Int]>()
    for _ in 0..<2000 { orders.insert(a.permutation(4)) }
    #expect(orders.count == 24)
  }
}

extension Xoshiro256 {
  /// A uniformly random permutation of `0..<count` (Fisher-Yates, as `shuffle`).
  mutating func permutation(_ count: Int) -> [Int] {
    var values = Array(0..<count)
    shuffle(&values)
    return values
  }
}

/// A counter-based generator: value `i` is `mix64(key + (i+1)·γ)`, the `i`-th output of
/// SplitMix64 started at `key`. Any element can be drawn independently, so threads that
/// split a tensor by rows draw exactly the numbers one thread would.
/// The reference of the dropout kernels' counter stream (`Elementwise.swift`).
struct CounterRandom: Sendable {
  let key: UInt64

  init(key: UInt64) { self.key = key }

  @inlinable @inline(__always)
  func bits(at index: UInt64) -> UInt64 {
    mix64(key &+ (index &+ 1) &* splitMixIncrement)
  }
}
