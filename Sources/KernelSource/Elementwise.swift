import KernelCore

// The elementwise kernels: vectorized math (exp, tanh, sigmoid, erf, GELU), the fused
// row passes of the layers, and the optimizers' updates, written over a generic SIMD vector.
// Everything generic stays in this file, where it is instantiated for the module's vector
// (`ISA.Tile.Vector`): debug builds compile file by file, and only specialize generic code
// within the file that defines it.

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

// Elementwise kernels over one contiguous run of floats (a row, or a slice of one), generic
// over the SIMD vector. The tail shorter than a vector is computed in a zero-padded vector,
// so that every element gets the same bits whatever its position.

@inline(__always)
func load<V: SIMD>(_ p: UnsafePointer<Float>, _ n: Int) -> V where V.Scalar == Float {
  if n == V.scalarCount { return UnsafeRawPointer(p).loadUnaligned(as: V.self) }
  var v = V()
  for i in 0..<n { v[i] = p[i] }
  return v
}

@inline(__always)
func store<V: SIMD>(_ v: V, _ p: UnsafeMutablePointer<Float>, _ n: Int) where V.Scalar == Float {
  if n == V.scalarCount {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
  } else {
    for i in 0..<n { p[i] = v[i] }
  }
}

/// Calls `body(i, n)` for each vector-sized piece of `0..<count`, `n` being the number of
/// valid lanes: whole vectors first, in a loop where `n` is a constant (so that `load` and
/// `store` compile to plain vector moves), then the tail once.
@inline(__always)
func forEachVector<V: SIMD>(_ type: V.Type, _ count: Int, _ body: (Int, Int) -> Void) {
  let whole = count - count % V.scalarCount
  var i = 0
  while i < whole {
    body(i, V.scalarCount)
    i += V.scalarCount
  }
  if i < count { body(i, count - i) }
}

/// `y[i] = f(x[i] + bias[i])` for `i < count` (no bias: `f(x[i])`). `y` may be `x`.
@inline(__always)
func mapRow<V: SIMD>(
  _ type: V.Type, _ x: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>,
  _ count: Int, _ f: (V) -> V
) where V.Scalar == Float {
  if let bias {
    forEachVector(type, count) { i, n in store(f((load(x + i, n) as V) + load(bias + i, n)), y + i, n) }
  } else {
    forEachVector(type, count) { i, n in store(f(load(x + i, n)), y + i, n) }
  }
}

/// `y = activation(x + bias)` over `count` floats.
@inline(__always)
func activateRow<V: SIMD>(
  _ type: V.Type, _ activation: Activation, _ x: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
  _ y: UnsafeMutablePointer<Float>, _ count: Int
) where V.Scalar == Float, V.MaskStorage.Scalar == Int32 {
  switch activation {
  case .identity: mapRow(type, x, bias, y, count) { $0 }
  case .relu: mapRow(type, x, bias, y, count) { floats(bits($0) & ~signMask($0), as: V.self) }
  case .tanh: mapRow(type, x, bias, y, count) { vtanh($0) }
  case .sigmoid: mapRow(type, x, bias, y, count) { vsigmoid($0) }
  case .gelu: mapRow(type, x, bias, y, count) { vgelu($0) }
  }
}

/// `dx = dy · f′`, where f′ comes from the activation's output `y` (relu: y > 0, tanh:
/// 1 − y², sigmoid: y(1 − y)) or, for gelu, from its input `x`. `dx` may be `dy`.
@inline(__always)
func activationGradientRow<V: SIMD>(
  _ type: V.Type, _ activation: Activation, _ y: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
  _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ count: Int
) where V.Scalar == Float, V.MaskStorage.Scalar == Int32 {
  forEachVector(type, count) { i, n in
    let g: V = load(dy + i, n)
    let out: V
    switch activation {
    case .identity: out = g
    case .relu:
      // y > 0 exactly when −bits(y) is negative (y is +0 or positive after a ReLU).
      let active = (0 &- bits(load(y + i, n) as V)) &>> 31
      out = floats(bits(g) & active, as: V.self)
    case .tanh:
      let v: V = load(y + i, n)
      out = g * (splat(1) - v * v)
    case .sigmoid:
      let v: V = load(y + i, n)
      out = g * v * (splat(1) - v)
    case .gelu: out = g * vgeluDerivative(load(x + i, n) as V)
    }
    store(out, dx + i, n)
  }
}

