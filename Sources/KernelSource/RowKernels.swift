import KernelCore

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
