import KernelCore

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
