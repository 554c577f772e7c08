// Vectorized transcendental functions over any Float SIMD vector. Every step is a lane-wise
// IEEE operation or a fused multiply-add, so each ISA module computes the same bits.
//
// exp and tanh use the Cephes single-precision polynomials (S. L. Moshier), erf uses
// Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7).

@inline(__always)
func splat<V: SIMD>(_ value: Float) -> V where V.Scalar == Float { V(repeating: value) }

/// `c + p·x`, one step of Horner's rule.
@inline(__always)
func horner<V: SIMD>(_ c: Float, _ p: V, _ x: V) -> V where V.Scalar == Float {
  V(repeating: c).addingProduct(p, x)
}

@inline(__always)
func bits<V: SIMD>(_ x: V) -> V.MaskStorage where V.Scalar == Float, V.MaskStorage.Scalar == Int32 {
  unsafeBitCast(x, to: V.MaskStorage.self)
}

@inline(__always)
func floats<V: SIMD>(_ x: V.MaskStorage, as: V.Type) -> V where V.Scalar == Float, V.MaskStorage.Scalar == Int32 {
  unsafeBitCast(x, to: V.self)
}

/// All ones in the lanes whose sign bit is set (negative numbers, −0), zeros elsewhere.
@inline(__always)
func signMask<V: SIMD>(_ x: V) -> V.MaskStorage where V.Scalar == Float, V.MaskStorage.Scalar == Int32 {
  bits(x) &>> 31
}

/// `a` in the lanes where `mask` is all ones, `b` where it is zero. (A bitwise select:
/// `replacing(with:where:)` compiles to a loop over the lanes.)
@inline(__always)
func select<V: SIMD>(_ mask: V.MaskStorage, _ a: V, _ b: V) -> V
where V.Scalar == Float, V.MaskStorage.Scalar == Int32 {
  floats((bits(a) & mask) | (bits(b) & ~mask), as: V.self)
}

/// |x|, by clearing the sign bit.
@inline(__always)
func vabs<V: SIMD>(_ x: V) -> V where V.Scalar == Float, V.MaskStorage.Scalar == Int32 {
  floats(bits(x) & 0x7FFF_FFFF, as: V.self)
}

/// eˣ, with x clamped to [−87.34, 88.38] so that the result stays a normal float.
@inline(__always)
func vexp<V: SIMD>(_ input: V) -> V where V.Scalar == Float, V.MaskStorage.Scalar == Int32 {
  // min/max rather than `clamped`, which compiles to a loop over the lanes.
  let x = pointwiseMin(pointwiseMax(input, splat(-87.336_54)), splat(88.376_26))
  let n = (x * splat(1.442_695_04)).rounded(.toNearestOrEven)
  // r = x − n·ln 2, with ln 2 split in two so that n·ln2₁ is exact.
  var r = x.addingProduct(n, splat(-0.693_359_375))
  r = r.addingProduct(n, splat(2.121_944_4e-4))
  var p: V = splat(1.987_569_15e-4)
  p = horner(1.398_199_95e-3, p, r)
  p = horner(8.333_451_9e-3, p, r)
  p = horner(4.166_579_6e-2, p, r)
  p = horner(1.666_666_55e-1, p, r)
  p = horner(5.000_000_1e-1, p, r)
  let e = (r + splat(1)).addingProduct(p, r * r)
  // 2ⁿ: adding 1.5·2²³ leaves the integer n in the low mantissa bits (|n| < 2²²).
  let magic: V = splat(12_582_912)
  let integer = bits(n + magic) &- bits(magic)
  return e * floats((integer &+ 127) &<< 23, as: V.self)
}

/// The hyperbolic tangent: an odd polynomial for |x| < 0.625, else ±(1 − 2 / (e^{2|x|} + 1)).
@inline(__always)
func vtanh<V: SIMD>(_ x: V) -> V where V.Scalar == Float, V.MaskStorage.Scalar == Int32 {
  let z = x * x
  var p: V = splat(-5.704_988_7e-3)
  p = horner(2.063_908_9e-2, p, z)
  p = horner(-5.373_971_6e-2, p, z)
  p = horner(1.333_144_2e-1, p, z)
  p = horner(-3.333_328_2e-1, p, z)
  let small = x.addingProduct(x * z, p)
  let a = vabs(x)
  let magnitude = splat(1) - splat(2) / (vexp(a + a) + splat(1))
  // Copy x's sign onto the magnitude.
  let signed = floats(bits(magnitude) | (bits(x) & Int32.min), as: V.self)
  // |x| ≥ 0.625, comparing the bit patterns of non-negative floats as integers.
  let large = (bits(splat(0.625) as V) &- 1 &- bits(a)) &>> 31
  return select(large, signed, small)
}

/// The logistic function 1 / (1 + e⁻ˣ).
@inline(__always)
func vsigmoid<V: SIMD>(_ x: V) -> V where V.Scalar == Float, V.MaskStorage.Scalar == Int32 {
  splat(1) / (splat(1) + vexp(-x))
}

/// erf(x), odd-extended from Abramowitz & Stegun 7.1.26.
@inline(__always)
func verf<V: SIMD>(_ x: V) -> V where V.Scalar == Float, V.MaskStorage.Scalar == Int32 {
  let a = vabs(x)
  let t = splat(1) / (splat(1) as V).addingProduct(a, splat(0.327_591_1))
  var p: V = splat(1.061_405_429)
  p = horner(-1.453_152_027, p, t)
  p = horner(1.421_413_741, p, t)
  p = horner(-0.284_496_736, p, t)
  p = horner(0.254_829_592, p, t)
  let y = splat(1) - p * t * vexp(-(a * a))
  return floats(bits(y) | (bits(x) & Int32.min), as: V.self)
}

/// GELU with the exact Gaussian CDF, as PyTorch's `GELU(approximate='none')`:
/// x · Φ(x) = x · (1 + erf(x / √2)) / 2.
@inline(__always)
func vgelu<V: SIMD>(_ x: V) -> V where V.Scalar == Float, V.MaskStorage.Scalar == Int32 {
  x * splat(0.5) * (splat(1) + verf(x * splat(0.707_106_77)))
}

/// d GELU / dx = Φ(x) + x · φ(x), with φ the standard normal density.
@inline(__always)
func vgeluDerivative<V: SIMD>(_ x: V) -> V where V.Scalar == Float, V.MaskStorage.Scalar == Int32 {
  let cdf = splat(0.5) * (splat(1) + verf(x * splat(0.707_106_77)))
  let density = splat(0.398_942_3) * vexp(x * x * splat(-0.5))
  return cdf.addingProduct(x, density)
}
