//! Block tests of the hand-written Verilog inside RustHDL blocks, each
//! Verilated on its own (`alpc_rtl::testbench`) and checked against the
//! rule it must implement.

use alpc_rtl::irq_moderator::{moderation_edge, ModerationInput, ModerationState};
use alpc_sim::blocks::{tb_irq_moderator, tb_rr_arbiter, TB_CONTEXTS as N};

/// One rising clock edge of a Verilated block (each block is its own type).
macro_rules! edge {
    ($m:expr) => {{
        $m.set_clock(0);
        $m.eval();
        $m.set_clock(1);
        $m.eval();
    }};
}

/// Reset held over one edge.
macro_rules! reset {
    ($m:expr) => {{
        $m.set_rst(1);
        edge!($m);
        $m.set_rst(0);
    }};
}

/// Every request pattern from every starting point: the grant is the first
/// requester after `last`, wrapping round.
#[test]
fn round_robin_arbiter_is_exhaustively_right() {
    let mut m = tb_rr_arbiter::Model::new();
    for req in 0..(1u64 << N) {
        for last in 0..N as u64 {
            m.set_req(req);
            m.set_last(last);
            m.eval();
            let want = (1..=N as u64).map(|k| (last + k) % N as u64).find(|&i| req >> i & 1 == 1);
            assert_eq!(m.get_valid() == 1, want.is_some(), "req {req:08b} last {last}");
            if let Some(w) = want {
                assert_eq!(m.get_grant(), w, "req {req:08b} last {last}");
            }
        }
    }
}

#[test]
fn interrupt_moderator_matches_its_rule() {
    let mut m = tb_irq_moderator::Model::new();
    let mut state = [ModerationState::default(); N];
    let mut rand = rng(0x2545_F491_4F6C_DD1D);
    reset!(m);
    let mut fired = 0;
    for cycle in 0..50_000u64 {
        let r = rand();
        let i = ModerationInput {
            ctl: r % 97 == 0,
            modr: (r >> 8) % 89 == 0,
            ctx: (r >> 16) as usize % N,
            irq_on: (r >> 20) % 8 != 0,
            vector: ((r >> 24) % 32) as u32,
            count: if (r >> 30) % 4 == 0 { 0 } else { ((r >> 32) % 6) as u32 },
            time: if (r >> 36) % 3 == 0 { 0 } else { ((r >> 40) % 40) as u32 },
            event: if (r >> 48) % 3 == 0 { Some((r >> 52) as usize % N) } else { None },
        };
        m.set_ctl_en(i.ctl as u64);
        m.set_mod_en(i.modr as u64);
        m.set_cfg_ctx(i.ctx as u64);
        m.set_cfg_irq_on(i.irq_on as u64);
        m.set_cfg_vector(i.vector as u64);
        m.set_cfg_count(i.count as u64);
        m.set_cfg_time(i.time as u64);
        m.set_event_en(i.event.is_some() as u64);
        m.set_event_ctx(i.event.unwrap_or(0) as u64);
        edge!(m);
        let want = moderation_edge(&mut state, &i);
        assert_eq!(m.get_msi_irq(), want, "cycle {cycle}");
        fired += want.count_ones();
    }
    assert!(fired > 1000, "the stimulus must make interrupts fire ({fired})");
}

fn rng(seed: u64) -> impl FnMut() -> u64 {
    let mut x = seed | 1;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }
}

/// The name CAM against a plain list of (name, port) pairs.
#[test]
fn name_cam_matches_a_list() {
    use alpc_sim::blocks::{tb_name_cam, TB_NAMES};
    let mut m = tb_name_cam::Model::new();
    reset!(m);
    let mut slots: Vec<Option<(u64, u64)>> = vec![None; TB_NAMES];
    let mut rand = rng(77);
    let (mut hits, mut fulls) = (0, 0);
    for cycle in 0..40_000 {
        let r = rand();
        // Names from a small pool so lookups hit; ports distinct per name.
        let name = (r % 12) * 0x0101_0101 + 1;
        let port = r % 12 + 3;
        let present = slots.iter().flatten().any(|(n, _)| *n == name);
        let full = slots.iter().all(Option::is_some);
        let op = (r >> 8) % 3;
        m.set_lookup_name(name);
        m.set_insert_en((op == 0 && !present && !full) as u64);
        m.set_insert_name(name);
        m.set_insert_port(port);
        m.set_remove_en((op == 1) as u64);
        m.set_remove_port(port);
        m.set_clock(0);
        m.eval();
        // Combinational lookup before the edge.
        let want = slots.iter().flatten().find(|(n, _)| *n == name);
        assert_eq!(m.get_lookup_hit() == 1, want.is_some(), "cycle {cycle}");
        if let Some((_, p)) = want {
            assert_eq!(m.get_lookup_port(), *p, "cycle {cycle}");
            hits += 1;
        }
        assert_eq!(m.get_full() == 1, full, "cycle {cycle}");
        fulls += full as u32;
        m.set_clock(1);
        m.eval();
        if op == 1 {
            if let Some(s) = slots.iter_mut().find(|s| matches!(s, Some((_, p)) if *p == port)) {
                *s = None;
            }
        } else if op == 0 && !present && !full {
            *slots.iter_mut().find(|s| s.is_none()).unwrap() = Some((name, port));
        }
    }
    assert!(hits > 1000 && fulls > 100, "stimulus too weak: {hits} hits, {fulls} full");
}

/// The allocator hands out fresh indices in order, then freed ones in the
/// order they were freed, never one that is in use, with no bubble.
#[test]
fn handle_allocator_matches_its_order() {
    use alpc_sim::blocks::{tb_handle_allocator, TB_ALLOC_BITS};
    use std::collections::VecDeque;
    let entries = 1u64 << TB_ALLOC_BITS;
    let mut m = tb_handle_allocator::Model::new();
    reset!(m);
    let mut hwm = 0u64;
    let mut recycled: VecDeque<u64> = VecDeque::new();
    let mut in_use: Vec<u64> = Vec::new();
    let mut rand = rng(1234);
    let mut takes = 0;
    for cycle in 0..40_000 {
        let r = rand();
        m.set_clock(0);
        m.eval();
        let fresh = hwm < entries;
        let want = if fresh { Some(hwm) } else { recycled.front().copied() };
        assert_eq!(m.get_avail() == 1, want.is_some(), "cycle {cycle}");
        if let Some(w) = want {
            assert_eq!(m.get_index(), w, "cycle {cycle}");
            assert_eq!(m.get_fresh() == 1, fresh, "cycle {cycle}");
        }
        // Bias towards a full table so recycling dominates.
        let take = want.is_some() && r % 100 < 55;
        let free = !in_use.is_empty() && (r >> 8) % 100 < 45;
        let victim = if free { in_use.remove((r >> 16) as usize % in_use.len()) } else { 0 };
        m.set_take(take as u64);
        m.set_free_en(free as u64);
        m.set_free_index(victim);
        m.eval();
        m.set_clock(1);
        m.eval();
        if take {
            let got = want.unwrap();
            if fresh {
                hwm += 1;
            } else {
                recycled.pop_front();
            }
            assert!(!in_use.contains(&got), "cycle {cycle}: {got} handed out twice");
            in_use.push(got);
            takes += 1;
        }
        if free {
            recycled.push_back(victim);
        }
    }
    assert!(takes > 10_000);
}
