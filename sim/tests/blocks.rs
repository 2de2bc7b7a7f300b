//! Block tests of the hand-written Verilog inside RustHDL blocks, each
//! Verilated on its own (`alpc_rtl::testbench`) and checked against the
//! rule it must implement.

use alpc_rtl::irq_moderator::{moderation_edge, ModerationInput, ModerationState};
use alpc_rtl::rr_arbiter::after_mask;
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
            m.set_after(after_mask(last as usize, N));
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
            // Mostly small thresholds so they are reached often; now and
            // then a large one, so the counters run long.
            count: match (r >> 30) % 8 {
                0 | 1 => 0,
                2 => ((r >> 32) % 256) as u32,
                _ => ((r >> 32) % 6) as u32,
            },
            time: match (r >> 36) % 6 {
                0 | 1 => 0,
                2 => ((r >> 40) % 0x1_0000) as u32,
                _ => ((r >> 40) % 40) as u32,
            },
            event: if (r >> 48) % 3 == 0 { Some((r >> 52) as usize % N) } else { None },
        };
        m.set_ctl_en(i.ctl as u64);
        m.set_mod_en(i.modr as u64);
        m.set_cfg_ctx(i.ctx as u64);
        m.set_cfg_irq_on(i.irq_on as u64);
        m.set_cfg_vector(i.vector as u64);
        m.set_cfg_count(i.count as u64);
        m.set_cfg_time(i.time as u64);
        m.set_event_hot(i.event.map_or(0, |k| 1 << k));
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

