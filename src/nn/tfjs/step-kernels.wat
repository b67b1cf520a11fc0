;; The TensorFlow.js engine's small-batch step kernels in WebAssembly SIMD, run on the wasm
;; backend's own memory (step-kernels.ts), each giving the same numbers, bit for bit, as the
;; backend kernels it replaces, without their per-call cost:
;;
;; - matmul, C = A·B, for BatchMatMul. That kernel (XNNPACK's f32 GEMM) first copies ("packs")
;;   its second operand into a buffer of its own, at a cost comparable to the product itself when
;;   the batch is small; this one reads B where it is. Same numbers: XNNPACK computes every element
;;   of C as one float32 sum in k order, c = ((((+0 + a0 b0) + a1 b1) + ...) + a(K-1) b(K-1)) (its
;;   accumulators start at the packed bias, zero when there is none; a product then a sum, no fused
;;   multiply-add), and so does every path here (four rows by eight columns at a time, f32x4 lanes
;;   over the columns; the remainder in narrower tiles; every lane and scalar is the same chain of
;;   single-precision operations). matmul_bias adds a column b[i] to row i afterwards (Add).
;; - transpose (Transpose), loss_gradient ((out - y) s: Sub, then Multiply by a scalar),
;;   sigmoid_backward (dy (y - y y): sigmoid's backwardFromOutput in src/config/activations.ts, a
;;   Multiply, a Sub and a Multiply), sub (Sub of equal shapes), row_sums (Sum over the last axis,
;;   a float32 sum from +0 in column order): one IEEE single-precision operation per element and
;;   step, the same operations in the same order as those kernels.
;;
;; A is [M, K], B is [K, N], C is [M, N], all row-major float32 at byte offsets in the memory.
;; Compiled into step-kernels-wasm.ts by `node tools/build-wasm.mjs` (wabt); the test
;; spec/tfjs-explicit-step.spec.ts fails when that file and this one disagree.
(module
  (import "env" "memory" (memory 1))

  ;; Four rows of C: a at row i0 of A, c at row i0 of C; lda, ldb, ldc are row strides in bytes.
  (func $rows4 (param $a i32) (param $b i32) (param $c i32) (param $K i32) (param $N i32)
    (local $lda i32) (local $ldb i32) (local $ldc i32) (local $j i32) (local $k i32)
    (local $pa i32) (local $pb i32) (local $pc i32)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $f0 f32) (local $f1 f32) (local $f2 f32) (local $f3 f32) (local $fb f32)
    (local.set $lda (i32.shl (local.get $K) (i32.const 2)))
    (local.set $ldb (i32.shl (local.get $N) (i32.const 2)))
    (local.set $ldc (local.get $ldb))
    (local.set $j (i32.const 0))
    ;; Eight columns at a time.
    (block $done8
      (loop $cols8
        (br_if $done8 (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $N)))
        (local.set $c00 (v128.const f32x4 0 0 0 0)) (local.set $c01 (v128.const f32x4 0 0 0 0))
        (local.set $c10 (v128.const f32x4 0 0 0 0)) (local.set $c11 (v128.const f32x4 0 0 0 0))
        (local.set $c20 (v128.const f32x4 0 0 0 0)) (local.set $c21 (v128.const f32x4 0 0 0 0))
        (local.set $c30 (v128.const f32x4 0 0 0 0)) (local.set $c31 (v128.const f32x4 0 0 0 0))
        (local.set $pa (local.get $a))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $k (local.get $K))
        (block $kend
          (loop $kl
            (br_if $kend (i32.eqz (local.get $k)))
            (local.set $b0 (v128.load (local.get $pb)))
            (local.set $b1 (v128.load offset=16 (local.get $pb)))
            (local.set $s (v128.load32_splat (local.get $pa)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $lda))))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat (i32.add (local.get $pa) (i32.shl (local.get $lda) (i32.const 1)))))
            (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $s (v128.load32_splat (i32.add (local.get $pa) (i32.mul (local.get $lda) (i32.const 3)))))
            (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
            (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $b1))))
            (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
            (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $kl)))
        (local.set $pc (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))))
        (v128.store (local.get $pc) (local.get $c00))
        (v128.store offset=16 (local.get $pc) (local.get $c01))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (v128.store (local.get $pc) (local.get $c10))
        (v128.store offset=16 (local.get $pc) (local.get $c11))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (v128.store (local.get $pc) (local.get $c20))
        (v128.store offset=16 (local.get $pc) (local.get $c21))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (v128.store (local.get $pc) (local.get $c30))
        (v128.store offset=16 (local.get $pc) (local.get $c31))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $cols8)))
    ;; Four columns.
    (if (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $N))
      (then
        (local.set $c00 (v128.const f32x4 0 0 0 0)) (local.set $c10 (v128.const f32x4 0 0 0 0))
        (local.set $c20 (v128.const f32x4 0 0 0 0)) (local.set $c30 (v128.const f32x4 0 0 0 0))
        (local.set $pa (local.get $a))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $k (local.get $K))
        (block $kend
          (loop $kl
            (br_if $kend (i32.eqz (local.get $k)))
            (local.set $b0 (v128.load (local.get $pb)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (v128.load32_splat (local.get $pa)) (local.get $b0))))
            (local.set $c10 (f32x4.add (local.get $c10)
              (f32x4.mul (v128.load32_splat (i32.add (local.get $pa) (local.get $lda))) (local.get $b0))))
            (local.set $c20 (f32x4.add (local.get $c20)
              (f32x4.mul (v128.load32_splat (i32.add (local.get $pa) (i32.shl (local.get $lda) (i32.const 1)))) (local.get $b0))))
            (local.set $c30 (f32x4.add (local.get $c30)
              (f32x4.mul (v128.load32_splat (i32.add (local.get $pa) (i32.mul (local.get $lda) (i32.const 3)))) (local.get $b0))))
            (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
            (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $kl)))
        (local.set $pc (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))))
        (v128.store (local.get $pc) (local.get $c00))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (v128.store (local.get $pc) (local.get $c10))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (v128.store (local.get $pc) (local.get $c20))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (v128.store (local.get $pc) (local.get $c30))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))))
    ;; The last columns one at a time.
    (block $done1
      (loop $cols1
        (br_if $done1 (i32.ge_u (local.get $j) (local.get $N)))
        (local.set $f0 (f32.const 0)) (local.set $f1 (f32.const 0))
        (local.set $f2 (f32.const 0)) (local.set $f3 (f32.const 0))
        (local.set $pa (local.get $a))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $k (local.get $K))
        (block $kend
          (loop $kl
            (br_if $kend (i32.eqz (local.get $k)))
            (local.set $fb (f32.load (local.get $pb)))
            (local.set $f0 (f32.add (local.get $f0) (f32.mul (f32.load (local.get $pa)) (local.get $fb))))
            (local.set $f1 (f32.add (local.get $f1)
              (f32.mul (f32.load (i32.add (local.get $pa) (local.get $lda))) (local.get $fb))))
            (local.set $f2 (f32.add (local.get $f2)
              (f32.mul (f32.load (i32.add (local.get $pa) (i32.shl (local.get $lda) (i32.const 1)))) (local.get $fb))))
            (local.set $f3 (f32.add (local.get $f3)
              (f32.mul (f32.load (i32.add (local.get $pa) (i32.mul (local.get $lda) (i32.const 3)))) (local.get $fb))))
            (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
            (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $kl)))
        (local.set $pc (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))))
        (f32.store (local.get $pc) (local.get $f0))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (f32.store (local.get $pc) (local.get $f1))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (f32.store (local.get $pc) (local.get $f2))
        (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
        (f32.store (local.get $pc) (local.get $f3))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols1))))

  ;; One row of C: four columns at a time, then one at a time.
  (func $row1 (param $a i32) (param $b i32) (param $c i32) (param $K i32) (param $N i32)
    (local $ldb i32) (local $j i32) (local $k i32) (local $pa i32) (local $pb i32)
    (local $acc v128) (local $f f32)
    (local.set $ldb (i32.shl (local.get $N) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $done4
      (loop $cols4
        (br_if $done4 (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $N)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $pa (local.get $a))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $k (local.get $K))
        (block $kend
          (loop $kl
            (br_if $kend (i32.eqz (local.get $k)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load32_splat (local.get $pa)) (v128.load (local.get $pb)))))
            (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
            (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $kl)))
        (v128.store (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))) (local.get $acc))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $cols4)))
    (block $done1
      (loop $cols1
        (br_if $done1 (i32.ge_u (local.get $j) (local.get $N)))
        (local.set $f (f32.const 0))
        (local.set $pa (local.get $a))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $k (local.get $K))
        (block $kend
          (loop $kl
            (br_if $kend (i32.eqz (local.get $k)))
            (local.set $f (f32.add (local.get $f) (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $pb)))))
            (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
            (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $kl)))
        (f32.store (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))) (local.get $f))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cols1))))

  ;; C = A·B: rows four at a time, then one at a time.
  (func $matmul (export "matmul") (param $a i32) (param $b i32) (param $c i32) (param $M i32) (param $K i32) (param $N i32)
    (local $i i32) (local $lda i32) (local $ldc i32)
    (local.set $lda (i32.shl (local.get $K) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $N) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $done4
      (loop $rows
        (br_if $done4 (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $M)))
        (call $rows4
          (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))) (local.get $b)
          (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))) (local.get $K) (local.get $N))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))
    (block $done1
      (loop $rest
        (br_if $done1 (i32.ge_u (local.get $i) (local.get $M)))
        (call $row1
          (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))) (local.get $b)
          (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))) (local.get $K) (local.get $N))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rest))))

  ;; Row i of C += b[i] (after matmul: c = acc + b, as Add).
  (func $add_column (param $c i32) (param $bias i32) (param $M i32) (param $N i32)
    (local $end i32) (local $rowEnd i32) (local $b v128) (local $f f32)
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.mul (local.get $M) (local.get $N)) (i32.const 2))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $c) (local.get $end)))
        (local.set $f (f32.load (local.get $bias)))
        (local.set $b (f32x4.splat (local.get $f)))
        (local.set $rowEnd (i32.add (local.get $c) (i32.shl (local.get $N) (i32.const 2))))
        (block $d4
          (loop $l4
            (br_if $d4 (i32.gt_u (i32.add (local.get $c) (i32.const 16)) (local.get $rowEnd)))
            (v128.store (local.get $c) (f32x4.add (v128.load (local.get $c)) (local.get $b)))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $l4)))
        (block $d1
          (loop $l1
            (br_if $d1 (i32.ge_u (local.get $c) (local.get $rowEnd)))
            (f32.store (local.get $c) (f32.add (f32.load (local.get $c)) (local.get $f)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $l1)))
        (local.set $bias (i32.add (local.get $bias) (i32.const 4)))
        (br $rows))))

  (func (export "matmul_bias") (param $a i32) (param $b i32) (param $c i32) (param $M i32) (param $K i32) (param $N i32)
    (param $bias i32)
    (call $matmul (local.get $a) (local.get $b) (local.get $c) (local.get $M) (local.get $K) (local.get $N))
    (call $add_column (local.get $c) (local.get $bias) (local.get $M) (local.get $N)))

  ;; out[j, i] = x[i, j] for x [rows, cols].
  (func (export "transpose") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $i i32) (local $j i32) (local $src i32) (local $ldo i32)
    (local.set $ldo (i32.shl (local.get $rows) (i32.const 2)))
    (local.set $src (local.get $x))
    (local.set $i (i32.const 0))
    (block $di
      (loop $li
        (br_if $di (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $j (i32.const 0))
        (block $dj
          (loop $lj
            (br_if $dj (i32.ge_u (local.get $j) (local.get $cols)))
            (i32.store
              (i32.add (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (i32.mul (local.get $j) (local.get $ldo)))
              (i32.load (local.get $src)))
            (local.set $src (i32.add (local.get $src) (i32.const 4)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $lj)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $li))))

  ;; Elementwise over count floats: four at a time, then one at a time; $op picks the formula.
  ;; 0: out = a - b;  1: out = a (b - b b) (sigmoid_backward: a = dy, b = y);  2: out = (a - b) s.
  (func $elementwise (param $op i32) (param $a i32) (param $b i32) (param $out i32) (param $count i32) (param $s f32)
    (local $end i32) (local $vs v128) (local $va v128) (local $vb v128) (local $fa f32) (local $fb f32)
    (local.set $vs (f32x4.splat (local.get $s)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))))
    (block $d4
      (loop $l4
        (br_if $d4 (i32.gt_u (i32.add (local.get $out) (i32.const 16)) (local.get $end)))
        (local.set $va (v128.load (local.get $a)))
        (local.set $vb (v128.load (local.get $b)))
        (v128.store (local.get $out)
          (if (result v128) (i32.eqz (local.get $op))
            (then (f32x4.sub (local.get $va) (local.get $vb)))
            (else (if (result v128) (i32.eq (local.get $op) (i32.const 1))
              (then (f32x4.mul (local.get $va) (f32x4.sub (local.get $vb) (f32x4.mul (local.get $vb) (local.get $vb)))))
              (else (f32x4.mul (f32x4.sub (local.get $va) (local.get $vb)) (local.get $vs)))))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $l4)))
    (block $d1
      (loop $l1
        (br_if $d1 (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $fa (f32.load (local.get $a)))
        (local.set $fb (f32.load (local.get $b)))
        (f32.store (local.get $out)
          (if (result f32) (i32.eqz (local.get $op))
            (then (f32.sub (local.get $fa) (local.get $fb)))
            (else (if (result f32) (i32.eq (local.get $op) (i32.const 1))
              (then (f32.mul (local.get $fa) (f32.sub (local.get $fb) (f32.mul (local.get $fb) (local.get $fb)))))
              (else (f32.mul (f32.sub (local.get $fa) (local.get $fb)) (local.get $s)))))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $l1))))

  (func (export "sub") (param $a i32) (param $b i32) (param $out i32) (param $count i32)
    (call $elementwise (i32.const 0) (local.get $a) (local.get $b) (local.get $out) (local.get $count) (f32.const 0)))
  (func (export "sigmoid_backward") (param $dy i32) (param $y i32) (param $out i32) (param $count i32)
    (call $elementwise (i32.const 1) (local.get $dy) (local.get $y) (local.get $out) (local.get $count) (f32.const 0)))
  (func (export "loss_gradient") (param $o i32) (param $y i32) (param $s i32) (param $out i32) (param $count i32)
    (call $elementwise (i32.const 2) (local.get $o) (local.get $y) (local.get $out) (local.get $count) (f32.load (local.get $s))))

  ;; out[i] = (((+0 + x[i, 0]) + x[i, 1]) + ...) for x [M, N].
  (func (export "row_sums") (param $x i32) (param $out i32) (param $M i32) (param $N i32)
    (local $rowEnd i32) (local $end i32) (local $f f32)
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.mul (local.get $M) (local.get $N)) (i32.const 2))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $rowEnd (i32.add (local.get $x) (i32.shl (local.get $N) (i32.const 2))))
        (local.set $f (f32.const 0))
        (block $d1
          (loop $l1
            (br_if $d1 (i32.ge_u (local.get $x) (local.get $rowEnd)))
            (local.set $f (f32.add (local.get $f) (f32.load (local.get $x))))
            (local.set $x (i32.add (local.get $x) (i32.const 4)))
            (br $l1)))
        (f32.store (local.get $out) (local.get $f))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $rows))))
)
