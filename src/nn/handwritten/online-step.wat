;; The hand-written engine's whole online (batch-1) SGD step in WebAssembly SIMD, single precision:
;; every layer's forward pass, backpropagation and update in one call. The plain kernel beside it
;; (online-step.ts, plainStep) computes the same numbers, bit for bit: every product and sum is
;; one float32 operation (f32x4 lanes here, Math.fround there) in the same order per element.
;;
;; Layout (online-step.ts builds it): each layer k has a record of i32 fields (byte offsets into
;; the memory, see the R_* constants there) and float32 buffers whose rows are padded with zeros
;; to a multiple of four columns ("stride"), so every inner loop runs on whole f32x4 vectors.
;; Each layer's update is deferred to its next forward pass, which applies it to each weight while
;; it reads it (W is read and written once there, read once more by backpropagation):
;;   forward   W[i, j] = W[i, j] - p[i] g[j];  out[j] = (((b[j] + x[i0] W[i0, j]) + ...) in row order
;;   backward  below[i] = f'(sum_j delta[j] W[i, j])  (four lane sums, then (s0 + s1) + (s2 + s3))
;;             g = lr delta;  b = b - g;  p = this step's input (the update the next forward applies)
;;
;; Activation codes (online-step.ts, onlineActivationCode): 0 sigmoid, 1 relu, 2 tanh, 3 linear.
;; Each layer's a = f(z) is one call to the host (online-step.ts, activateLayer: Math.exp and
;; Math.tanh in double, rounded once to float32), the function the plain kernel calls too.
;;
;; Compiled into online-step-wasm.ts by `node tools/build-wasm.mjs` (wabt); the test
;; spec/engine-online-step.spec.ts fails when that file and this one disagree.
(module
  (import "env" "memory" (memory 1))
  ;; a = f(z) over a layer's n outputs at byte offset $at, by the host (online-step.ts, activateLayer):
  ;; one call per layer rather than one per unit, and the same code as the plain kernel's.
  (import "host" "activateLayer" (func $activate_layer (param $at i32) (param $n i32) (param $act i32)))

  ;; s f'(z), with f' written through the output a = f(z), in PyTorch's order:
  ;; sigmoid (s (1 - a)) a, relu (a > 0 ? s : 0), tanh s (1 - a a), linear s.
  (func $derive (param $s f32) (param $a f32) (param $act i32) (result f32)
    (if (result f32) (i32.eq (local.get $act) (i32.const 0))
      (then (f32.mul (f32.mul (local.get $s) (f32.sub (f32.const 1) (local.get $a))) (local.get $a)))
      (else (if (result f32) (i32.eq (local.get $act) (i32.const 1))
        (then (select (local.get $s) (f32.const 0) (f32.gt (local.get $a) (f32.const 0))))
        (else (if (result f32) (i32.eq (local.get $act) (i32.const 2))
          (then (f32.mul (local.get $s) (f32.sub (f32.const 1) (f32.mul (local.get $a) (local.get $a)))))
          (else (local.get $s))))))))

  ;; One layer's forward pass with its deferred update: record fields (bytes) 0 fanIn, 4 stride
  ;; bytes, 8 W, 12 b, 16 in, 20 out, 24 delta, 28 p, 32 g, 36 activation, 40 fanOut, 44 padded
  ;; fanIn bytes.
  (func $forward (param $rec i32)
    (local $fanIn i32) (local $sb i32) (local $w i32) (local $in i32) (local $out i32) (local $p i32) (local $g i32)
    (local $i i32) (local $j i32) (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local $gv v128) (local $v v128) (local $acc v128)
    (local.set $fanIn (i32.load offset=0 (local.get $rec)))
    (local.set $sb (i32.load offset=4 (local.get $rec)))
    (local.set $w (i32.load offset=8 (local.get $rec)))
    (local.set $in (i32.load offset=16 (local.get $rec)))
    (local.set $out (i32.load offset=20 (local.get $rec)))
    (local.set $p (i32.load offset=28 (local.get $rec)))
    (local.set $g (i32.load offset=32 (local.get $rec)))
    ;; out = b
    (memory.copy (local.get $out) (i32.load offset=12 (local.get $rec)) (local.get $sb))
    ;; rows in groups of four: each weight updated, stored, and added to its column's sum
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $fanIn)))
        (local.set $x0 (v128.load32_splat offset=0 (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $x1 (v128.load32_splat offset=4 (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $x2 (v128.load32_splat offset=8 (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $x3 (v128.load32_splat offset=12 (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $p0 (v128.load32_splat offset=0 (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $p1 (v128.load32_splat offset=4 (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $p2 (v128.load32_splat offset=8 (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $p3 (v128.load32_splat offset=12 (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $w0 (i32.add (local.get $w) (i32.mul (local.get $i) (local.get $sb))))
        (local.set $w1 (i32.add (local.get $w0) (local.get $sb)))
        (local.set $w2 (i32.add (local.get $w1) (local.get $sb)))
        (local.set $w3 (i32.add (local.get $w2) (local.get $sb)))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $sb)))
            (local.set $gv (v128.load (i32.add (local.get $g) (local.get $j))))
            (local.set $v (f32x4.sub (v128.load (i32.add (local.get $w0) (local.get $j))) (f32x4.mul (local.get $p0) (local.get $gv))))
            (v128.store (i32.add (local.get $w0) (local.get $j)) (local.get $v))
            (local.set $acc (f32x4.add (v128.load (i32.add (local.get $out) (local.get $j))) (f32x4.mul (local.get $x0) (local.get $v))))
            (local.set $v (f32x4.sub (v128.load (i32.add (local.get $w1) (local.get $j))) (f32x4.mul (local.get $p1) (local.get $gv))))
            (v128.store (i32.add (local.get $w1) (local.get $j)) (local.get $v))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $x1) (local.get $v))))
            (local.set $v (f32x4.sub (v128.load (i32.add (local.get $w2) (local.get $j))) (f32x4.mul (local.get $p2) (local.get $gv))))
            (v128.store (i32.add (local.get $w2) (local.get $j)) (local.get $v))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $x2) (local.get $v))))
            (local.set $v (f32x4.sub (v128.load (i32.add (local.get $w3) (local.get $j))) (f32x4.mul (local.get $p3) (local.get $gv))))
            (v128.store (i32.add (local.get $w3) (local.get $j)) (local.get $v))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $x3) (local.get $v))))
            (v128.store (i32.add (local.get $out) (local.get $j)) (local.get $acc))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))
    ;; the rows left over, one by one
    (block $rest_done
      (loop $rest
        (br_if $rest_done (i32.ge_u (local.get $i) (local.get $fanIn)))
        (local.set $x0 (v128.load32_splat (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $p0 (v128.load32_splat (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $w0 (i32.add (local.get $w) (i32.mul (local.get $i) (local.get $sb))))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $sb)))
            (local.set $v (f32x4.sub (v128.load (i32.add (local.get $w0) (local.get $j)))
              (f32x4.mul (local.get $p0) (v128.load (i32.add (local.get $g) (local.get $j))))))
            (v128.store (i32.add (local.get $w0) (local.get $j)) (local.get $v))
            (v128.store (i32.add (local.get $out) (local.get $j))
              (f32x4.add (v128.load (i32.add (local.get $out) (local.get $j))) (f32x4.mul (local.get $x0) (local.get $v))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rest)))
    ;; a = f(z) on the real columns
    (call $activate_layer (local.get $out) (i32.load offset=40 (local.get $rec)) (i32.load offset=36 (local.get $rec))))

  ;; The first layer's forward pass with its deferred update, on its tiled layout: tiles of 4 rows x
  ;; 4 columns (64 bytes, one cache line), row group after row group, so the loop walks the weights
  ;; as one sequential stream with one pointer and constant offsets. Each column's sum is taken in
  ;; row order, as $forward takes it. Rows beyond the last whole group sit in the first fanIn mod 4
  ;; slots of their tiles; the other slots stay zero and are never read.
  (func $forward_tiled (param $rec i32)
    (local $fanIn i32) (local $sb i32) (local $t i32) (local $in i32) (local $out i32) (local $p i32) (local $g i32)
    (local $i i32) (local $j i32) (local $q i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local $gv v128) (local $v v128) (local $acc v128)
    (local.set $fanIn (i32.load offset=0 (local.get $rec)))
    (local.set $sb (i32.load offset=4 (local.get $rec)))
    (local.set $t (i32.load offset=8 (local.get $rec)))
    (local.set $in (i32.load offset=16 (local.get $rec)))
    (local.set $out (i32.load offset=20 (local.get $rec)))
    (local.set $p (i32.load offset=28 (local.get $rec)))
    (local.set $g (i32.load offset=32 (local.get $rec)))
    (memory.copy (local.get $out) (i32.load offset=12 (local.get $rec)) (local.get $sb))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $fanIn)))
        (local.set $q (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $x0 (v128.load32_splat offset=0 (local.get $q)))
        (local.set $x1 (v128.load32_splat offset=4 (local.get $q)))
        (local.set $x2 (v128.load32_splat offset=8 (local.get $q)))
        (local.set $x3 (v128.load32_splat offset=12 (local.get $q)))
        (local.set $q (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $p0 (v128.load32_splat offset=0 (local.get $q)))
        (local.set $p1 (v128.load32_splat offset=4 (local.get $q)))
        (local.set $p2 (v128.load32_splat offset=8 (local.get $q)))
        (local.set $p3 (v128.load32_splat offset=12 (local.get $q)))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $sb)))
            (local.set $gv (v128.load (i32.add (local.get $g) (local.get $j))))
            (local.set $v (f32x4.sub (v128.load offset=0 (local.get $t)) (f32x4.mul (local.get $p0) (local.get $gv))))
            (v128.store offset=0 (local.get $t) (local.get $v))
            (local.set $acc (f32x4.add (v128.load (i32.add (local.get $out) (local.get $j))) (f32x4.mul (local.get $x0) (local.get $v))))
            (local.set $v (f32x4.sub (v128.load offset=16 (local.get $t)) (f32x4.mul (local.get $p1) (local.get $gv))))
            (v128.store offset=16 (local.get $t) (local.get $v))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $x1) (local.get $v))))
            (local.set $v (f32x4.sub (v128.load offset=32 (local.get $t)) (f32x4.mul (local.get $p2) (local.get $gv))))
            (v128.store offset=32 (local.get $t) (local.get $v))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $x2) (local.get $v))))
            (local.set $v (f32x4.sub (v128.load offset=48 (local.get $t)) (f32x4.mul (local.get $p3) (local.get $gv))))
            (v128.store offset=48 (local.get $t) (local.get $v))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $x3) (local.get $v))))
            (v128.store (i32.add (local.get $out) (local.get $j)) (local.get $acc))
            (local.set $t (i32.add (local.get $t) (i32.const 64)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))
    ;; the rows left over, one by one: row i + r is slot r of the last group's tiles
    (block $rest_done
      (loop $rest
        (br_if $rest_done (i32.ge_u (local.get $i) (local.get $fanIn)))
        (local.set $x0 (v128.load32_splat (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $p0 (v128.load32_splat (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $q (i32.add (local.get $t) (i32.shl (i32.and (local.get $i) (i32.const 3)) (i32.const 4))))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $sb)))
            (local.set $v (f32x4.sub (v128.load (local.get $q))
              (f32x4.mul (local.get $p0) (v128.load (i32.add (local.get $g) (local.get $j))))))
            (v128.store (local.get $q) (local.get $v))
            (v128.store (i32.add (local.get $out) (local.get $j))
              (f32x4.add (v128.load (i32.add (local.get $out) (local.get $j))) (f32x4.mul (local.get $x0) (local.get $v))))
            (local.set $q (i32.add (local.get $q) (i32.const 64)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rest)))
    (call $activate_layer (local.get $out) (i32.load offset=40 (local.get $rec)) (i32.load offset=36 (local.get $rec))))

  ;; Backpropagation through layer k (k > 0): below[i] = f'(sum_j delta[j] W[i, j]) for the layer
  ;; beneath (its record at $under), W not yet updated.
  (func $backward (param $rec i32) (param $under i32)
    (local $fanIn i32) (local $sb i32) (local $w i32) (local $in i32) (local $delta i32) (local $below i32) (local $act i32)
    (local $i i32) (local $j i32) (local $row i32) (local $s v128) (local $t v128) (local $sum f32)
    (local.set $fanIn (i32.load offset=0 (local.get $rec)))
    (local.set $sb (i32.load offset=4 (local.get $rec)))
    (local.set $w (i32.load offset=8 (local.get $rec)))
    (local.set $in (i32.load offset=16 (local.get $rec)))
    (local.set $delta (i32.load offset=24 (local.get $rec)))
    (local.set $below (i32.load offset=24 (local.get $under)))
    (local.set $act (i32.load offset=36 (local.get $under)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $fanIn)))
        (local.set $row (i32.add (local.get $w) (i32.mul (local.get $i) (local.get $sb))))
        (local.set $s (v128.const f32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $sb)))
            (local.set $s (f32x4.add (local.get $s)
              (f32x4.mul (v128.load (i32.add (local.get $row) (local.get $j))) (v128.load (i32.add (local.get $delta) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        (local.set $sum (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s)))
          (f32.add (f32x4.extract_lane 2 (local.get $s)) (f32x4.extract_lane 3 (local.get $s)))))
        (f32.store (i32.add (local.get $below) (i32.shl (local.get $i) (i32.const 2)))
          (call $derive (local.get $sum) (f32.load (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 2)))) (local.get $act)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; One online SGD step on the example already in layer 0's input buffer, with target $y.
  ;; $desc: the first layer's record; records are 48 bytes apart.
  (export "step" (func $step))
  (func $step (param $desc i32) (param $layers i32) (param $lr f32) (param $y f32)
    (local $k i32) (local $rec i32) (local $j i32) (local $sb i32) (local $gv v128) (local $lr4 v128)
    (local $a f32) (local $at i32)
    (block $fw_done
      (loop $fw
        (br_if $fw_done (i32.ge_u (local.get $k) (local.get $layers)))
        (if (i32.eqz (local.get $k))
          (then (call $forward_tiled (local.get $desc)))
          (else (call $forward (i32.add (local.get $desc) (i32.mul (local.get $k) (i32.const 48))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $fw)))
    ;; the output's delta: 2 (a - y) f'(a)  (the one output neuron)
    (local.set $rec (i32.add (local.get $desc) (i32.mul (i32.sub (local.get $layers) (i32.const 1)) (i32.const 48))))
    (local.set $a (f32.load (i32.load offset=20 (local.get $rec))))
    (f32.store (i32.load offset=24 (local.get $rec))
      (call $derive (f32.mul (f32.const 2) (f32.sub (local.get $a) (local.get $y))) (local.get $a) (i32.load offset=36 (local.get $rec))))
    (local.set $lr4 (f32x4.splat (local.get $lr)))
    (block $bw_done
      (loop $bw
        (br_if $bw_done (i32.eqz (local.get $k)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (local.set $rec (i32.add (local.get $desc) (i32.mul (local.get $k) (i32.const 48))))
        (if (i32.gt_u (local.get $k) (i32.const 0))
          (then (call $backward (local.get $rec) (i32.sub (local.get $rec) (i32.const 48)))))
        ;; g = lr delta; b = b - g; p = the input, for the next forward pass
        (local.set $sb (i32.load offset=4 (local.get $rec)))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $sb)))
            (local.set $gv (f32x4.mul (local.get $lr4) (v128.load (i32.add (i32.load offset=24 (local.get $rec)) (local.get $j)))))
            (v128.store (i32.add (i32.load offset=32 (local.get $rec)) (local.get $j)) (local.get $gv))
            (local.set $at (i32.add (i32.load offset=12 (local.get $rec)) (local.get $j)))
            (v128.store (local.get $at) (f32x4.sub (v128.load (local.get $at)) (local.get $gv)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        (memory.copy (i32.load offset=28 (local.get $rec)) (i32.load offset=16 (local.get $rec)) (i32.load offset=44 (local.get $rec)))
        (br $bw))))

  ;; Applies every layer's deferred update (W = W - p g, as the forward pass does) and clears it.
  (export "flush" (func $flush))
  (func $flush (param $desc i32) (param $layers i32)
    (local $k i32) (local $rec i32) (local $i i32) (local $j i32) (local $sb i32) (local $row i32) (local $g i32) (local $pi v128) (local $next i32)
    (block $done
      (loop $layer
        (br_if $done (i32.ge_u (local.get $k) (local.get $layers)))
        (local.set $rec (i32.add (local.get $desc) (i32.mul (local.get $k) (i32.const 48))))
        (local.set $sb (i32.load offset=4 (local.get $rec)))
        (local.set $g (i32.load offset=32 (local.get $rec)))
        (local.set $i (i32.const 0))
        (block $rows_done
          (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $i) (i32.load offset=0 (local.get $rec))))
            (local.set $pi (v128.load32_splat (i32.add (i32.load offset=28 (local.get $rec)) (i32.shl (local.get $i) (i32.const 2)))))
            ;; row i's first four columns, and the step to its next four: the next tile (64 bytes,
            ;; the first layer's tiled layout, slot i mod 4 of tiles 4 sb bytes per row group) or
            ;; the next 16 bytes of the row
            (if (i32.eqz (local.get $k))
              (then
                (local.set $row (i32.add (i32.load offset=8 (local.get $rec))
                  (i32.add (i32.mul (i32.shr_u (local.get $i) (i32.const 2)) (i32.shl (local.get $sb) (i32.const 2)))
                    (i32.shl (i32.and (local.get $i) (i32.const 3)) (i32.const 4)))))
                (local.set $next (i32.const 64)))
              (else
                (local.set $row (i32.add (i32.load offset=8 (local.get $rec)) (i32.mul (local.get $i) (local.get $sb))))
                (local.set $next (i32.const 16))))
            (local.set $j (i32.const 0))
            (block $cols_done
              (loop $cols
                (br_if $cols_done (i32.ge_u (local.get $j) (local.get $sb)))
                (v128.store (local.get $row)
                  (f32x4.sub (v128.load (local.get $row))
                    (f32x4.mul (local.get $pi) (v128.load (i32.add (local.get $g) (local.get $j))))))
                (local.set $row (i32.add (local.get $row) (local.get $next)))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $cols)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows)))
        (memory.fill (local.get $g) (i32.const 0) (local.get $sb))
        (memory.fill (i32.load offset=28 (local.get $rec)) (i32.const 0) (i32.load offset=44 (local.get $rec)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $layer))))

  ;; The floor: the weight traffic of a step and nothing else. Every layer's weights read and
  ;; written once (the forward pass with its update), then read once more for every layer but the
  ;; first (backpropagation); four vectors per iteration, the reads into four independent
  ;; one-cycle chains (v128.xor) so that neither loop overhead nor latency bounds it. Returns what it
  ;; read, combined, so nothing can be skipped.
  (export "stream" (func $stream))
  (func $stream (param $desc i32) (param $layers i32) (result i32)
    (local $k i32) (local $rec i32) (local $at i32) (local $end i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (block $fw_done
      (loop $fw
        (br_if $fw_done (i32.ge_u (local.get $k) (local.get $layers)))
        (local.set $rec (i32.add (local.get $desc) (i32.mul (local.get $k) (i32.const 48))))
        (local.set $at (i32.load offset=8 (local.get $rec)))
        (local.set $end (i32.add (local.get $at) (i32.mul (i32.load offset=0 (local.get $rec)) (i32.load offset=4 (local.get $rec)))))
        (block $done
          (loop $words
            (br_if $done (i32.gt_u (i32.add (local.get $at) (i32.const 64)) (local.get $end)))
            (v128.store offset=0 (local.get $at) (v128.load offset=0 (local.get $at)))
            (v128.store offset=16 (local.get $at) (v128.load offset=16 (local.get $at)))
            (v128.store offset=32 (local.get $at) (v128.load offset=32 (local.get $at)))
            (v128.store offset=48 (local.get $at) (v128.load offset=48 (local.get $at)))
            (local.set $at (i32.add (local.get $at) (i32.const 64)))
            (br $words)))
        (block $done
          (loop $words
            (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
            (v128.store (local.get $at) (v128.load (local.get $at)))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (br $words)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $fw)))
    (block $bw_done
      (loop $bw
        (br_if $bw_done (i32.le_u (local.get $k) (i32.const 1)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (local.set $rec (i32.add (local.get $desc) (i32.mul (local.get $k) (i32.const 48))))
        (local.set $at (i32.load offset=8 (local.get $rec)))
        (local.set $end (i32.add (local.get $at) (i32.mul (i32.load offset=0 (local.get $rec)) (i32.load offset=4 (local.get $rec)))))
        (block $done
          (loop $words
            (br_if $done (i32.gt_u (i32.add (local.get $at) (i32.const 64)) (local.get $end)))
            (local.set $a0 (v128.xor (local.get $a0) (v128.load offset=0 (local.get $at))))
            (local.set $a1 (v128.xor (local.get $a1) (v128.load offset=16 (local.get $at))))
            (local.set $a2 (v128.xor (local.get $a2) (v128.load offset=32 (local.get $at))))
            (local.set $a3 (v128.xor (local.get $a3) (v128.load offset=48 (local.get $at))))
            (local.set $at (i32.add (local.get $at) (i32.const 64)))
            (br $words)))
        (block $done
          (loop $words
            (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
            (local.set $a0 (v128.xor (local.get $a0) (v128.load (local.get $at))))
            (local.set $at (i32.add (local.get $at) (i32.const 16)))
            (br $words)))
        (br $bw)))
    (i32x4.extract_lane 0 (v128.xor (v128.xor (local.get $a0) (local.get $a1)) (v128.xor (local.get $a2) (local.get $a3)))))
)
