#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// Seeded random numbers whose every algorithm is ours, so that a seed gives the same
// bits on every Swift release: the standard library's `shuffle()` and `random(in:)`
// do not promise a fixed algorithm.

/// The SplitMix64 output function (Steele, Lea & Flood, 2014): a bijective 64-bit mix.
@inlinable @inline(__always)
public func mix64(_ value: UInt64) -> UInt64 {
  var z = value
  z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
  z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
  return z ^ (z >> 31)
}

/// The Weyl increment of SplitMix64 (the golden ratio in 64-bit fixed point).
public let splitMixIncrement: UInt64 = 0x9E37_79B9_7F4A_7C15

/// SplitMix64: a tiny generator used to expand one seed into the state of another.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  public var state: UInt64

  public init(seed: UInt64) { state = seed }

  @inlinable
  public mutating func next() -> UInt64 {
    state &+= splitMixIncrement
    return mix64(state)
  }
}

/// Derives independent seeds from one study seed and a path of labels, for example
/// `SeedPath(42).child("shuffle").child(epoch)`. Labels are hashed with FNV-1a, which
/// is fixed, unlike Swift's per-process randomized `Hasher`.
public struct SeedPath: Sendable, Hashable {
  public let value: UInt64

  public init(_ seed: UInt64) { value = mix64(seed &+ splitMixIncrement) }

  public func child(_ label: String) -> SeedPath {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in label.utf8 {
      hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }
    return SeedPath(mixed: value, with: hash)
  }

  public func child(_ index: Int) -> SeedPath {
    SeedPath(mixed: value, with: UInt64(bitPattern: Int64(index)))
  }

  private init(mixed parent: UInt64, with label: UInt64) {
    value = mix64(parent ^ mix64(label &+ 0x632B_E59B_D9B4_E019))
  }

  /// A sequential generator seeded from this path.
  public var generator: Xoshiro256 { Xoshiro256(seed: value) }
}

/// xoshiro256** 1.0 (Blackman & Vigna, 2018), seeded through SplitMix64 as its authors
/// recommend. The sequential generator for initialization, shuffling and sampling.
public struct Xoshiro256: RandomNumberGenerator, Sendable {
  @usableFromInline var s0, s1, s2, s3: UInt64

  public init(seed: UInt64) {
    var seeder = SplitMix64(seed: seed)
    s0 = seeder.next()
    s1 = seeder.next()
    s2 = seeder.next()
    s3 = seeder.next()
  }

  @inlinable
  public mutating func next() -> UInt64 {
    let result = rotateLeft(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotateLeft(s3, 45)
    return result
  }

  @inlinable @inline(__always)
  func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

extension RandomNumberGenerator {
  /// A uniform Float in [0, 1) with 24 random bits.
  @inlinable
  public mutating func uniformFloat() -> Float {
    Float(next() >> 40) * 0x1p-24
  }

  /// A uniform Double in [0, 1) with 53 random bits.
  @inlinable
  public mutating func uniformDouble() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// A uniform integer in `0..<bound`, without bias (Lemire's multiply-and-reject method).
  @inlinable
  public mutating func integer(below bound: Int) -> Int {
    precondition(bound > 0, "integer(below:) needs a positive bound")
    let range = UInt64(bound)
    var product = next().multipliedFullWidth(by: range)
    if product.low < range {
      let threshold = (0 &- range) % range
      while product.low < threshold {
        product = next().multipliedFullWidth(by: range)
      }
    }
    return Int(product.high)
  }

  /// A standard normal draw (Box-Muller in Double precision; one draw per call, so the
  /// stream position never depends on a cached second value).
  @inlinable
  public mutating func normal() -> Double {
    let u1 = 1.0 - uniformDouble()  // (0, 1]: the logarithm stays finite
    let u2 = uniformDouble()
    return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
  }

  /// Shuffles `values` in place (Fisher-Yates, from the last position down).
  @inlinable
  public mutating func shuffle<C: MutableCollection & RandomAccessCollection>(_ values: inout C)
  where C.Index == Int {
    var i = values.count - 1
    while i > 0 {
      let j = integer(below: i + 1)
      values.swapAt(values.startIndex + i, values.startIndex + j)
      i -= 1
    }
  }
}
