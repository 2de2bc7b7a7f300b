//! Allocator of table entries (ports, requests): O(1), no reset sweep.
//!
//! Hands out indices never used before in order (a high-water mark), then
//! indices freed earlier in the order they were freed (a FIFO in block
//! RAM). `fresh` tells the caller the entry was never used, so its stored
//! generation is meaningless and starts at 1; a recycled entry keeps its
//! generation, which the caller bumped when it freed it. This order is the
//! reference model's (`alpc_model::alpc`), so allocations agree one for one.
//!
//! `index`/`fresh` are valid whenever `avail`; `take` consumes them. The
//! FIFO's block RAM is read one cycle ahead (`read_address` follows the next
//! head), with a bypass for an index freed into the slot being read.

use rust_hdl::prelude::*;

/// See the module documentation: `1 << IB` entries.
#[derive(LogicBlock)]
pub struct HandleAllocator<const IB: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset: everything free, nothing ever used.
    pub rst: Signal<In, Bit>,
    /// An index is available.
    pub avail: Signal<Out, Bit>,
    /// The index `take` would consume.
    pub index: Signal<Out, Bits<IB>>,
    /// `index` was never used before.
    pub fresh: Signal<Out, Bit>,
    /// Consume `index` (only when `avail`).
    pub take: Signal<In, Bit>,
    /// Return `free_index` to the allocator.
    pub free_en: Signal<In, Bit>,
    /// Index being returned.
    pub free_index: Signal<In, Bits<IB>>,
    hwm: DFF<Bits<32>>,
    head: DFF<Bits<32>>,
    tail: DFF<Bits<32>>,
    count: DFF<Bits<32>>,
    bypass_valid: DFF<Bit>,
    bypass_data: DFF<Bits<IB>>,
    fifo: RAM<Bits<IB>, IB>,
    is_fresh: Signal<Local, Bit>,
    take_fifo: Signal<Local, Bit>,
    head_next: Signal<Local, Bits<32>>,
    entries: Constant<Bits<32>>,
}

impl<const IB: usize> Default for HandleAllocator<IB> {
    fn default() -> Self {
        assert!((1..=16).contains(&IB), "HandleAllocator: 1..=16 index bits");
        Self {
            clock: Default::default(),
            rst: Default::default(),
            avail: Default::default(),
            index: Default::default(),
            fresh: Default::default(),
            take: Default::default(),
            free_en: Default::default(),
            free_index: Default::default(),
            hwm: Default::default(),
            head: Default::default(),
            tail: Default::default(),
            count: Default::default(),
            bypass_valid: Default::default(),
            bypass_data: Default::default(),
            fifo: Default::default(),
            is_fresh: Default::default(),
            take_fifo: Default::default(),
            head_next: Default::default(),
            entries: crate::konst(1 << IB),
        }
    }
}

impl<const IB: usize> Logic for HandleAllocator<IB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, hwm, head, tail, count, bypass_valid, bypass_data);
        self.fifo.read_clock.next = self.clock.val();
        self.fifo.write_clock.next = self.clock.val();

        self.is_fresh.next = self.hwm.q.val() < self.entries.val();
        self.fresh.next = self.is_fresh.val();
        self.avail.next = self.is_fresh.val() || (self.count.q.val() != 0);
        if self.is_fresh.val() {
            self.index.next = self.hwm.q.val().get_bits::<IB>(0);
        } else if self.bypass_valid.q.val() {
            self.index.next = self.bypass_data.q.val();
        } else {
            self.index.next = self.fifo.read_data.val();
        }
        self.take_fifo.next = self.take.val() && !self.is_fresh.val() && (self.count.q.val() != 0);
        if self.take.val() && self.is_fresh.val() {
            self.hwm.d.next = self.hwm.q.val() + 1;
        }
        if self.take_fifo.val() {
            self.head_next.next = self.head.q.val() + 1;
        } else {
            self.head_next.next = self.head.q.val();
        }
        self.head.d.next = self.head_next.val();
        // Read one ahead: next cycle's read_data is the entry at the new head.
        self.fifo.read_address.next = self.head_next.val().get_bits::<IB>(0);
        self.fifo.write_enable.next = self.free_en.val();
        self.fifo.write_address.next = self.tail.q.val().get_bits::<IB>(0);
        self.fifo.write_data.next = self.free_index.val();
        if self.free_en.val() {
            self.tail.d.next = self.tail.q.val() + 1;
        }
        if self.free_en.val() && !self.take_fifo.val() {
            self.count.d.next = self.count.q.val() + 1;
        }
        if !self.free_en.val() && self.take_fifo.val() {
            self.count.d.next = self.count.q.val() - 1;
        }
        // A slot written in the cycle it is read returns its old contents.
        self.bypass_valid.d.next = self.free_en.val()
            && (self.tail.q.val().get_bits::<IB>(0) == self.head_next.val().get_bits::<IB>(0));
        self.bypass_data.d.next = self.free_index.val();

        if self.rst.val() {
            self.hwm.d.next = 0.into();
            self.head.d.next = 0.into();
            self.tail.d.next = 0.into();
            self.count.d.next = 0.into();
            self.bypass_valid.d.next = false;
        }
    }
}
