;; The first layer's deferred online-SGD update fused with the next example's forward pass, four
;; columns at a time in WebAssembly SIMD: the same numbers as the plain kernel
;; (kernels.ts descendThenAffineColumns), bit for bit.
;;
;; The plain kernel's arithmetic, per weight: t = fround(p[i] d[j]) (a float32 product), then
;; v = fround(W[i, j] - lr t) in double, and per group of four rows
;; out[j] = fround(out[j] + (((x0 v0 + x1 v1) + x2 v2) + x3 v3)) in double. Here each float32
;; product is one f32x4.mul (four columns), and each double step runs on two f64x2 halves, in the
;; same order with the same roundings. Double SIMD alone (two columns at a time) was no faster than
;; the JIT's scalar code; four float32 columns per load and store are what pay.
;;
;; Compiled into first-layer-wasm.ts by `node tools/build-wasm.mjs` (wabt); the test
;; spec/first-layer-simd.spec.ts fails when that file and this one disagree.
(module
  (import "env" "memory" (memory 1))

  ;; Shuffles: `8 9 .. 7` moves lanes 2, 3 of a float32x4 to lanes 0, 1 (for promote_low);
  ;; `0 .. 7 16 .. 23` joins lanes 0, 1 of two float32x4 (the halves demote_f64x2_zero made).
  ;; Written inline: a call per column group would cost more than the shuffle.

  ;; Rows [0, rows) (rows a multiple of 4) and columns [0, cols) (cols a multiple of 4, at most
  ;; fanOut) of W [fanIn, fanOut], row-major float32; p, x [fanIn], d, out [fanOut] float32; byte
  ;; offsets into the memory. out must already hold the bias.
  (func (export "descendThenAffine")
    (param $p i32) (param $d i32) (param $lr f64) (param $w i32) (param $x i32) (param $out i32)
    (param $rows i32) (param $fanOut i32) (param $cols i32)
    (local $i i32) (local $j i32) (local $o i32) (local $stride i32)
    (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32) (local $pi i32) (local $xi i32)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $lr2 v128) (local $d4 v128) (local $t v128) (local $wv v128) (local $lo v128) (local $hi v128) (local $ov v128)
    (local $lo0 v128) (local $lo1 v128) (local $lo2 v128) (local $lo3 v128)
    (local $hi0 v128) (local $hi1 v128) (local $hi2 v128) (local $hi3 v128)
    (local.set $stride (i32.shl (local.get $fanOut) (i32.const 2)))
    (local.set $lr2 (f64x2.splat (local.get $lr)))
    (block $rows_done
      (loop $rows_loop
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $pi (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $xi (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $p0 (f32x4.splat (f32.load offset=0 (local.get $pi))))
        (local.set $x0 (f64x2.splat (f64.promote_f32 (f32.load offset=0 (local.get $xi)))))
        (local.set $p1 (f32x4.splat (f32.load offset=4 (local.get $pi))))
        (local.set $x1 (f64x2.splat (f64.promote_f32 (f32.load offset=4 (local.get $xi)))))
        (local.set $p2 (f32x4.splat (f32.load offset=8 (local.get $pi))))
        (local.set $x2 (f64x2.splat (f64.promote_f32 (f32.load offset=8 (local.get $xi)))))
        (local.set $p3 (f32x4.splat (f32.load offset=12 (local.get $pi))))
        (local.set $x3 (f64x2.splat (f64.promote_f32 (f32.load offset=12 (local.get $xi)))))
        (local.set $w0 (i32.add (local.get $w) (i32.mul (local.get $i) (local.get $stride))))
        (local.set $w1 (i32.add (local.get $w0) (local.get $stride)))
        (local.set $w2 (i32.add (local.get $w1) (local.get $stride)))
        (local.set $w3 (i32.add (local.get $w2) (local.get $stride)))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols_loop
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $cols)))
            (local.set $o (i32.shl (local.get $j) (i32.const 2)))
            (local.set $d4 (v128.load (i32.add (local.get $d) (local.get $o))))
            ;; row i+0: t = p[i+0] d[j..j+3] in float32 (= fround of the double product, which is exact)
            (local.set $t (f32x4.mul (local.get $p0) (local.get $d4)))
            (local.set $wv (v128.load (i32.add (local.get $w0) (local.get $o))))
            ;; v = fround(W - lr t), computed in double: columns j, j+1 (lo) and j+2, j+3 (hi)
            (local.set $lo (f32x4.demote_f64x2_zero
              (f64x2.sub (f64x2.promote_low_f32x4 (local.get $wv))
                (f64x2.mul (local.get $lr2) (f64x2.promote_low_f32x4 (local.get $t))))))
            (local.set $hi (f32x4.demote_f64x2_zero
              (f64x2.sub (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $wv) (local.get $wv)))
                (f64x2.mul (local.get $lr2) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $t) (local.get $t)))))))
            (v128.store (i32.add (local.get $w0) (local.get $o)) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)))
            ;; x[i+0] v, in double
            (local.set $lo0 (f64x2.mul (local.get $x0) (f64x2.promote_low_f32x4 (local.get $lo))))
            (local.set $hi0 (f64x2.mul (local.get $x0) (f64x2.promote_low_f32x4 (local.get $hi))))
            ;; row i+1: t = p[i+1] d[j..j+3] in float32 (= fround of the double product, which is exact)
            (local.set $t (f32x4.mul (local.get $p1) (local.get $d4)))
            (local.set $wv (v128.load (i32.add (local.get $w1) (local.get $o))))
            ;; v = fround(W - lr t), computed in double: columns j, j+1 (lo) and j+2, j+3 (hi)
            (local.set $lo (f32x4.demote_f64x2_zero
              (f64x2.sub (f64x2.promote_low_f32x4 (local.get $wv))
                (f64x2.mul (local.get $lr2) (f64x2.promote_low_f32x4 (local.get $t))))))
            (local.set $hi (f32x4.demote_f64x2_zero
              (f64x2.sub (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $wv) (local.get $wv)))
                (f64x2.mul (local.get $lr2) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $t) (local.get $t)))))))
            (v128.store (i32.add (local.get $w1) (local.get $o)) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)))
            ;; x[i+1] v, in double
            (local.set $lo1 (f64x2.mul (local.get $x1) (f64x2.promote_low_f32x4 (local.get $lo))))
            (local.set $hi1 (f64x2.mul (local.get $x1) (f64x2.promote_low_f32x4 (local.get $hi))))
            ;; row i+2: t = p[i+2] d[j..j+3] in float32 (= fround of the double product, which is exact)
            (local.set $t (f32x4.mul (local.get $p2) (local.get $d4)))
            (local.set $wv (v128.load (i32.add (local.get $w2) (local.get $o))))
            ;; v = fround(W - lr t), computed in double: columns j, j+1 (lo) and j+2, j+3 (hi)
            (local.set $lo (f32x4.demote_f64x2_zero
              (f64x2.sub (f64x2.promote_low_f32x4 (local.get $wv))
                (f64x2.mul (local.get $lr2) (f64x2.promote_low_f32x4 (local.get $t))))))
            (local.set $hi (f32x4.demote_f64x2_zero
              (f64x2.sub (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $wv) (local.get $wv)))
                (f64x2.mul (local.get $lr2) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $t) (local.get $t)))))))
            (v128.store (i32.add (local.get $w2) (local.get $o)) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)))
            ;; x[i+2] v, in double
            (local.set $lo2 (f64x2.mul (local.get $x2) (f64x2.promote_low_f32x4 (local.get $lo))))
            (local.set $hi2 (f64x2.mul (local.get $x2) (f64x2.promote_low_f32x4 (local.get $hi))))
            ;; row i+3: t = p[i+3] d[j..j+3] in float32 (= fround of the double product, which is exact)
            (local.set $t (f32x4.mul (local.get $p3) (local.get $d4)))
            (local.set $wv (v128.load (i32.add (local.get $w3) (local.get $o))))
            ;; v = fround(W - lr t), computed in double: columns j, j+1 (lo) and j+2, j+3 (hi)
            (local.set $lo (f32x4.demote_f64x2_zero
              (f64x2.sub (f64x2.promote_low_f32x4 (local.get $wv))
                (f64x2.mul (local.get $lr2) (f64x2.promote_low_f32x4 (local.get $t))))))
            (local.set $hi (f32x4.demote_f64x2_zero
              (f64x2.sub (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $wv) (local.get $wv)))
                (f64x2.mul (local.get $lr2) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $t) (local.get $t)))))))
            (v128.store (i32.add (local.get $w3) (local.get $o)) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)))
            ;; x[i+3] v, in double
            (local.set $lo3 (f64x2.mul (local.get $x3) (f64x2.promote_low_f32x4 (local.get $lo))))
            (local.set $hi3 (f64x2.mul (local.get $x3) (f64x2.promote_low_f32x4 (local.get $hi))))
            ;; out[j..j+3] += ((x0 v0 + x1 v1) + x2 v2) + x3 v3, rounded once to float32
            (local.set $ov (v128.load (i32.add (local.get $out) (local.get $o))))
            (local.set $lo (f32x4.demote_f64x2_zero
              (f64x2.add (f64x2.promote_low_f32x4 (local.get $ov))
                (f64x2.add (f64x2.add (f64x2.add (local.get $lo0) (local.get $lo1)) (local.get $lo2)) (local.get $lo3)))))
            (local.set $hi (f32x4.demote_f64x2_zero
              (f64x2.add (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $ov) (local.get $ov)))
                (f64x2.add (f64x2.add (f64x2.add (local.get $hi0) (local.get $hi1)) (local.get $hi2)) (local.get $hi3)))))
            (v128.store (i32.add (local.get $out) (local.get $o)) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $hi)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $cols_loop)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows_loop))))
  ;; The forward product of the first layer for n examples (evaluation, prediction, batches above
  ;; one): out[r, j] += ((x0 W[i, j] + x1 W[i+1, j]) + x2 W[i+2, j]) + x3 W[i+3, j] over the groups of
  ;; four rows i < rows, in double, rounded to float32 once per group: kernels.ts affine's order and
  ;; rounding, for columns [0, cols). a [n, fanIn] and out [n, fanOut] row-major float32; out must
  ;; already hold the bias.
  (func (export "affine")
    (param $a i32) (param $n i32) (param $fanIn i32) (param $w i32) (param $out i32)
    (param $rows i32) (param $fanOut i32) (param $cols i32)
    (local $r i32) (local $i i32) (local $j i32) (local $o i32) (local $stride i32)
    (local $ar i32) (local $or i32) (local $xi i32)
    (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $wv v128) (local $ov v128) (local $oo i32)
    (local $lo0 v128) (local $lo1 v128) (local $lo2 v128) (local $lo3 v128)
    (local $hi0 v128) (local $hi1 v128) (local $hi2 v128) (local $hi3 v128)
    (local.set $stride (i32.shl (local.get $fanOut) (i32.const 2)))
    (block $examples_done
      (loop $examples_loop
        (br_if $examples_done (i32.ge_u (local.get $r) (local.get $n)))
        (local.set $ar (i32.add (local.get $a) (i32.mul (local.get $r) (i32.shl (local.get $fanIn) (i32.const 2)))))
        (local.set $or (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $i (i32.const 0))
        (block $rows_done
          (loop $rows_loop
            (br_if $rows_done (i32.ge_u (local.get $i) (local.get $rows)))
            (local.set $xi (i32.add (local.get $ar) (i32.shl (local.get $i) (i32.const 2))))
            (local.set $x0 (f64x2.splat (f64.promote_f32 (f32.load offset=0 (local.get $xi)))))
            (local.set $x1 (f64x2.splat (f64.promote_f32 (f32.load offset=4 (local.get $xi)))))
            (local.set $x2 (f64x2.splat (f64.promote_f32 (f32.load offset=8 (local.get $xi)))))
            (local.set $x3 (f64x2.splat (f64.promote_f32 (f32.load offset=12 (local.get $xi)))))
            (local.set $w0 (i32.add (local.get $w) (i32.mul (local.get $i) (local.get $stride))))
            (local.set $w1 (i32.add (local.get $w0) (local.get $stride)))
            (local.set $w2 (i32.add (local.get $w1) (local.get $stride)))
            (local.set $w3 (i32.add (local.get $w2) (local.get $stride)))
            (local.set $j (i32.const 0))
            (block $cols_done
              (loop $cols_loop
                (br_if $cols_done (i32.ge_u (local.get $j) (local.get $cols)))
                (local.set $o (i32.shl (local.get $j) (i32.const 2)))
                (local.set $wv (v128.load (i32.add (local.get $w0) (local.get $o))))
                (local.set $lo0 (f64x2.mul (local.get $x0) (f64x2.promote_low_f32x4 (local.get $wv))))
                (local.set $hi0 (f64x2.mul (local.get $x0) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $wv) (local.get $wv)))))
                (local.set $wv (v128.load (i32.add (local.get $w1) (local.get $o))))
                (local.set $lo1 (f64x2.mul (local.get $x1) (f64x2.promote_low_f32x4 (local.get $wv))))
                (local.set $hi1 (f64x2.mul (local.get $x1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $wv) (local.get $wv)))))
                (local.set $wv (v128.load (i32.add (local.get $w2) (local.get $o))))
                (local.set $lo2 (f64x2.mul (local.get $x2) (f64x2.promote_low_f32x4 (local.get $wv))))
                (local.set $hi2 (f64x2.mul (local.get $x2) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $wv) (local.get $wv)))))
                (local.set $wv (v128.load (i32.add (local.get $w3) (local.get $o))))
                (local.set $lo3 (f64x2.mul (local.get $x3) (f64x2.promote_low_f32x4 (local.get $wv))))
                (local.set $hi3 (f64x2.mul (local.get $x3) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $wv) (local.get $wv)))))
                (local.set $oo (i32.add (local.get $or) (local.get $o)))
                (local.set $ov (v128.load (local.get $oo)))
                (v128.store (local.get $oo)
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                    (f32x4.demote_f64x2_zero
                      (f64x2.add (f64x2.promote_low_f32x4 (local.get $ov))
                        (f64x2.add (f64x2.add (f64x2.add (local.get $lo0) (local.get $lo1)) (local.get $lo2)) (local.get $lo3))))
                    (f32x4.demote_f64x2_zero
                      (f64x2.add (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $ov) (local.get $ov)))
                        (f64x2.add (f64x2.add (f64x2.add (local.get $hi0) (local.get $hi1)) (local.get $hi2)) (local.get $hi3))))))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $cols_loop)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $rows_loop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $examples_loop))))
)
