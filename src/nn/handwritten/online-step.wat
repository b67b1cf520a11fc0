;; The hand-written engine's whole online (batch-1) SGD step in WebAssembly SIMD, single precision:
;; every layer's forward pass, backpropagation and update in one call. The plain kernel beside it
;; (online-step.ts, plainStep) computes the same numbers, bit for bit: every product and sum is
;; one float32 operation (f32x4 lanes here, Math.fround there) in the same order per element.
;;
;; Layout (online-step.ts builds it): each layer k has a record of i32 fields (byte offsets into
;; the memory; their order is listed at $forward) and float32 buffers whose rows are padded with
;; zeros to a multiple of four columns ("stride"), so every inner loop runs on whole f32x4 vectors.
;; Each layer's update is deferred to its next forward pass, which applies it to each weight while
;; it reads it (W is read and written once there, read once more by backpropagation):
;;   forward   W[i, j] = W[i, j] - p[i] g[j];  out[j] = (((b[j] + x[0] W[0, j]) + x[1] W[1, j]) + ...)
;;             in row order, by column panels ($panels)
;;   backward  below[i] = f'(sum_j delta[j] W[i, j])  (four lane sums, then (s0 + s1) + (s2 + s3))
;;             g = lr delta;  b = b - g;  p = this step's input (the update the next forward applies)
;; The first layer's W is panel-major (online-step.ts, panelIndex); the others are row-major.
;;
;; Speed. Without fused multiply-add, each weight costs four float32 operations (p g, the
;; update's subtraction, x W and the sum's addition) in f32x4 lanes: one vector each of two mul
;; and two add units per four weights. The loops are written so that V8's TurboFan keeps every
;; live vector in a register (no spills): one row per iteration in $panel4 (more rows per
;; iteration make it sink the sums below the stores and spill), two in $panel2's first-layer case.
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

  ;; One layer's forward pass with its deferred update, panel by panel (record fields, bytes: 0 fanIn,
  ;; 4 stride bytes, 8 W, 12 b, 16 in, 20 out, 24 delta, 28 p, 32 g, 36 activation, 40 fanOut,
  ;; 44 padded fanIn bytes). A panel is a block of columns (16, then 8 and 4 for the rest) walked
  ;; over every row with its sums, g and bias in registers: each column's sum is still taken in
  ;; row order, and out is written once per panel instead of once per group of rows.
  (func $forward (param $rec i32) (param $tiled i32)
    (call $panels (local.get $rec) (local.get $tiled) (i32.const 0))
    (call $activate_layer (i32.load offset=20 (local.get $rec)) (i32.load offset=40 (local.get $rec)) (i32.load offset=36 (local.get $rec))))

  ;; Walks a layer's panels: $mode 0 runs the forward pass ($panel4, $panel2, $panel1), 1 applies
  ;; the deferred update alone ($flush_panel). Panel columns [c, c + width) (bytes) start at W +
  ;; fanIn c with rows width apart in the first layer's panel-major layout ($tiled), and at W + c
  ;; with rows a whole row (stride bytes) apart in the row-major layout of the others.
  (func $panels (param $rec i32) (param $tiled i32) (param $mode i32)
    (local $fanIn i32) (local $sb i32) (local $w i32) (local $c i32) (local $width i32) (local $base i32) (local $rs i32)
    (local.set $fanIn (i32.load offset=0 (local.get $rec)))
    (local.set $sb (i32.load offset=4 (local.get $rec)))
    (local.set $w (i32.load offset=8 (local.get $rec)))
    (block $done
      (loop $next
        ;; the widest panel that fits: 64, 32 or 16 bytes
        (local.set $width (i32.const 64))
        (if (i32.lt_u (i32.sub (local.get $sb) (local.get $c)) (i32.const 64)) (then (local.set $width (i32.const 32))))
        (if (i32.lt_u (i32.sub (local.get $sb) (local.get $c)) (i32.const 32)) (then (local.set $width (i32.const 16))))
        (br_if $done (i32.ge_u (local.get $c) (local.get $sb)))
        (if (local.get $tiled)
          (then (local.set $base (i32.add (local.get $w) (i32.mul (local.get $fanIn) (local.get $c))))
                (local.set $rs (local.get $width)))
          (else (local.set $base (i32.add (local.get $w) (local.get $c)))
                (local.set $rs (local.get $sb))))
        (if (local.get $mode)
          (then (call $flush_panel (local.get $rec) (local.get $base) (local.get $rs) (local.get $c) (local.get $width)))
          (else
            (if (i32.eq (local.get $width) (i32.const 64))
              (then (call $panel4 (local.get $rec) (local.get $base) (local.get $rs) (local.get $c)))
              (else (if (i32.eq (local.get $width) (i32.const 32))
                (then (call $panel2 (local.get $rec) (local.get $base) (local.get $rs) (local.get $c)))
                (else (call $panel1 (local.get $rec) (local.get $base) (local.get $rs) (local.get $c))))))))
        (local.set $c (i32.add (local.get $c) (local.get $width)))
        (br $next))))

  ;; One panel of four vectors (16 columns from byte $c), rows from $t, $rs bytes apart: for each
  ;; row i, W[i, j] = W[i, j] - p[i] g[j] stored, and out[j] = out[j] + x[i] W[i, j].
  (func $panel4 (param $rec i32) (param $t i32) (param $rs i32) (param $c i32)
    (local $x i32) (local $p i32) (local $end i32) (local $u i32)
    (local $g0 v128) (local $g1 v128) (local $g2 v128) (local $g3 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $xi v128) (local $pi v128) (local $v v128)
    (local.set $u (i32.add (i32.load offset=32 (local.get $rec)) (local.get $c)))
    (local.set $g0 (v128.load offset=0 (local.get $u)))
    (local.set $g1 (v128.load offset=16 (local.get $u)))
    (local.set $g2 (v128.load offset=32 (local.get $u)))
    (local.set $g3 (v128.load offset=48 (local.get $u)))
    (local.set $u (i32.add (i32.load offset=12 (local.get $rec)) (local.get $c)))
    (local.set $a0 (v128.load offset=0 (local.get $u)))
    (local.set $a1 (v128.load offset=16 (local.get $u)))
    (local.set $a2 (v128.load offset=32 (local.get $u)))
    (local.set $a3 (v128.load offset=48 (local.get $u)))
    (local.set $x (i32.load offset=16 (local.get $rec)))
    (local.set $p (i32.load offset=28 (local.get $rec)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.load offset=0 (local.get $rec)) (i32.const 2))))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $xi (v128.load32_splat (local.get $x)))
        (local.set $pi (v128.load32_splat (local.get $p)))
        (local.set $v (f32x4.sub (v128.load offset=0 (local.get $t)) (f32x4.mul (local.get $pi) (local.get $g0))))
        (v128.store offset=0 (local.get $t) (local.get $v))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $xi) (local.get $v))))
        (local.set $v (f32x4.sub (v128.load offset=16 (local.get $t)) (f32x4.mul (local.get $pi) (local.get $g1))))
        (v128.store offset=16 (local.get $t) (local.get $v))
        (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $xi) (local.get $v))))
        (local.set $v (f32x4.sub (v128.load offset=32 (local.get $t)) (f32x4.mul (local.get $pi) (local.get $g2))))
        (v128.store offset=32 (local.get $t) (local.get $v))
        (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $xi) (local.get $v))))
        (local.set $v (f32x4.sub (v128.load offset=48 (local.get $t)) (f32x4.mul (local.get $pi) (local.get $g3))))
        (v128.store offset=48 (local.get $t) (local.get $v))
        (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $xi) (local.get $v))))
        (local.set $t (i32.add (local.get $t) (local.get $rs)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $rows)))
    (local.set $u (i32.add (i32.load offset=20 (local.get $rec)) (local.get $c)))
    (v128.store offset=0 (local.get $u) (local.get $a0))
    (v128.store offset=16 (local.get $u) (local.get $a1))
    (v128.store offset=32 (local.get $u) (local.get $a2))
    (v128.store offset=48 (local.get $u) (local.get $a3)))

  ;; $panel4 for a panel of two vectors (8 columns).
  (func $panel2 (param $rec i32) (param $t i32) (param $rs i32) (param $c i32)
    (local $x i32) (local $p i32) (local $end i32) (local $u i32)
    (local $g0 v128) (local $g1 v128) (local $a0 v128) (local $a1 v128) (local $xi v128) (local $pi v128) (local $v v128)
    (local.set $u (i32.add (i32.load offset=32 (local.get $rec)) (local.get $c)))
    (local.set $g0 (v128.load offset=0 (local.get $u)))
    (local.set $g1 (v128.load offset=16 (local.get $u)))
    (local.set $u (i32.add (i32.load offset=12 (local.get $rec)) (local.get $c)))
    (local.set $a0 (v128.load offset=0 (local.get $u)))
    (local.set $a1 (v128.load offset=16 (local.get $u)))
    (local.set $x (i32.load offset=16 (local.get $rec)))
    (local.set $p (i32.load offset=28 (local.get $rec)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.load offset=0 (local.get $rec)) (i32.const 2))))
    ;; rows 32 bytes apart (the panel-major first layer's panel of 8): two rows per iteration at
    ;; constant offsets, as few instructions per weight as $panel4's
    (if (i32.eq (local.get $rs) (i32.const 32))
      (then
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.gt_u (i32.add (local.get $x) (i32.const 8)) (local.get $end)))
            (local.set $xi (v128.load32_splat offset=0 (local.get $x)))
            (local.set $pi (v128.load32_splat offset=0 (local.get $p)))
            (local.set $v (f32x4.sub (v128.load offset=0 (local.get $t)) (f32x4.mul (local.get $pi) (local.get $g0))))
            (v128.store offset=0 (local.get $t) (local.get $v))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $xi) (local.get $v))))
            (local.set $v (f32x4.sub (v128.load offset=16 (local.get $t)) (f32x4.mul (local.get $pi) (local.get $g1))))
            (v128.store offset=16 (local.get $t) (local.get $v))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $xi) (local.get $v))))
            (local.set $xi (v128.load32_splat offset=4 (local.get $x)))
            (local.set $pi (v128.load32_splat offset=4 (local.get $p)))
            (local.set $v (f32x4.sub (v128.load offset=32 (local.get $t)) (f32x4.mul (local.get $pi) (local.get $g0))))
            (v128.store offset=32 (local.get $t) (local.get $v))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $xi) (local.get $v))))
            (local.set $v (f32x4.sub (v128.load offset=48 (local.get $t)) (f32x4.mul (local.get $pi) (local.get $g1))))
            (v128.store offset=48 (local.get $t) (local.get $v))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $xi) (local.get $v))))
            (local.set $t (i32.add (local.get $t) (i32.const 64)))
            (local.set $x (i32.add (local.get $x) (i32.const 8)))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (br $pairs)))))
    ;; the rows one by one (all of them when rows are not 32 bytes apart)
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $xi (v128.load32_splat (local.get $x)))
        (local.set $pi (v128.load32_splat (local.get $p)))
        (local.set $v (f32x4.sub (v128.load offset=0 (local.get $t)) (f32x4.mul (local.get $pi) (local.get $g0))))
        (v128.store offset=0 (local.get $t) (local.get $v))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $xi) (local.get $v))))
        (local.set $v (f32x4.sub (v128.load offset=16 (local.get $t)) (f32x4.mul (local.get $pi) (local.get $g1))))
        (v128.store offset=16 (local.get $t) (local.get $v))
        (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $xi) (local.get $v))))
        (local.set $t (i32.add (local.get $t) (local.get $rs)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $rows)))
    (local.set $u (i32.add (i32.load offset=20 (local.get $rec)) (local.get $c)))
    (v128.store offset=0 (local.get $u) (local.get $a0))
    (v128.store offset=16 (local.get $u) (local.get $a1)))

  ;; $panel4 for a panel of one vector (4 columns).
  (func $panel1 (param $rec i32) (param $t i32) (param $rs i32) (param $c i32)
    (local $x i32) (local $p i32) (local $end i32) (local $g0 v128) (local $a0 v128) (local $v v128)
    (local.set $g0 (v128.load (i32.add (i32.load offset=32 (local.get $rec)) (local.get $c))))
    (local.set $a0 (v128.load (i32.add (i32.load offset=12 (local.get $rec)) (local.get $c))))
    (local.set $x (i32.load offset=16 (local.get $rec)))
    (local.set $p (i32.load offset=28 (local.get $rec)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.load offset=0 (local.get $rec)) (i32.const 2))))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $v (f32x4.sub (v128.load (local.get $t)) (f32x4.mul (v128.load32_splat (local.get $p)) (local.get $g0))))
        (v128.store (local.get $t) (local.get $v))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load32_splat (local.get $x)) (local.get $v))))
        (local.set $t (i32.add (local.get $t) (local.get $rs)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $rows)))
    (v128.store (i32.add (i32.load offset=20 (local.get $rec)) (local.get $c)) (local.get $a0)))

  ;; The deferred update alone, W[i, j] = W[i, j] - p[i] g[j], on one panel ($width bytes wide).
  (func $flush_panel (param $rec i32) (param $t i32) (param $rs i32) (param $c i32) (param $width i32)
    (local $p i32) (local $end i32) (local $j i32) (local $pi v128)
    (local.set $p (i32.load offset=28 (local.get $rec)))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.load offset=0 (local.get $rec)) (i32.const 2))))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $pi (v128.load32_splat (local.get $p)))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $width)))
            (v128.store (i32.add (local.get $t) (local.get $j))
              (f32x4.sub (v128.load (i32.add (local.get $t) (local.get $j)))
                (f32x4.mul (local.get $pi)
                  (v128.load (i32.add (i32.add (i32.load offset=32 (local.get $rec)) (local.get $c)) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        (local.set $t (i32.add (local.get $t) (local.get $rs)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $rows))))

  ;; s f'(z) for four units at once ($derive's arithmetic, lane by lane).
  (func $derive4 (param $s v128) (param $a v128) (param $act i32) (result v128)
    (if (result v128) (i32.eq (local.get $act) (i32.const 0))
      (then (f32x4.mul (f32x4.mul (local.get $s) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $a))) (local.get $a)))
      (else (if (result v128) (i32.eq (local.get $act) (i32.const 1))
        ;; s where a > 0, else +0 (all bits clear), as $derive's select gives
        (then (v128.and (local.get $s) (f32x4.gt (local.get $a) (v128.const f32x4 0 0 0 0))))
        (else (if (result v128) (i32.eq (local.get $act) (i32.const 2))
          (then (f32x4.mul (local.get $s) (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $a) (local.get $a)))))
          (else (local.get $s))))))))

  ;; Backpropagation through layer k (k > 0): below[i] = f'(sum_j delta[j] W[i, j]) for the layer
  ;; beneath (its record at $under), W not yet updated. Each row's sum runs in four lanes (columns
  ;; j mod 4, in column order), then (s0 + s1) + (s2 + s3). Rows four at a time: their four lane
  ;; vectors are transposed so that the two rounds of adds and the derivative run on all four.
  (func $backward (param $rec i32) (param $under i32)
    (local $fanIn i32) (local $sb i32) (local $w i32) (local $in i32) (local $delta i32) (local $below i32) (local $act i32)
    (local $i i32) (local $j i32) (local $row i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $d v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $sum f32)
    (local.set $fanIn (i32.load offset=0 (local.get $rec)))
    (local.set $sb (i32.load offset=4 (local.get $rec)))
    (local.set $w (i32.load offset=8 (local.get $rec)))
    (local.set $in (i32.load offset=16 (local.get $rec)))
    (local.set $delta (i32.load offset=24 (local.get $rec)))
    (local.set $below (i32.load offset=24 (local.get $under)))
    (local.set $act (i32.load offset=36 (local.get $under)))
    (local.set $row (local.get $w))
    (block $groups_done
      (loop $groups
        (br_if $groups_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $fanIn)))
        (local.set $r1 (i32.add (local.get $row) (local.get $sb)))
        (local.set $r2 (i32.add (local.get $r1) (local.get $sb)))
        (local.set $r3 (i32.add (local.get $r2) (local.get $sb)))
        (local.set $s0 (v128.const f32x4 0 0 0 0))
        (local.set $s1 (v128.const f32x4 0 0 0 0))
        (local.set $s2 (v128.const f32x4 0 0 0 0))
        (local.set $s3 (v128.const f32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $sb)))
            (local.set $d (v128.load (i32.add (local.get $delta) (local.get $j))))
            (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (v128.load (i32.add (local.get $row) (local.get $j))) (local.get $d))))
            (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (v128.load (i32.add (local.get $r1) (local.get $j))) (local.get $d))))
            (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (v128.load (i32.add (local.get $r2) (local.get $j))) (local.get $d))))
            (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (v128.load (i32.add (local.get $r3) (local.get $j))) (local.get $d))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        ;; transpose: $t0 = lane 0 of each row's sums, $t1 lane 1, ...
        (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s0) (local.get $s1)))
        (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s2) (local.get $s3)))
        (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s0) (local.get $s1)))
        (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s2) (local.get $s3)))
        (local.set $s0 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
        (local.set $s1 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
        (local.set $s2 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
        (local.set $s3 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3)))
        (v128.store (i32.add (local.get $below) (i32.shl (local.get $i) (i32.const 2)))
          (call $derive4
            (f32x4.add (f32x4.add (local.get $s0) (local.get $s1)) (f32x4.add (local.get $s2) (local.get $s3)))
            (v128.load (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 2))))
            (local.get $act)))
        (local.set $row (i32.add (local.get $r3) (local.get $sb)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $groups)))
    ;; the rows left over, one by one
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $fanIn)))
        (local.set $s0 (v128.const f32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $sb)))
            (local.set $s0 (f32x4.add (local.get $s0)
              (f32x4.mul (v128.load (i32.add (local.get $row) (local.get $j))) (v128.load (i32.add (local.get $delta) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $cols)))
        (local.set $sum (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $s0)) (f32x4.extract_lane 1 (local.get $s0)))
          (f32.add (f32x4.extract_lane 2 (local.get $s0)) (f32x4.extract_lane 3 (local.get $s0)))))
        (f32.store (i32.add (local.get $below) (i32.shl (local.get $i) (i32.const 2)))
          (call $derive (local.get $sum) (f32.load (i32.add (local.get $in) (i32.shl (local.get $i) (i32.const 2)))) (local.get $act)))
        (local.set $row (i32.add (local.get $row) (local.get $sb)))
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
        (call $forward (i32.add (local.get $desc) (i32.mul (local.get $k) (i32.const 48))) (i32.eqz (local.get $k)))
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
    (local $k i32) (local $rec i32)
    (block $done
      (loop $layer
        (br_if $done (i32.ge_u (local.get $k) (local.get $layers)))
        (local.set $rec (i32.add (local.get $desc) (i32.mul (local.get $k) (i32.const 48))))
        (call $panels (local.get $rec) (i32.eqz (local.get $k)) (i32.const 1))
        (memory.fill (i32.load offset=32 (local.get $rec)) (i32.const 0) (i32.load offset=4 (local.get $rec)))
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