/// `y = x · mask`, the mask being `scale` where a uniform 24-bit draw is below `threshold`
/// (< 2²⁴) and 0 elsewhere: inverted dropout keeps a value with probability threshold / 2²⁴.
///
/// Element i draws the top 24 bits of one half of the 64-bit word `firstWord + i/2` of the
/// counter stream `key` (`mix64(key + (word + 1)·γ)`, SplitMix64's output function): the
/// low half for even i, the high half for odd i. `Words` holds half as many UInt64 lanes as
/// `V` has floats.
@inline(__always)
func bernoulliScaleRow<V: SIMD, Words: SIMD>(
  _ type: V.Type, _ words: Words.Type, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int,
  key: UInt64, firstWord: UInt64, threshold: UInt32, scale: Float
) where V.Scalar == Float, V.MaskStorage.Scalar == Int32, Words.Scalar == UInt64 {
  var lanes = Words()
  for j in 0..<Words.scalarCount { lanes[j] = UInt64(j) }
  let limit = V.MaskStorage(repeating: Int32(bitPattern: threshold))
  let scaleBits = bits(splat(scale) as V)
  forEachVector(type, count) { i, n in
    let word = firstWord &+ UInt64(i / 2)
    var z = (Words(repeating: word &+ 1) &+ lanes) &* splitMixGamma &+ Words(repeating: key)
    z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
    z = z ^ (z &>> 31)
    // The top 24 bits of each half, as non-negative Int32; draw − threshold is negative
    // (its sign fills the lane) exactly when the draw is below the threshold.
    let draw = (unsafeBitCast(z, to: V.MaskStorage.self) &>> 8) & 0x00FF_FFFF
    let keep = (draw &- limit) &>> 31
    store((load(x + i, n) as V) * floats(scaleBits & keep, as: V.self), y + i, n)
  }
}

/// The Weyl increment of SplitMix64.
let splitMixGamma: UInt64 = 0x9E37_79B9_7F4A_7C15

/// `sums[j] (=|+=) Σ_r m[r·stride + j]` for `j < count`, each column summed in row order.
@inline(__always)
func columnSumsRun<V: SIMD>(
  _ type: V.Type, _ m: UnsafePointer<Float>, stride: Int, rows: Int, _ sums: UnsafeMutablePointer<Float>,
  _ count: Int, accumulate: Bool
) where V.Scalar == Float {
  forEachVector(type, count) { j, n in
    var partial = V()
    for r in 0..<rows { partial += load(m + r * stride + j, n) as V }
    store(accumulate ? (load(sums + j, n) as V) + partial : partial, sums + j, n)
  }
}

/// `y = exp(x − shift)` over `count` floats; returns their sum, added in element order.
@inline(__always)
func expShiftedRow<V: SIMD>(
  _ type: V.Type, _ x: UnsafePointer<Float>, shift: Float, _ y: UnsafeMutablePointer<Float>, _ count: Int
) -> Float where V.Scalar == Float, V.MaskStorage.Scalar == Int32 {
  mapRow(type, x, nil, y, count) { vexp($0 - splat(shift)) }
  var sum: Float = 0
  for i in 0..<count { sum += y[i] }
  return sum
}

// The elementwise arithmetic of the optimizers, compiled per instruction set like every hot
// loop. What the optimizers mean, and which reference they follow, is documented in the NN
// module (SGD, RMSprop, Adam, AdamW); these loops only evaluate their formulas lane by
// lane, in the same order of operations as the scalar formulas, without contraction.

/// g = ∇ + λw; b = g (first step) or μb + (1 − d)g; g = g + μb (Nesterov) or b; w = w − lr·g.
@inline(__always)
func sgdRun<V: SIMD>(
  _ type: V.Type, _ u: SGDUpdate, _ w: UnsafeMutablePointer<Float>, _ gradient: UnsafePointer<Float>,
  _ buffer: UnsafeMutablePointer<Float>?, _ count: Int
) where V.Scalar == Float {
  let (lr, mu, decay) = (V(repeating: u.learningRate), V(repeating: u.momentum), V(repeating: u.weightDecay))
  let keep = V(repeating: 1 - u.dampening)
  forEachVector(type, count) { i, n in
    let weights: V = load(w + i, n)
    var g = (load(gradient + i, n) as V) + decay * weights
    if let buffer {
      let b = u.firstStep ? g : mu * (load(buffer + i, n) as V) + keep * g
      store(b, buffer + i, n)
      g = u.nesterov ? g + mu * b : b
    }
    store(weights - lr * g, w + i, n)
  }
}

