//! A small content-addressed memory of (key, port) pairs: the name
//! directory of connection ports.
//!
//! `CONNECT` names a connection port by a 32-bit name id; the engine must
//! find the port in one step whatever the number of ports. The CAM holds up
//! to `N` (key, port) pairs of `KB`-bit keys in flip-flops and compares a
//! key against all of them at once. A lookup takes a cycle: the compares
//! are registered (one bit per slot) and the answer is picked from those
//! bits after the edge, so a wide compare and an `N`-way pick are not one
//! path (timing). It answers for the key of the cycle before, against the
//! slots as they were then. Insert takes the lowest free slot, remove
//! clears every slot that maps to a given port (a closed port's name). One insert or
//! remove at a time (remove wins if both are asked), with a cycle without
//! one after it: the free slot and `full` are registered, from the slots as
//! they were a cycle before (timing).
//!
//! The engine uses it as the name directory (`KB` = 32, key = name id);
//! the access lists, whose keys hold their port, are
//! [`crate::acl_cam::AclCam`], which shares this block's slot keeping.
//!
//! The parallel compare is a Verilog `generate` loop (RustHDL's kernel
//! language has no arrays of registers); `update` is the same rule in Rust
//! for RustHDL's simulator, and `sim/tests/blocks.rs` checks the Verilog
//! against an independent model.

use rust_hdl::prelude::*;

/// See the module documentation. `KB` is the width of a key, `PB` the
/// width of a port index.
#[derive(LogicBlock)]
pub struct NameCam<const N: usize, const KB: usize, const PB: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset: forget every name.
    pub rst: Signal<In, Bit>,
    /// Name to look up.
    pub lookup_name: Signal<In, Bits<KB>>,
    /// The `lookup_name` of the cycle before was in the CAM.
    pub lookup_hit: Signal<Out, Bit>,
    /// The port registered under that name.
    pub lookup_port: Signal<Out, Bits<PB>>,
    /// Every slot is taken.
    pub full: Signal<Out, Bit>,
    /// Register `insert_name` → `insert_port` (the caller checked that the
    /// name is absent and the CAM not full).
    pub insert_en: Signal<In, Bit>,
    /// Name to register.
    pub insert_name: Signal<In, Bits<KB>>,
    /// Port to register it for.
    pub insert_port: Signal<In, Bits<PB>>,
    /// Forget the name registered for `remove_port`.
    pub remove_en: Signal<In, Bit>,
    /// Port whose name goes.
    pub remove_port: Signal<In, Bits<PB>>,
    _sim: Vec<Option<(u64, u64)>>,
    _sim_hit: Option<u64>,
    _sim_full: bool,
}

impl<const N: usize, const KB: usize, const PB: usize> Default for NameCam<N, KB, PB> {
    fn default() -> Self {
        assert!(N >= 2 && N <= 1024, "NameCam: 2..=1024 slots");
        assert!((1..=64).contains(&KB), "NameCam: keys of 1..=64 bits");
        Self {
            clock: Default::default(),
            rst: Default::default(),
            lookup_name: Default::default(),
            lookup_hit: Default::default(),
            lookup_port: Default::default(),
            full: Default::default(),
            insert_en: Default::default(),
            insert_name: Default::default(),
            insert_port: Default::default(),
            remove_en: Default::default(),
            remove_port: Default::default(),
            _sim: vec![None; N],
            _sim_hit: None,
            _sim_full: false,
        }
    }
}

impl<const N: usize, const KB: usize, const PB: usize> Logic for NameCam<N, KB, PB> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let name = self.lookup_name.val().index() as u64;
            self._sim_hit = if self.rst.val() {
                None
            } else {
                self._sim.iter().flatten().find(|(n, _)| *n == name).map(|(_, p)| *p)
            };
            let port = self.remove_port.val().index() as u64;
            self._sim_full = keep_slots(
                &mut self._sim,
                self.rst.val(),
                self.remove_en.val().then_some(|&(_, p): &(u64, u64)| p == port),
                self.insert_en
                    .val()
                    .then(|| (self.insert_name.val().index() as u64, self.insert_port.val().index() as u64)),
            );
        }
        self.lookup_hit.next = self._sim_hit.is_some();
        self.lookup_port.next = self._sim_hit.unwrap_or(0).to_bits();
        self.full.next = self._sim_full;
    }

    fn connect(&mut self) {
        self.lookup_hit.connect();
        self.lookup_port.connect();
        self.full.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
reg [{n1}:0] valid;
reg [{kb1}:0] names [0:{n1}];
reg [{pb1}:0] ports [0:{n1}];
wire [{n1}:0] match_name;
wire [{n1}:0] match_port;
genvar g;
generate
    for (g = 0; g < {n}; g = g + 1) begin : slot
        assign match_name[g] = valid[g] && (names[g] == lookup_name);
        assign match_port[g] = valid[g] && (ports[g] == remove_port);
    end
endgenerate
// The compares, registered; then the port of the (only) matching slot.
// An insert between the two writes a slot that was free, which did not
// match, so the port picked is the one that matched.
reg [{n1}:0] match_q;
always @(posedge clock) match_q <= rst ? {n}'d0 : match_name;
// At most one slot matches, so the pick is an AND-OR tree, not a chain.
integer k;
always @(*) begin
    lookup_port = {pb}'d0;
    for (k = 0; k < {n}; k = k + 1) begin
        lookup_port = lookup_port | ({{{pb}{{match_q[k]}}}} & ports[k]);
    end
    lookup_hit = |match_q;
end
{slots}end",
            slots = slot_keeping(N, "names[j] <= insert_name;\n                ports[j] <= insert_port;"),
            n = N,
            n1 = N - 1,
            pb = PB,
            pb1 = PB - 1,
            kb1 = KB - 1
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "name_cam".into(),
            clock: "clock".into(),
            inputs: vec!["insert_en".into(), "remove_en".into()],
            outputs: vec![],
        }]
    }
}

