//! UART transmitter: 8N1, LSB first, `DIV` clock cycles per bit.
//!
//! `start` is taken when `busy` is low; the line is driven from a register
//! so that it never glitches.

use rust_hdl::prelude::*;

/// See the module documentation.
#[derive(LogicBlock)]
pub struct UartTx<const DIV: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset.
    pub rst: Signal<In, Bit>,
    /// The byte to send.
    pub data: Signal<In, Bits<8>>,
    /// Send `data` (ignored while `busy`).
    pub start: Signal<In, Bit>,
    /// A byte is being sent.
    pub busy: Signal<Out, Bit>,
    /// Serial output (idle high).
    pub tx: Signal<Out, Bit>,
    shift: DFF<Bits<10>>,
    bits_left: DFF<Bits<4>>,
    count: DFF<Bits<16>>,
    line: DFF<Bit>,
    k_div_last: Constant<Bits<16>>,
    k_stop: Constant<Bits<10>>,
}

impl<const DIV: usize> Default for UartTx<DIV> {
    fn default() -> Self {
        assert!((4..65536).contains(&DIV), "UartTx: 4..65536 cycles per bit");
        Self {
            clock: Default::default(),
            rst: Default::default(),
            data: Default::default(),
            start: Default::default(),
            busy: Default::default(),
            tx: Default::default(),
            shift: Default::default(),
            bits_left: Default::default(),
            count: Default::default(),
            line: Default::default(),
            k_div_last: crate::konst(DIV as u64 - 1),
            k_stop: crate::konst(1 << 9),
        }
    }
}

impl<const DIV: usize> Logic for UartTx<DIV> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, shift, bits_left, count, line);
        self.busy.next = self.bits_left.q.val() != 0;
        self.tx.next = !self.line.q.val();
        // `line` holds the inverted level so that its reset value (0) is idle.
        self.line.d.next = false;
        if self.bits_left.q.val() == 0 {
            if self.start.val() {
                // Stop bit, data, start bit; sent from bit 0.
                self.shift.d.next = self.k_stop.val() | (bit_cast::<10, 8>(self.data.val()) << 1);
                self.bits_left.d.next = 10.into();
                self.count.d.next = self.k_div_last.val();
                self.line.d.next = true;
            }
        } else {
            self.line.d.next = !self.shift.q.val().get_bit(0);
            if self.count.q.val() == 0 {
                self.count.d.next = self.k_div_last.val();
                self.shift.d.next = self.shift.q.val() >> 1;
                self.bits_left.d.next = self.bits_left.q.val() - 1;
                self.line.d.next = !self.shift.q.val().get_bit(1);
                if self.bits_left.q.val() == 1 {
                    self.line.d.next = false;
                }
            } else {
                self.count.d.next = self.count.q.val() - 1;
            }
        }
        if self.rst.val() {
            self.bits_left.d.next = 0.into();
            self.line.d.next = false;
        }
    }
}
