//! A byte rotator whose amount is one-hot: output byte `j` is input byte
//! `(j + k) mod N` for the `k` whose bit of `sel` is set (zero if none).
//!
//! The copy datapath rotates its 256-bit accumulator into each 128-bit W
//! beat by a byte amount. With the amount in binary (5 bits) the rotation
//! is a 32-way mux per bit, and each amount bit drives over a thousand LUT
//! inputs: a 4.55 ns net on ECP5, seed 1's worst path at `afca151`. A copy
//! of the binary amount does not help, since Yosys merges flip-flops that
//! have the same input. With the amount one-hot, each of its `N` flip-flops
//! drives only the AND terms of its own position, and the rotation is an
//! AND-OR tree.
//!
//! The rotation is a Verilog loop: RustHDL's kernel language cannot OR
//! into a signal inside a loop. `update` is the same rule in Rust for
//! RustHDL's simulator, and `sim/tests/blocks.rs` checks the Verilog
//! against an independent model.

use rust_hdl::prelude::*;

/// See the module documentation. `N` is the number of input bytes (and of
/// positions), `IW` = 8 `N` the input's width, `OW` the output's width (a
/// whole number of bytes, at most `IW`).
#[derive(LogicBlock)]
pub struct ByteRotator<const N: usize, const IW: usize, const OW: usize> {
    /// The word to rotate.
    pub word: Signal<In, Bits<IW>>,
    /// The amount in bytes, one-hot.
    pub sel: Signal<In, Bits<N>>,
    /// Byte `j` = `word`'s byte `(j + amount) mod N`.
    pub slice: Signal<Out, Bits<OW>>,
}

impl<const N: usize, const IW: usize, const OW: usize> Default for ByteRotator<N, IW, OW> {
    fn default() -> Self {
        assert!(IW == 8 * N, "ByteRotator: IW = 8 N");
        assert!(OW % 8 == 0 && OW > 0 && OW <= IW, "ByteRotator: whole bytes, at most the input");
        Self { word: Default::default(), sel: Default::default(), slice: Default::default() }
    }
}

impl<const N: usize, const IW: usize, const OW: usize> Logic for ByteRotator<N, IW, OW> {
    fn update(&mut self) {
        let word = self.word.val();
        let sel = self.sel.val();
        let mut out = Bits::<OW>::default();
        for k in (0..N).filter(|&k| sel.get_bit(k)) {
            for j in 0..OW / 8 {
                let byte = word.get_bits::<8>(((j + k) % N) * 8);
                out.set_bits::<8>(j * 8, out.get_bits::<8>(j * 8) | byte);
            }
        }
        self.slice.next = out;
    }

    fn connect(&mut self) {
        self.slice.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
// Byte j of the slice: byte (j + k) mod {n} of the word, for each set bit
// k of the one-hot amount, OR-ed (an AND-OR tree once unrolled).
integer j, k;
always @(*) begin
    slice = {ow}'d0;
    for (j = 0; j < {ob}; j = j + 1) begin
        for (k = 0; k < {n}; k = k + 1) begin
            slice[j*8 +: 8] = slice[j*8 +: 8] | ({{8{{sel[k]}}}} & word[((j + k) % {n})*8 +: 8]);
        end
    end
end",
            n = N,
            ow = OW,
            ob = OW / 8
        ))
    }
}
