//! UART receiver: 8 data bits, no parity, one stop bit (8N1), LSB first.
//!
//! `DIV` clock cycles per bit. The line is synchronised through two
//! flip-flops, the start bit is confirmed at its middle (a glitch shorter
//! than half a bit is ignored) and each bit is sampled at its middle. A
//! byte whose stop bit is low (a framing error or a break) is dropped.

use rust_hdl::prelude::*;

/// See the module documentation.
#[derive(LogicBlock)]
pub struct UartRx<const DIV: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset.
    pub rst: Signal<In, Bit>,
    /// Serial input (idle high), asynchronous to `clock`.
    pub rx: Signal<In, Bit>,
    /// The byte received, valid with `valid`.
    pub data: Signal<Out, Bits<8>>,
    /// One cycle: `data` holds a new byte.
    pub valid: Signal<Out, Bit>,
    sync1: DFF<Bit>,
    sync2: DFF<Bit>,
    busy: DFF<Bit>,
    count: DFF<Bits<16>>,
    bit_idx: DFF<Bits<4>>,
    shift: DFF<Bits<8>>,
    out_valid: DFF<Bit>,
    out_data: DFF<Bits<8>>,
    k_div_last: Constant<Bits<16>>,
    k_half: Constant<Bits<16>>,
}

impl<const DIV: usize> Default for UartRx<DIV> {
    fn default() -> Self {
        assert!((4..65536).contains(&DIV), "UartRx: 4..65536 cycles per bit");
        Self {
            clock: Default::default(),
            rst: Default::default(),
            rx: Default::default(),
            data: Default::default(),
            valid: Default::default(),
            sync1: Default::default(),
            sync2: Default::default(),
            busy: Default::default(),
            count: Default::default(),
            bit_idx: Default::default(),
            shift: Default::default(),
            out_valid: Default::default(),
            out_data: Default::default(),
            k_div_last: crate::konst(DIV as u64 - 1),
            k_half: crate::konst(DIV as u64 / 2),
        }
    }
}

impl<const DIV: usize> Logic for UartRx<DIV> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, sync1, sync2, busy, count, bit_idx, shift, out_valid, out_data);
        self.data.next = self.out_data.q.val();
        self.valid.next = self.out_valid.q.val();
        self.sync1.d.next = self.rx.val();
        self.sync2.d.next = self.sync1.q.val();
        self.out_valid.d.next = false;
        if !self.busy.q.val() {
            // A falling edge: perhaps a start bit; look again at its middle.
            if !self.sync2.q.val() {
                self.busy.d.next = true;
                self.count.d.next = self.k_half.val();
                self.bit_idx.d.next = 0.into();
            }
        } else if self.count.q.val() == 0 {
            self.count.d.next = self.k_div_last.val();
            self.bit_idx.d.next = self.bit_idx.q.val() + 1;
            if self.bit_idx.q.val() == 0 {
                if self.sync2.q.val() {
                    // High again at the middle of the start bit: a glitch.
                    self.busy.d.next = false;
                }
            } else if self.bit_idx.q.val() < 9 {
                self.shift.d.next = (self.shift.q.val() >> 1) | (bit_cast::<8, 1>(self.sync2.q.val().into()) << 7);
            } else {
                self.busy.d.next = false;
                if self.sync2.q.val() {
                    self.out_valid.d.next = true;
                    self.out_data.d.next = self.shift.q.val();
                }
            }
        } else {
            self.count.d.next = self.count.q.val() - 1;
        }
        if self.rst.val() {
            self.busy.d.next = false;
            self.out_valid.d.next = false;
        }
    }
}