/// The name CAM against a plain list of (name, port) pairs: a lookup
/// answers a cycle later, for the slots as they were when it was asked.
#[test]
fn name_cam_matches_a_list() {
    use alpc_sim::blocks::{tb_name_cam, TB_NAMES};
    let mut m = tb_name_cam::Model::new();
    reset!(m);
    let mut slots: Vec<Option<(u64, u64)>> = vec![None; TB_NAMES];
    let mut rand = rng(77);
    let (mut hits, mut fulls) = (0, 0);
    // A command must follow another after a cycle without one.
    let mut settled = true;
    // The answer due in this cycle, to the lookup of the cycle before.
    let mut due: Option<Option<u64>> = None;
    for cycle in 0..40_000 {
        let r = rand();
        // Names from a small pool so lookups hit; ports distinct per name.
        let name = (r % 12) * 0x0101_0101 + 1;
        let port = r % 12 + 3;
        let present = slots.iter().flatten().any(|(n, _)| *n == name);
        let full = slots.iter().all(Option::is_some);
        let op = if settled { (r >> 8) % 3 } else { 2 };
        m.set_lookup_name(name);
        m.set_insert_en((op == 0 && !present && !full) as u64);
        m.set_insert_name(name);
        m.set_insert_port(port);
        m.set_remove_en((op == 1) as u64);
        m.set_remove_port(port);
        m.set_clock(0);
        m.eval();
        if let Some(want) = due {
            assert_eq!(m.get_lookup_hit() == 1, want.is_some(), "cycle {cycle}");
            if let Some(p) = want {
                assert_eq!(m.get_lookup_port(), p, "cycle {cycle}");
                hits += 1;
            }
        }
        due = Some(slots.iter().flatten().find(|(n, _)| *n == name).map(|(_, p)| *p));
        if settled {
            assert_eq!(m.get_full() == 1, full, "cycle {cycle}");
            fulls += full as u32;
        }
        settled = op == 2;
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

    // A full CAM, a reset, and an insert on the very next cycle: the free
    // slot chosen before the reset must not survive it.
    m.set_insert_en(0);
    m.set_remove_en(0);
    for k in 0..TB_NAMES as u64 + 2 {
        m.set_insert_name(0x5000 + k);
        m.set_insert_port(k % 8);
        m.set_insert_en(1);
        edge!(m);
        m.set_insert_en(0);
        edge!(m);
    }
    m.eval();
    assert_eq!(m.get_full(), 1, "the CAM did not fill");
    reset!(m);
    m.set_insert_name(0x7777);
    m.set_insert_port(5);
    m.set_insert_en(1);
    edge!(m);
    m.set_insert_en(0);
    m.set_lookup_name(0x7777);
    edge!(m);
    m.eval();
    assert_eq!((m.get_lookup_hit(), m.get_lookup_port()), (1, 5), "an insert right after a reset was lost");
}

/// The access-list CAM against a plain list of keys: a lookup answers a
/// cycle later, for the slots as they were when it was asked; a remove
/// takes out every key of its port, and only those.
#[test]
fn acl_cam_matches_a_list() {
    use alpc_sim::blocks::{tb_acl_cam, TB_NAMES};
    let mut m = tb_acl_cam::Model::new();
    reset!(m);
    let mut slots: Vec<Option<u64>> = vec![None; TB_NAMES];
    let mut rand = rng(91);
    let (mut hits, mut misses, mut fulls, mut multi_removes) = (0, 0, 0, 0);
    let mut settled = true;
    let mut due: Option<bool> = None;
    // A key: a 6-bit port (the test bench's width) at bit 32, an identity
    // below; few ports and identities, so that lists share ports and
    // identities recur on several ports.
    let key = |port: u64, ident: u64| port << 32 | ident;
    for cycle in 0..40_000 {
        let r = rand();
        let port = (r % 5) * 13 % 64;
        let ident = [1, 0xffff_ffff, 0x8000_0001, 7][(r >> 4) as usize % 4];
        let k = key(port, ident);
        // Lookups also of keys whose identity is listed under another port.
        let look = key((r >> 12) % 5 * 13 % 64, ident);
        let present = slots.contains(&Some(k));
        let full = slots.iter().all(Option::is_some);
        let op = if settled { (r >> 8) % 4 } else { 3 };
        m.set_lookup_key(look);
        m.set_insert_en((op <= 1 && !present && !full) as u64);
        m.set_insert_key(k);
        m.set_remove_en((op == 2) as u64);
        m.set_remove_port(port);
        m.set_clock(0);
        m.eval();
        if let Some(want) = due {
            assert_eq!(m.get_lookup_hit() == 1, want, "cycle {cycle}");
            if want {
                hits += 1;
            } else {
                misses += 1;
            }
        }
        due = Some(slots.contains(&Some(look)));
        if settled {
            assert_eq!(m.get_full() == 1, full, "cycle {cycle}");
            fulls += full as u32;
        }
        settled = op == 3;
        m.set_clock(1);
        m.eval();
        if op == 2 {
            let before = slots.iter().flatten().count();
            slots.iter_mut().filter(|s| matches!(s, Some(k) if *k >> 32 == port)).for_each(|s| *s = None);
            multi_removes += (before - slots.iter().flatten().count() > 1) as u32;
        } else if op <= 1 && !present && !full {
            *slots.iter_mut().find(|s| s.is_none()).unwrap() = Some(k);
        }
    }
    assert!(
        hits > 1000 && misses > 1000 && fulls > 100 && multi_removes > 100,
        "stimulus too weak: {hits} hits, {misses} misses, {fulls} full, {multi_removes} removes of several keys"
    );
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

/// `DualReadRam`, plain and with its write port registered, against an
/// array under the same random traffic: each read port gives the entry as
/// it was before this edge's write (read first), so a write is seen from the
/// next cycle on; port B gives it a cycle later, through its output
/// register. The registered build holds its write a cycle and forwards it,
/// and must not be told apart from the plain one by any read.
#[test]
fn dual_read_ram_reads_first_with_or_without_a_registered_write() {
    use alpc_rtl::testbench::TB_RAM_BITS;
    use alpc_sim::blocks::{tb_dual_read_ram, tb_dual_read_ram_wq};
    let entries = 1usize << TB_RAM_BITS;
    let mut plain = tb_dual_read_ram::Model::new();
    let mut reg = tb_dual_read_ram_wq::Model::new();
    let mut mem = vec![0u64; entries];
    let mut rand = rng(7);
    // Reads of the entry written the cycle before (the forwarded case), and
    // of the entry being written at that edge (old data).
    let (mut just_written, mut being_written) = (0, 0);
    let mut last_write: Option<usize> = None;
    // Port B's entry of the cycle before, on its way through the output register.
    let mut b_prev: Option<(usize, u64)> = None;
    for cycle in 0..20_000 {
        let r = rand();
        let (we, wa) = (r % 3 != 0, (r >> 8) as usize % entries);
        let (ra, rb) = ((r >> 16) as usize % entries, (r >> 24) as usize % entries);
        let data = (r >> 32) & 0xFFFF;
        // Every entry written in the first cycles, so nothing reads as X/0 by luck.
        let (we, wa) = if cycle < entries { (true, cycle) } else { (we, wa) };
        macro_rules! drive {
            ($m:expr) => {{
                $m.set_wr_en(we as u64);
                $m.set_wr_addr(wa as u64);
                $m.set_wr_data(data);
                $m.set_a_addr(ra as u64);
                $m.set_b_addr(rb as u64);
                edge!($m);
            }};
        }
        drive!(plain);
        drive!(reg);
        if cycle > entries {
            let (rb_prev, want_b) = b_prev.unwrap();
            for (name, got_a, got_b) in [
                ("plain", plain.get_a_data(), plain.get_b_data()),
                ("registered write", reg.get_a_data(), reg.get_b_data()),
            ] {
                assert_eq!(got_a, mem[ra], "{name}, cycle {cycle}: port A read {ra}, write {wa} ({we})");
                assert_eq!(got_b, want_b, "{name}, cycle {cycle}: port B read {rb_prev} a cycle before");
            }
            just_written += (last_write == Some(ra)) as u32 + (last_write == Some(rb)) as u32;
            being_written += (we && wa == ra) as u32 + (we && wa == rb) as u32;
        }
        b_prev = Some((rb, mem[rb]));
        if we {
            mem[wa] = data;
        }
        last_write = we.then_some(wa);
    }
    assert!(just_written > 1000 && being_written > 1000, "{just_written} reads of the last write, {being_written} of the one at the edge");
}

/// `BlockRam` against an array: a write lands a cycle late (it is
/// registered on its way in), and a read gives the entry as it was before
/// the write of the cycle before, except an entry being written in that
/// cycle or the one before, which the Verilated builds
/// (`ALPC_RW_COLLISION_CHECK`) give with every bit inverted. The engine's
/// tests run on that model, so an engine that used such a read (undefined
/// on the block RAM) would fail them; this checks that the trap is armed.
#[test]
fn block_ram_reads_old_entries_and_poisons_collisions() {
    use alpc_rtl::testbench::TB_RAM_BITS;
    use alpc_sim::blocks::tb_block_ram;
    let entries = 1usize << TB_RAM_BITS;
    let mut m = tb_block_ram::Model::new();
    let mut mem = vec![0u64; entries];
    // Every entry written once, so old and inverted data differ.
    for (a, e) in mem.iter_mut().enumerate() {
        *e = 0x1234 + a as u64;
        m.set_write_enable(1);
        m.set_write_address(a as u64);
        m.set_write_data(*e);
        m.set_read_address(((a + 2) % entries) as u64);
        edge!(m);
    }
    m.set_write_enable(0);
    edge!(m);
    let mut rand = rng(99);
    let (mut collisions, mut late) = (0, 0);
    // The write of the cycle before, not yet in the RAM.
    let mut pending: Option<(usize, u64)> = None;
    for cycle in 0..20_000 {
        let r = rand();
        let (we, wa, ra) = (r % 3 != 0, (r >> 8) as usize % entries, (r >> 16) as usize % entries);
        let data = (r >> 24) & 0xFFFF;
        m.set_write_enable(we as u64);
        m.set_write_address(wa as u64);
        m.set_write_data(data);
        m.set_read_address(ra as u64);
        edge!(m);
        let collide_now = we && wa == ra;
        let collide_late = matches!(pending, Some((a, _)) if a == ra);
        let want = if collide_now || collide_late { !mem[ra] & 0xFFFF } else { mem[ra] };
        assert_eq!(m.get_read_data(), want, "cycle {cycle}: read {ra}, write {wa} (enabled: {we}), pending {pending:?}");
        collisions += collide_now as u32;
        late += (collide_late && !collide_now) as u32;
        if let Some((a, d)) = pending.take() {
            mem[a] = d;
        }
        if we {
            pending = Some((wa, data));
        }
    }
    assert!(collisions > 500 && late > 500, "{collisions} collisions, {late} with the write of the cycle before");
}

/// The board's on-chip host memory against a byte array, under
/// constrained-random AXI4 traffic on both sides at once plus the word port:
/// every read beat carries what the memory held when the RAM read it (the
/// cycle before RVALID rises), holds still while RREADY is low even when a
/// write lands on that beat, and every error case answers SLVERR (bursts
/// outside the memory, a wrong size or type, a misplaced WLAST) or `w_err`
/// (words outside) without changing a byte.
#[test]
fn host_ram_matches_a_byte_array() {
    use alpc_sim::blocks::{tb_host_ram, TB_HOST_RAM_BEAT_BITS};
    use std::collections::VecDeque;
    const SIZE: usize = 16 << TB_HOST_RAM_BEAT_BITS;
    const SLVERR: u64 = 2;

    struct ReadBurst {
        addr: u64,
        len: u64,
        size: u64,
        burst: u64,
        id: u64,
        beat: u64,
    }
    impl ReadBurst {
        fn bad(&self) -> bool {
            self.addr >= SIZE as u64 || self.size != 4 || self.burst != 1
        }
    }
    struct WriteBurst {
        r: ReadBurst,
        data: Vec<([u32; 4], u64)>,
        /// The beat that carries WLAST (`len` when right, else early, or
        /// past the end: never).
        last_at: u64,
        sent: u64,
        mismatch: bool,
    }
    struct Word {
        write: bool,
        addr: u64,
        data: u32,
    }

    fn beat_bytes(w: [u32; 4]) -> [u8; 16] {
        let mut b = [0; 16];
        for (i, x) in w.iter().enumerate() {
            b[4 * i..4 * i + 4].copy_from_slice(&x.to_le_bytes());
        }
        b
    }

    let mut m = tb_host_ram::Model::new();
    let mut rand = rng(0x9E37_79B9_7F4A_7C15);
    let mut mem = vec![0u8; SIZE];
    let mut mem_prev = mem.clone();
    reset!(m);

    let gen_burst = |rand: &mut dyn FnMut() -> u64| {
        let r = rand();
        // Half the bursts in the first 16 beats, so reads and writes meet.
        let span = if r % 2 == 0 { 16 } else { SIZE as u64 / 16 };
        let start = (r >> 8) % span;
        let len = ((r >> 20) % 8).min(SIZE as u64 / 16 - 1 - start);
        let page = if (r >> 30) % 16 == 0 { 1 + (r >> 34) % 3 } else { 0 };
        ReadBurst {
            addr: page * SIZE as u64 + start * 16,
            len,
            size: if (r >> 40) % 24 == 0 { 2 } else { 4 },
            burst: if (r >> 45) % 24 == 0 { 2 } else { 1 },
            id: (r >> 50) % 16,
            beat: 0,
        }
    };

    let mut ar: Option<ReadBurst> = None;
    let mut reads: VecDeque<ReadBurst> = VecDeque::new();
    let mut aw: Option<WriteBurst> = None;
    let mut writes: VecDeque<WriteBurst> = VecDeque::new();
    let mut word: Option<Word> = None;
    let mut held: Option<([u32; 4], u64, u64)> = None;
    let (mut beats_checked, mut holds, mut holds_hit, mut slverrs, mut word_errs, mut words) = (0, 0, 0, 0, 0, 0);

    for cycle in 0..200_000u64 {
        let r = rand();
        // Offer new requests.
        if ar.is_none() && r % 4 == 0 {
            ar = Some(gen_burst(&mut rand));
        }
        if aw.is_none() && (r >> 4) % 4 == 0 {
            let b = gen_burst(&mut rand);
            let data = (0..=b.len)
                .map(|_| {
                    let x = rand();
                    let y = rand();
                    let strb = if x % 4 == 0 { 0xFFFF } else { (x >> 8) & 0xFFFF };
                    ([y as u32, (y >> 32) as u32, x as u32 ^ 0x5A5A, (x >> 32) as u32], strb)
                })
                .collect();
            let k = rand();
            let last_at = if k % 20 == 0 { k % (b.len + 2) } else { b.len };
            aw = Some(WriteBurst { r: b, data, last_at, sent: 0, mismatch: false });
        }
        if word.is_none() && (r >> 8) % 16 == 0 {
            let x = rand();
            let limit = if x % 8 == 0 { 2 * SIZE as u64 } else { SIZE as u64 };
            word = Some(Word { write: (x >> 4) % 2 == 0, addr: ((x >> 8) % limit) & !3, data: (x >> 32) as u32 });
        }
        let rready = (r >> 12) % 2 == 0;
        let bready = (r >> 13) % 3 != 0;
        let wvalid_try = (r >> 14) % 4 != 0;

        // Drive.
        m.set_s_axi_arvalid(ar.is_some() as u64);
        if let Some(b) = &ar {
            m.set_s_axi_araddr(b.addr);
            m.set_s_axi_arlen(b.len);
            m.set_s_axi_arsize(b.size);
            m.set_s_axi_arburst(b.burst);
            m.set_s_axi_arid(b.id);
        }
        m.set_s_axi_awvalid(aw.is_some() as u64);
        if let Some(b) = &aw {
            m.set_s_axi_awaddr(b.r.addr);
            m.set_s_axi_awlen(b.r.len);
            m.set_s_axi_awsize(b.r.size);
            m.set_s_axi_awburst(b.r.burst);
            m.set_s_axi_awid(b.r.id);
        }
        // W follows the accepted bursts in order.
        let w_beat = writes.iter().find(|w| w.sent <= w.r.len).map(|w| (w.data[w.sent as usize], w.sent == w.last_at));
        let wvalid = wvalid_try && w_beat.is_some();
        m.set_s_axi_wvalid(wvalid as u64);
        if let Some(((d, strb), last)) = w_beat {
            m.set_s_axi_wdata(&d);
            m.set_s_axi_wstrb(strb);
            m.set_s_axi_wlast(last as u64);
        }
        m.set_s_axi_rready(rready as u64);
        m.set_s_axi_bready(bready as u64);
        m.set_w_req(word.is_some() as u64);
        if let Some(w) = &word {
            m.set_w_we(w.write as u64);
            m.set_w_addr(w.addr);
            m.set_w_wdata(w.data as u64);
        }
        m.eval();

        // Word port: its RAM access happened at the last edge.
        if m.get_w_ack() == 1 {
            let w = word.take().expect("w_ack without a request");
            let out = w.addr >= SIZE as u64;
            assert_eq!(m.get_w_err(), out as u64, "cycle {cycle}: w_err of {:#x}", w.addr);
            word_errs += out as u32;
            words += 1;
            let a = w.addr as usize;
            if w.write {
                if !out {
                    mem[a..a + 4].copy_from_slice(&w.data.to_le_bytes());
                }
            } else {
                let want = if out { 0 } else { u32::from_le_bytes(mem_prev[a..a + 4].try_into().unwrap()) };
                assert_eq!(m.get_w_rdata() as u32, want, "cycle {cycle}: word read {:#x}", w.addr);
            }
        }

        // R: a new beat shows the memory as the RAM read it; a held beat
        // holds.
        let rvalid = m.get_s_axi_rvalid() == 1;
        if rvalid {
            let b = reads.front().expect("RVALID without a burst");
            let (data, resp, last) = (m.get_s_axi_rdata(), m.get_s_axi_rresp(), m.get_s_axi_rlast());
            assert_eq!(m.get_s_axi_rid(), b.id, "cycle {cycle}: RID");
            assert_eq!(last, (b.beat == b.len) as u64, "cycle {cycle}: RLAST");
            if let Some(h) = held {
                holds += 1;
                assert_eq!((data, resp, last), h, "cycle {cycle}: R changed while RREADY was low");
            } else {
                assert_eq!(resp, if b.bad() { SLVERR } else { 0 }, "cycle {cycle}: RRESP of {:#x}", b.addr);
                if !b.bad() {
                    let a = (b.addr + 16 * b.beat) as usize;
                    assert_eq!(beat_bytes(data), mem_prev[a..a + 16], "cycle {cycle}: beat {:#x}", a);
                    beats_checked += 1;
                }
            }
            held = if rready { None } else { Some((data, resp, last)) };
        } else {
            assert!(held.is_none(), "cycle {cycle}: RVALID dropped before RREADY");
        }

        // B.
        let bvalid = m.get_s_axi_bvalid() == 1;
        if bvalid {
            let b = writes.front().expect("BVALID without a burst");
            assert!(b.sent > b.r.len, "cycle {cycle}: B before the last beat");
            assert_eq!(m.get_s_axi_bid(), b.r.id, "cycle {cycle}: BID");
            let want = if b.r.bad() || b.mismatch { SLVERR } else { 0 };
            assert_eq!(m.get_s_axi_bresp(), want, "cycle {cycle}: BRESP");
            slverrs += (want == SLVERR) as u32;
        }

        // Handshakes, applied at this edge.
        let ar_hs = ar.is_some() && m.get_s_axi_arready() == 1;
        let aw_hs = aw.is_some() && m.get_s_axi_awready() == 1;
        let w_hs = wvalid && m.get_s_axi_wready() == 1;
        mem_prev.copy_from_slice(&mem);
        if w_hs {
            let wb = writes.iter_mut().find(|w| w.sent <= w.r.len).unwrap();
            let (d, strb) = wb.data[wb.sent as usize];
            let a = (wb.r.addr + 16 * wb.sent) as usize;
            if !wb.r.bad() && !wb.mismatch {
                for (i, byte) in beat_bytes(d).iter().enumerate() {
                    if strb >> i & 1 == 1 {
                        mem[a + i] = *byte;
                    }
                }
            }
            if (wb.sent == wb.last_at) != (wb.sent == wb.r.len) {
                wb.mismatch = true;
            }
            if let Some(rb) = reads.front() {
                if held.is_some() && !rb.bad() && !wb.r.bad() && rb.addr + 16 * rb.beat == a as u64 && strb != 0 {
                    holds_hit += 1;
                }
            }
            wb.sent += 1;
        }
        if rvalid && rready {
            let b = reads.front_mut().unwrap();
            b.beat += 1;
            if b.beat > b.len {
                reads.pop_front();
            }
        }
        if bvalid && bready {
            writes.pop_front();
        }
        if ar_hs {
            reads.push_back(ar.take().unwrap());
        }
        if aw_hs {
            writes.push_back(aw.take().unwrap());
        }
        edge!(m);
    }
    // The stimulus must reach every case.
    println!("{beats_checked} beats, {holds} held ({holds_hit} written meanwhile), {slverrs} SLVERR, {words} words");
    assert!(beats_checked > 20_000, "read beats checked: {beats_checked}");
    assert!(holds > 5_000 && holds_hit > 20, "held beats: {holds}, with a write to them: {holds_hit}");
    assert!(slverrs > 200 && words > 1_000 && word_errs > 40, "SLVERR {slverrs}, words {words} ({word_errs} outside)");
}