/// g = ∇ + λw; v = αv + (1 − α)g²; s = g / (√v + ε); with momentum b = μb + s, w = w − lr·b,
/// else w = w − lr·s.
@inline(__always)
func rmspropRun<V: SIMD>(
  _ type: V.Type, _ u: RMSpropUpdate, _ w: UnsafeMutablePointer<Float>, _ gradient: UnsafePointer<Float>,
  _ square: UnsafeMutablePointer<Float>, _ buffer: UnsafeMutablePointer<Float>, _ count: Int
) where V.Scalar == Float {
  let (lr, alpha, eps) = (V(repeating: u.learningRate), V(repeating: u.alpha), V(repeating: u.epsilon))
  let (rest, mu, decay) = (V(repeating: 1 - u.alpha), V(repeating: u.momentum), V(repeating: u.weightDecay))
  forEachVector(type, count) { i, n in
    let weights: V = load(w + i, n)
    let g = (load(gradient + i, n) as V) + decay * weights
    let v = alpha * (load(square + i, n) as V) + rest * g * g
    store(v, square + i, n)
    let step = g / (v.squareRoot() + eps)
    if u.momentum != 0 {
      let b = mu * (load(buffer + i, n) as V) + step
      store(b, buffer + i, n)
      store(weights - lr * b, w + i, n)
    } else {
      store(weights - lr * step, w + i, n)
    }
  }
}

/// w = w·shrink; g = ∇ + l2·w; m = β₁m + (1 − β₁)g; v = β₂v + (1 − β₂)g²;
/// w = w − stepSize·m / (√v / correction + ε).
@inline(__always)
func adamRun<V: SIMD>(
  _ type: V.Type, _ u: AdamUpdate, _ w: UnsafeMutablePointer<Float>, _ gradient: UnsafePointer<Float>,
  _ first: UnsafeMutablePointer<Float>, _ second: UnsafeMutablePointer<Float>, _ count: Int
) where V.Scalar == Float {
  let (b1, b2, r1, r2) = (
    V(repeating: u.beta1), V(repeating: u.beta2), V(repeating: 1 - u.beta1), V(repeating: 1 - u.beta2)
  )
  let (size, correction, eps) = (V(repeating: u.stepSize), V(repeating: u.correction), V(repeating: u.epsilon))
  let (l2, shrink) = (V(repeating: u.l2), V(repeating: u.shrink))
  let decoupled = u.shrink != 1
  forEachVector(type, count) { i, n in
    var weights: V = load(w + i, n)
    if decoupled { weights = weights * shrink }
    let g = (load(gradient + i, n) as V) + l2 * weights
    let m = b1 * (load(first + i, n) as V) + r1 * g
    let v = b2 * (load(second + i, n) as V) + r2 * g * g
    store(m, first + i, n)
    store(v, second + i, n)
    store(weights - size * m / (v.squareRoot() / correction + eps), w + i, n)
  }
}

// MARK: - This module's instances

typealias Lanes = ISA.Tile.Vector

let activateKernel:
  @Sendable (
    Activation, UnsafePointer<Float>, UnsafePointer<Float>?, UnsafeMutablePointer<Float>, Int
  ) -> Void = { activateRow(Lanes.self, $0, $1, $2, $3, $4) }

let activationGradientKernel:
  @Sendable (
    Activation, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int
  ) -> Void = { activationGradientRow(Lanes.self, $0, $1, $2, $3, $4, $5) }

let bernoulliScaleKernel:
  @Sendable (
    UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, UInt64, UInt64, UInt32, Float
  ) -> Void = { x, y, count, key, firstWord, threshold, scale in
    bernoulliScaleRow(
      Lanes.self, ISA.Words.self, x, y, count, key: key, firstWord: firstWord, threshold: threshold, scale: scale)
  }

let columnSumsKernel: @Sendable (UnsafePointer<Float>, Int, Int, UnsafeMutablePointer<Float>, Int, Bool) -> Void = {
  columnSumsRun(Lanes.self, $0, stride: $1, rows: $2, $3, $4, accumulate: $5)
}

let expShiftedKernel: @Sendable (UnsafePointer<Float>, Float, UnsafeMutablePointer<Float>, Int) -> Float = {
  expShiftedRow(Lanes.self, $0, shift: $1, $2, $3)
}

let sgdKernel:
  @Sendable (
    SGDUpdate, UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>?, Int
  ) -> Void = { sgdRun(Lanes.self, $0, $1, $2, $3, $4) }

let rmspropKernel:
  @Sendable (
    RMSpropUpdate, UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
    UnsafeMutablePointer<Float>, Int
  ) -> Void = { rmspropRun(Lanes.self, $0, $1, $2, $3, $4, $5) }

let adamKernel:
  @Sendable (
    AdamUpdate, UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>,
    UnsafeMutablePointer<Float>, Int
  ) -> Void = { adamRun(Lanes.self, $0, $1, $2, $3, $4, $5) }