/// [`slot_keeping`] in Rust, for both CAMs' models in RustHDL's simulator:
/// one clock edge of the slots (reset, else a remove of the slots
/// `remove` matches, else an insert at the lowest free slot). Returns
/// `full` as the Verilog registers it, from the slots before the edge.
pub(crate) fn keep_slots<T>(
    slots: &mut [Option<T>],
    rst: bool,
    remove: Option<impl Fn(&T) -> bool>,
    insert: Option<T>,
) -> bool {
    let full = !rst && slots.iter().all(Option::is_some);
    if rst {
        slots.iter_mut().for_each(|s| *s = None);
    } else if let Some(matches) = remove {
        for s in slots.iter_mut().filter(|s| s.as_ref().is_some_and(&matches)) {
            *s = None;
        }
    } else if let Some(v) = insert {
        if let Some(s) = slots.iter_mut().find(|s| s.is_none()) {
            *s = Some(v);
        }
    }
    full
}

/// The Verilog both CAMs share ([`NameCam`], [`crate::acl_cam::AclCam`]):
/// `valid`, the lowest free slot, `full`, and a slot's writes on insert
/// (`writes`, statements for slot `j`). It reads the block's `clock`,
/// `rst`, `insert_en`, `remove_en` and `match_port` (the slots a remove
/// clears) and ends inside the `always` block that the caller closes.
pub(crate) fn slot_keeping(n: usize, writes: &str) -> String {
    format!(
        "\
// The lowest free slot and `full`, from the slots as they were a cycle
// ago (registered): the priority search over every slot is then a path of
// its own. A command must therefore follow another after a cycle without
// one, which the engine's commands (one per operation) always do.
// The lowest clear bit of `valid` is the lowest set bit of `~valid`,
// `~valid & (valid + 1)`: a carry chain rather than a chain of LUTs.
reg [{n1}:0] first_free;
wire [{n1}:0] free_next = ~valid & (valid + {n}'d1);
integer j;
always @(posedge clock) begin
    // After a reset every slot is free: slot 0 first, not full.
    first_free <= rst ? {n}'d1 : free_next;
    full <= !rst && (&valid);
    if (rst) valid <= {n}'d0;
    else if (remove_en) valid <= valid & ~match_port;
    else if (insert_en) valid <= valid | first_free;
    // A slot's contents are written on insert alone: under a reset or a
    // remove the slot stays free (`valid` above), so what is written there
    // is never seen, and two fewer terms reach the enables of every slot's
    // registers.
    if (insert_en) begin
        for (j = 0; j < {n}; j = j + 1) begin
            if (first_free[j]) begin
                {writes}
            end
        end
    end
",
        n = n,
        n1 = n - 1,
    )
}

#[cfg(test)]
mod tests {
    use super::keep_slots;

    #[test]
    fn slots_fill_lowest_first_and_full_lags_an_edge() {
        let none = None::<fn(&u32) -> bool>;
        let mut slots = vec![None; 3];
        assert!(!keep_slots(&mut slots, false, none, Some(10)));
        assert!(!keep_slots(&mut slots, false, none, Some(20)));
        assert!(!keep_slots(&mut slots, false, none, Some(30)));
        assert_eq!(slots, [Some(10), Some(20), Some(30)]);
        // Full only from the edge after the last insert; a fourth is dropped.
        assert!(keep_slots(&mut slots, false, none, Some(40)));
        assert_eq!(slots, [Some(10), Some(20), Some(30)]);
        // A remove wins over an insert and takes every match.
        assert!(keep_slots(&mut slots, false, Some(|k: &u32| *k != 20), Some(50)));
        assert_eq!(slots, [None, Some(20), None]);
        assert!(!keep_slots(&mut slots, false, none, Some(60)));
        assert_eq!(slots, [Some(60), Some(20), None]);
        // Reset wins over both and reports not full.
        slots = vec![Some(1), Some(2), Some(3)];
        assert!(!keep_slots(&mut slots, true, Some(|_: &u32| true), Some(9)));
        assert_eq!(slots, [None, None, None]);
    }
}
