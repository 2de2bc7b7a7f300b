//! Allocator of table entries (ports, requests): O(1), no reset sweep.
//!
//! Hands out indices never used before in order (a high-water mark), then
//! indices freed earlier in the order they were freed (a FIFO in block
//! RAM). `fresh` tells the caller the entry was never used, so its stored
//! generation is meaningless and starts at 1; a recycled entry keeps its
//! generation, which the caller bumped when it freed it. This order is the
//! reference model's (`alpc_model::alpc`), so allocations agree one for one.
//!
//! `index`/`fresh` are valid whenever `avail`; `take` consumes them, in
//! any cycle, back to back. The outputs are registers (or a mux of them)
//! and `take` reaches only registers through one LUT, so a parent may
//! compute `take` late in its cycle (timing): the FIFO's RAM is read at the
//! head and one past it every cycle, and after a take the second read is
//! the new head.

use rust_hdl::prelude::*;
use std::collections::VecDeque;

/// See the module documentation: `1 << IB` entries.
///
/// Written as a Verilog body: its outputs come from registers only, in an
/// always block of their own, so a parent may compute `take` from `avail`
/// and `index` in the same cycle without Verilator seeing a combinational
/// loop (RustHDL puts all of a block's logic in one always block, which
/// would tie `take` to the outputs).
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
    _sim: (u64, VecDeque<u64>),
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
            _sim: (0, VecDeque::new()),
        }
    }
}

impl<const IB: usize> Logic for HandleAllocator<IB> {
    fn update(&mut self) {
        let entries = 1u64 << IB;
        if self.clock.pos_edge() {
            let (hwm, recycled) = &mut self._sim;
            if self.rst.val() {
                *hwm = 0;
                recycled.clear();
            } else {
                if self.take.val() {
                    if *hwm < entries {
                        *hwm += 1;
                    } else {
                        recycled.pop_front();
                    }
                }
                if self.free_en.val() {
                    recycled.push_back(self.free_index.val().index() as u64);
                }
            }
        }
        let (hwm, recycled) = &self._sim;
        let fresh = *hwm < entries;
        self.fresh.next = fresh;
        self.avail.next = fresh || !recycled.is_empty();
        let index = if fresh { *hwm } else { recycled.front().copied().unwrap_or(0) };
        self.index.next = index.to_bits();
    }

    fn connect(&mut self) {
        self.avail.connect();
        self.index.connect();
        self.fresh.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
reg [{ib}:0] hwm;
reg fresh_q;
reg [{ib}:0] count;
reg nonempty_q;
reg [{ib1}:0] head;
reg [{ib1}:0] head_inc;
reg [{ib1}:0] tail;
reg took_q;
reg [{ib1}:0] mem [0:{last}];
reg [{ib1}:0] rd0;
reg [{ib1}:0] rd1;
// `take` only steers registers, one LUT deep, and every output is a
// register or a mux of them: a parent may decide `take` late in its cycle.
wire take_fifo = take && !fresh_q && nonempty_q;
wire hwm_is_last = hwm == {ib1p}'d{last};
wire count_is_one = count == {ib1p}'d1;
always @(*) begin
    fresh = fresh_q;
    avail = fresh_q || nonempty_q;
    // After a take the new head is the entry read one ahead.
    index = fresh_q ? hwm[{ib1}:0] : (took_q ? rd1 : rd0);
end
always @(posedge clock) begin
    if (rst) begin
        hwm <= {ib1p}'d0;
        fresh_q <= 1'b1;
        count <= {ib1p}'d0;
        nonempty_q <= 1'b0;
        head <= {ib}'d0;
        head_inc <= {ib}'d1;
        tail <= {ib}'d0;
        took_q <= 1'b0;
    end else begin
        if (take && fresh_q) begin
            hwm <= hwm + {ib1p}'d1;
            if (hwm_is_last) fresh_q <= 1'b0;
        end
        if (take_fifo) begin
            head <= head_inc;
            head_inc <= head_inc + {ib}'d1;
        end
        took_q <= take_fifo;
        if (free_en) begin
            mem[tail] <= free_index;
            tail <= tail + {ib}'d1;
        end
        if (free_en && !take_fifo) count <= count + {ib1p}'d1;
        else if (!free_en && take_fifo) count <= count - {ib1p}'d1;
        nonempty_q <= free_en || (nonempty_q && !(take_fifo && count_is_one));
    end
    // The head entry and the one after it, read every cycle (a slot written
    // this cycle is forwarded: the RAM would return its old contents).
    rd0 <= (free_en && tail == head) ? free_index : mem[head];
    rd1 <= (free_en && tail == head_inc) ? free_index : mem[head_inc];
end",
            ib = IB,
            ib1 = IB - 1,
            ib1p = IB + 1,
            last = (1u64 << IB) - 1
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "handle_allocator".into(),
            clock: "clock".into(),
            inputs: vec!["take".into(), "free_en".into(), "free_index".into()],
            outputs: vec!["avail".into(), "index".into(), "fresh".into()],
        }]
    }
}
