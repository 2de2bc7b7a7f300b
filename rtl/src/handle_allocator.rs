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
reg [31:0] hwm;
reg [{ib1}:0] head;
reg [{ib1}:0] tail;
reg [31:0] count;
reg bypass_valid;
reg [{ib1}:0] bypass_data;
reg [{ib1}:0] mem [0:{last}];
reg [{ib1}:0] rd_data;
wire is_fresh = hwm < 32'd{n};
wire take_fifo = take && !is_fresh && (count != 32'd0);
wire [{ib1}:0] head_next = take_fifo ? head + {ib}'d1 : head;
// Outputs from registers only.
always @(*) begin
    fresh = is_fresh;
    avail = is_fresh || (count != 32'd0);
    index = is_fresh ? hwm[{ib1}:0] : (bypass_valid ? bypass_data : rd_data);
end
always @(posedge clock) begin
    if (rst) begin
        hwm <= 32'd0;
        head <= {ib}'d0;
        tail <= {ib}'d0;
        count <= 32'd0;
        bypass_valid <= 1'b0;
    end else begin
        if (take && is_fresh) hwm <= hwm + 32'd1;
        head <= head_next;
        if (free_en) begin
            mem[tail] <= free_index;
            tail <= tail + {ib}'d1;
        end
        if (free_en && !take_fifo) count <= count + 32'd1;
        else if (!free_en && take_fifo) count <= count - 32'd1;
        // The block RAM is read one ahead; a slot written in the cycle it
        // is read returns its old contents, so remember the new one.
        bypass_valid <= free_en && (tail == head_next);
    end
    bypass_data <= free_index;
    rd_data <= mem[head_next];
end",
            ib = IB,
            ib1 = IB - 1,
            n = 1u64 << IB,
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
