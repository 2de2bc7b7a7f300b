//! The access lists of restricted connection ports: a content-addressed
//! set of (port, identity) keys.
//!
//! `ALLOW` puts an identity on a port's list; `CONNECT` to a restricted
//! port asks whether the connecting context's identity is on it. A key is
//! 48 bits: the port index in bits 47:32 (zero-extended from `PB` bits)
//! and the identity in bits 31:0. Like [`crate::name_cam::NameCam`] it
//! holds `N` keys in flip-flops, compares a key against all of them at
//! once and registers the compares (a lookup answers a cycle later, for
//! the slots as they were then), inserts at the lowest free slot and
//! removes every key of a given port (a closed port's list). Unlike the
//! name directory it answers only whether the key is there: the port is
//! part of the key, so a hit is an OR of the registered compares, not a
//! port picked out of the matching slot and compared again (timing: that
//! pick and compare, from the registered compares into the engine's
//! `acl_hit`, was one of the core's worst paths at `44664fd`). One insert
//! or remove at a time (remove wins), with a cycle without one after it,
//! as `NameCam` (the same slot keeping, [`crate::name_cam::slot_keeping`]).
//!
//! The parallel compare is a Verilog `generate` loop; `update` is the same
//! rule in Rust for RustHDL's simulator, and `sim/tests/blocks.rs` checks
//! the Verilog against a plain list.

use crate::name_cam::{keep_slots, slot_keeping};
use rust_hdl::prelude::*;

/// Width of an access-list key: a 16-bit port field above a 32-bit
/// identity.
pub const ACL_KEY_BITS: usize = 48;

/// Bit position of the port field in a key.
pub const ACL_PORT_SHIFT: usize = 32;

/// See the module documentation. `PB` is the width of a port index (at
/// most 16).
#[derive(LogicBlock)]
pub struct AclCam<const N: usize, const PB: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset: empty every list.
    pub rst: Signal<In, Bit>,
    /// Key to look up.
    pub lookup_key: Signal<In, Bits<ACL_KEY_BITS>>,
    /// The `lookup_key` of the cycle before was in the set.
    pub lookup_hit: Signal<Out, Bit>,
    /// Every slot is taken.
    pub full: Signal<Out, Bit>,
    /// Put `insert_key` in the set (the caller checked that it is absent
    /// and the set not full).
    pub insert_en: Signal<In, Bit>,
    /// Key to put in.
    pub insert_key: Signal<In, Bits<ACL_KEY_BITS>>,
    /// Take out every key of port `remove_port`.
    pub remove_en: Signal<In, Bit>,
    /// Port whose list goes.
    pub remove_port: Signal<In, Bits<PB>>,
    _sim: Vec<Option<u64>>,
    _sim_hit: bool,
    _sim_full: bool,
}

impl<const N: usize, const PB: usize> Default for AclCam<N, PB> {
    fn default() -> Self {
        assert!(N >= 2 && N <= 1024, "AclCam: 2..=1024 slots");
        assert!((1..=16).contains(&PB), "AclCam: port indices of 1..=16 bits");
        Self {
            clock: Default::default(),
            rst: Default::default(),
            lookup_key: Default::default(),
            lookup_hit: Default::default(),
            full: Default::default(),
            insert_en: Default::default(),
            insert_key: Default::default(),
            remove_en: Default::default(),
            remove_port: Default::default(),
            _sim: vec![None; N],
            _sim_hit: false,
            _sim_full: false,
        }
    }
}

impl<const N: usize, const PB: usize> Logic for AclCam<N, PB> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let key = self.lookup_key.val().index() as u64;
            self._sim_hit = !self.rst.val() && self._sim.contains(&Some(key));
            let port = self.remove_port.val().index() as u64;
            self._sim_full = keep_slots(
                &mut self._sim,
                self.rst.val(),
                self.remove_en.val().then_some(|k: &u64| *k >> ACL_PORT_SHIFT == port),
                self.insert_en.val().then(|| self.insert_key.val().index() as u64),
            );
        }
        self.lookup_hit.next = self._sim_hit;
        self.full.next = self._sim_full;
    }

    fn connect(&mut self) {
        self.lookup_hit.connect();
        self.full.connect();
    }

    fn hdl(&self) -> Verilog {
        // The port field of a key, as wide as `remove_port` is padded.
        let port_field = ACL_KEY_BITS - ACL_PORT_SHIFT;
        let remove_field = match port_field - PB {
            0 => "remove_port".to_string(),
            pad => format!("{{{pad}'d0, remove_port}}"),
        };
        Verilog::Custom(format!(
            "\
reg [{n1}:0] valid;
reg [{kb1}:0] keys [0:{n1}];
wire [{n1}:0] match_key;
wire [{n1}:0] match_port;
genvar g;
generate
    for (g = 0; g < {n}; g = g + 1) begin : slot
        assign match_key[g] = valid[g] && (keys[g] == lookup_key);
        assign match_port[g] = valid[g] && (keys[g][{kb1}:{shift}] == {remove_field});
    end
endgenerate
// The compares, registered; a hit is any of them.
reg [{n1}:0] match_q;
always @(posedge clock) match_q <= rst ? {n}'d0 : match_key;
always @(*) lookup_hit = |match_q;
{slots}end",
            slots = slot_keeping(N, "keys[j] <= insert_key;"),
            n = N,
            n1 = N - 1,
            kb1 = ACL_KEY_BITS - 1,
            shift = ACL_PORT_SHIFT,
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "acl_cam".into(),
            clock: "clock".into(),
            inputs: vec!["insert_en".into(), "remove_en".into()],
            outputs: vec![],
        }]
    }
}
