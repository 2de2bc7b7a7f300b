//! The skeleton engine on the Verilated RTL, through the host library:
//! batches of copies with random sizes and alignments, ring wrap-around,
//! completion-ring backpressure, malformed descriptors, faults, fairness,
//! interrupts and waveforms.

use alpc_contract::desc::CQE_SIZE;
use alpc_contract::{geometry, regs, Completion, Descriptor, Status};
use alpc_host::{check, Device, Interrupts, MemTiming, QueueConfig, SimConfig, SimTransport, Transport};
use alpc_tests::{copy_len, expect_copy, read_all, show, sim_device, Rng};
use std::time::Duration;

const WAIT: Duration = Duration::from_millis(50); // simulated time: 6.25 M cycles

/// Random batches of 1..=N copies, every byte and every completion checked.
fn random_batches(timing: MemTiming, seed: u64, rounds: usize, max_batch: u64) {
    let mut rng = Rng::new(seed);
    let mut dev = sim_device(timing);
    let q = dev.create_queue(64, 64).unwrap();
    const SPAN: usize = 160 * 1024;
    let src = dev.alloc(SPAN).unwrap();
    let dst = dev.alloc(SPAN).unwrap();
    let pattern = rng.bytes(SPAN);
    dev.write(&src, 0, &pattern).unwrap();
    let mut image = vec![0xEEu8; SPAN];
    dev.write(&dst, 0, &image).unwrap();
    let mut user = 0u64;
    let mut sq_head = 0u16;
    for round in 0..rounds {
        let n = rng.range(1, max_batch) as usize;
        let mut batch = Vec::new();
        for _ in 0..n {
            let len = copy_len(&mut rng, 64 * 1024);
            let s = rng.range(0, SPAN as u64 - len);
            let d = rng.range(0, SPAN as u64 - len);
            user += 1;
            batch.push(Descriptor::copy(
                src.iova() + s,
                dst.iova() + d,
                len as u32,
                user,
            ));
        }
        dev.submit(q, &batch).unwrap();
        let done = dev
            .wait(q, n, WAIT)
            .unwrap_or_else(|e| panic!("seed {seed} round {round}: {e}"));
        assert_eq!(done.len(), n, "seed {seed} round {round}");
        for (d, c) in batch.iter().zip(&done) {
            sq_head = (sq_head + 1) % 64;
            assert_eq!(
                c.user_data,
                d.user_data,
                "seed {seed}: completions out of order: {}",
                show(c)
            );
            assert_eq!(check(c).unwrap(), d.length, "seed {seed}: {}", show(c));
            assert_eq!(c.sq_head, sq_head, "seed {seed}: {}", show(c));
            expect_copy(&mut image, dst.iova(), &pattern, src.iova(), d);
        }
        let got = read_all(&mut dev, &dst);
        if got != image {
            let at = got.iter().zip(&image).position(|(a, b)| a != b).unwrap();
            panic!(
                "seed {seed} round {round}: destination differs at byte {at}: got {:#x} want {:#x}",
                got[at], image[at]
            );
        }
    }
    let sim = dev.transport().sim();
    assert!(
        sim.axi_violations().is_empty(),
        "seed {seed}: {:?}",
        sim.axi_violations()
    );
}

#[test]
fn random_batches_zero_latency() {
    random_batches(MemTiming::latency(0), 1, 12, 24);
}

#[test]
fn random_batches_pcie_latency() {
    random_batches(MemTiming::latency(125), 2, 6, 16);
}

#[test]
fn random_batches_with_random_stalls_and_low_bandwidth() {
    let timing = MemTiming {
        read_latency: 37,
        write_latency: 11,
        bandwidth: 5.5,
        stall_permille: 300,
        seed: 99,
        awkward: false,
    };
    random_batches(timing, 3, 5, 12);
}

/// Small rings wrap many times: SQ indices, CQ indices and the phase bit.
#[test]
fn both_rings_wrap_with_phase() {
    for (sq, cq) in [(4usize, 2usize), (2, 4), (8, 8), (16, 4)] {
        let mut dev = sim_device(MemTiming::latency(3));
        let q = dev.create_queue(sq, cq).unwrap();
        let buf = dev.alloc(256).unwrap();
        let total = 5 * sq.max(cq) + 3;
        let mut seen: Vec<Completion> = Vec::new();
        let mut user = 0u64;
        while seen.len() < total {
            let n = dev.sq_free(q).min(total - user as usize).min(3);
            let batch: Vec<_> = (0..n)
                .map(|_| {
                    user += 1;
                    Descriptor::copy(buf.iova(), buf.iova() + 128, 64, user)
                })
                .collect();
            dev.submit(q, &batch).unwrap();
            // Take at most what is outstanding; completions arrive in order.
            let want = user as usize - seen.len();
            seen.extend(dev.wait(q, want, WAIT).unwrap());
        }
        for (k, c) in seen.iter().enumerate() {
            assert_eq!(c.user_data, k as u64 + 1, "sq {sq} cq {cq}: {}", show(c));
            assert_eq!(
                c.phase,
                (k / cq) % 2 == 0,
                "sq {sq} cq {cq} entry {k}: phase must flip each CQ pass"
            );
            assert_eq!(
                c.sq_head as usize,
                (k + 1) % sq,
                "sq {sq} cq {cq}: {}",
                show(c)
            );
            assert_eq!(check(c).unwrap(), 64);
        }
        let t = dev.transport_mut();
        let tail = t
            .read32(regs::ctx_cfg(q.context(), regs::CTX_CQ_TAIL))
            .unwrap();
        assert_eq!(tail & 0xFFFF, (total % cq) as u32);
        assert_eq!(
            tail >> regs::CQ_TAIL_PHASE_BIT & 1 == 1,
            (total / cq) % 2 == 0
        );
        assert_eq!(
            t.read32(regs::ctx_cfg(q.context(), regs::CTX_SQ_HEAD))
                .unwrap(),
            (total % sq) as u32
        );
    }
}

/// A full completion ring stops the engine; nothing is overwritten or lost.
#[test]
fn full_completion_ring_backpressures() {
    let mut dev = sim_device(MemTiming::latency(10));
    let q = dev.create_queue(16, 4).unwrap();
    let buf = dev.alloc(4096).unwrap();
    let batch: Vec<_> = (1..=12)
        .map(|u| Descriptor::copy(buf.iova(), buf.iova() + 2048, 100, u))
        .collect();
    dev.submit(q, &batch).unwrap();
    // Let the device run without the host taking anything.
    dev.transport_mut().sim_mut().run(50_000);
    let t = dev.transport_mut();
    let cq_lo = t
        .read32(regs::ctx_cfg(q.context(), regs::CTX_CQ_BASE_LO))
        .unwrap() as u64;
    let cq_hi = t
        .read32(regs::ctx_cfg(q.context(), regs::CTX_CQ_BASE_HI))
        .unwrap() as u64;
    let mut raw = [0u8; 4 * CQE_SIZE];
    t.sim().mem().read(cq_hi << 32 | cq_lo, &mut raw).unwrap();
    let entries: Vec<Completion> = raw
        .chunks_exact(CQE_SIZE)
        .map(|c| Completion::from_bytes(c.try_into().unwrap()))
        .collect();
    // A 4-entry ring holds 3 unread completions; the 4th slot stays untouched.
    assert!(entries[..3]
        .iter()
        .enumerate()
        .all(|(k, c)| c.phase && c.user_data == k as u64 + 1));
    assert_eq!(
        entries[3],
        Completion::default(),
        "slot 4 must not be written while the ring is full"
    );
    assert_eq!(
        t.read32(regs::ctx_cfg(q.context(), regs::CTX_SQ_HEAD))
            .unwrap(),
        3
    );
    assert_eq!(
        t.read32(regs::STATUS).unwrap() & regs::STATUS_BUSY,
        0,
        "engine must not hang on a full ring"
    );
    let done = dev.wait(q, 12, WAIT).unwrap();
    let users: Vec<u64> = done.iter().map(|c| c.user_data).collect();
    assert_eq!(users, (1..=12).collect::<Vec<_>>());
}

/// Every kind of bad descriptor gets its own error completion, and the
/// engine goes on with the next one.
#[test]
fn malformed_descriptors_get_error_completions() {
    let mut dev = sim_device(MemTiming::latency(20));
    let q = dev.create_queue(32, 32).unwrap();
    let buf = dev.alloc(8192).unwrap();
    dev.write(&buf, 0, &[0x5A; 4096]).unwrap();
    let (mem_base, mem_end) = {
        let m = dev.transport().sim().mem();
        (m.base(), m.base() + m.size())
    };
    let ok = |u| Descriptor::copy(buf.iova(), buf.iova() + 4096, 1000, u);
    let cases: Vec<(Descriptor, Status)> = vec![
        (
            Descriptor {
                opcode: 0x7F,
                user_data: 1,
                ..Default::default()
            },
            Status::BadOpcode,
        ),
        (
            Descriptor {
                opcode: 0xFF,
                user_data: 2,
                ..ok(0)
            },
            Status::BadOpcode,
        ),
        (Descriptor { flags: 0x10, ..ok(3) }, Status::BadReserved),
        // SRC_VIEW: the source address names a view, and none was granted.
        (Descriptor { flags: 1, ..ok(17) }, Status::BadHandle),
        (
            Descriptor {
                reserved: 0x100,
                ..ok(4)
            },
            Status::BadReserved,
        ),
        (
            Descriptor {
                flags: 0x80,
                ..Descriptor::nop(5)
            },
            Status::BadReserved,
        ),
        (
            Descriptor {
                length: geometry::MAX_COPY_LEN + 1,
                ..ok(6)
            },
            Status::BadLength,
        ),
        (
            Descriptor {
                length: u32::MAX,
                ..ok(7)
            },
            Status::BadLength,
        ),
        (
            Descriptor {
                src_addr: u64::MAX - 10,
                ..ok(8)
            },
            Status::BadAddress,
        ),
        (
            Descriptor {
                dst_addr: u64::MAX - 998,
                ..ok(9)
            },
            Status::BadAddress,
        ),
        (
            Descriptor {
                src_addr: mem_base - 4096,
                ..ok(10)
            },
            Status::DmaReadError,
        ),
        (
            Descriptor {
                src_addr: mem_end - 100,
                ..ok(11)
            },
            Status::DmaReadError,
        ),
        (
            Descriptor {
                dst_addr: mem_end + 64,
                ..ok(12)
            },
            Status::DmaWriteError,
        ),
        (
            Descriptor {
                dst_addr: 0,
                ..ok(13)
            },
            Status::DmaWriteError,
        ),
        (
            Descriptor {
                length: 0,
                ..ok(14)
            },
            Status::Ok,
        ),
        (Descriptor::nop(15), Status::Ok),
        (ok(16), Status::Ok),
    ];
    let descs: Vec<_> = cases.iter().map(|c| c.0).collect();
    dev.submit(q, &descs).unwrap();
    let done = dev.wait(q, cases.len(), WAIT).unwrap();
    for ((d, want), c) in cases.iter().zip(&done) {
        assert_eq!(c.user_data, d.user_data);
        assert_eq!(
            c.status(),
            Some(*want),
            "descriptor {:#x}: {}",
            d.user_data,
            show(c)
        );
        let expect_result = if *want == Status::Ok { d.length } else { 0 };
        assert_eq!(c.result, expect_result, "{}", show(c));
    }
    let mut out = [0u8; 1000];
    dev.read(&buf, 4096, &mut out).unwrap();
    assert_eq!(
        out, [0x5A; 1000],
        "the last, valid copy ran after all the bad ones"
    );
    let t = dev.transport_mut();
    assert_eq!(t.read32(regs::COMPLETED).unwrap(), cases.len() as u32);
    let errors = cases.iter().filter(|c| c.1 != Status::Ok).count() as u32;
    assert_eq!(t.read32(regs::ERRORS).unwrap(), errors);
    assert!(t.sim().axi_violations().is_empty());
}

/// The limit is inclusive: MAX_COPY_LEN bytes copy, one more is refused.
#[test]
fn largest_copy_is_accepted_one_more_byte_is_not() {
    let mut dev = sim_device(MemTiming::latency(125));
    let q = dev.create_queue(4, 4).unwrap();
    let max = geometry::MAX_COPY_LEN as usize;
    let src = dev.alloc(max + 64).unwrap();
    let dst = dev.alloc(max + 64).unwrap();
    let data = Rng::new(7).bytes(max);
    dev.write(&src, 0, &data).unwrap();
    let big = Descriptor::copy(src.iova() + 1, dst.iova() + 15, max as u32, 1);
    let over = Descriptor {
        length: max as u32 + 1,
        user_data: 2,
        ..big
    };
    dev.submit(q, &[big, over]).unwrap();
    let done = dev.wait(q, 2, WAIT).unwrap();
    assert_eq!(check(&done[0]).unwrap(), max as u32);
    assert_eq!(done[1].status(), Some(Status::BadLength));
    let mut out = vec![0u8; max];
    dev.read(&dst, 15, &mut out).unwrap();
    assert!(out[..max - 1] == data[1..], "1 MiB copy corrupted");
    assert_eq!(out[max - 1], 0);
    assert!(
        dev.transport().sim().axi_stats().max_reads_in_flight >= 2,
        "reads must overlap"
    );
}

/// A submission ring the device cannot read gives a read-error completion,
/// not a hang.
#[test]
fn unreadable_submission_ring_reports_read_error() {
    let mut dev = sim_device(MemTiming::latency(5));
    let q = dev.create_queue(4, 4).unwrap();
    let ctx = q.context();
    let t = dev.transport_mut();
    // Point the SQ outside host memory, keep the CQ.
    t.write32(regs::ctx_cfg(ctx, regs::CTX_SQ_BASE_HI), 0x7000_0000)
        .unwrap();
    t.write32(regs::doorbell(ctx, regs::DB_SQ_TAIL), 1).unwrap();
    let c = dev.wait(q, 1, WAIT).unwrap()[0];
    assert_eq!(c.status(), Some(Status::DmaReadError), "{}", show(&c));
    assert_eq!(c.user_data, 0);
}

/// Contexts with work are served round-robin: none waits for another to
/// drain its queue.
#[test]
fn contexts_are_served_round_robin() {
    let mut dev = sim_device(MemTiming::latency(0));
    let qs: Vec<_> = (0..3).map(|_| dev.create_queue(16, 16).unwrap()).collect();
    let buf = dev.alloc(8192).unwrap();
    for (k, q) in qs.iter().enumerate() {
        let batch: Vec<_> = (0..8)
            .map(|i| Descriptor::copy(buf.iova(), buf.iova() + 4096, 2048, (k * 100 + i) as u64))
            .collect();
        dev.submit(*q, &batch).unwrap();
    }
    for q in &qs {
        dev.wait(*q, 8, WAIT).unwrap();
    }
    let order: Vec<u32> = dev
        .transport()
        .sim()
        .irq_log()
        .iter()
        .map(|i| i.vector)
        .collect();
    assert_eq!(order.len(), 24);
    // After the first few (submission was staggered), completions rotate 0,1,2.
    let tail = &order[3..];
    for w in tail.windows(3) {
        let mut s = w.to_vec();
        s.sort();
        assert_eq!(s, vec![0, 1, 2], "not round-robin: {order:?}");
    }
}

/// One MSI per completion, on the context's own vector.
#[test]
fn interrupts_arrive_on_the_context_vector() {
    let mut dev = sim_device(MemTiming::latency(0));
    let msi = Interrupts::Msi { vector: 19, count: 1, delay: Duration::ZERO };
    let q = dev.create_queue_on(5, QueueConfig { sq_entries: 8, cq_entries: 8, interrupts: msi }).unwrap();
    let buf = dev.alloc(256).unwrap();
    let batch: Vec<_> = (0..5)
        .map(|u| Descriptor::copy(buf.iova(), buf.iova() + 128, 16, u))
        .collect();
    dev.submit(q, &batch).unwrap();
    dev.transport_mut().sim_mut().run(5_000);
    let sim = dev.transport().sim();
    assert_eq!(sim.irq_log().iter().filter(|i| i.vector == 19).count(), 5);
    assert_eq!(sim.irq_log().len(), 5);
    assert_eq!(dev.wait(q, 5, WAIT).unwrap().len(), 5);
}

/// Doorbells of a disabled context do nothing, and do not stop the others.
#[test]
fn disabled_context_is_ignored() {
    let mut dev = sim_device(MemTiming::latency(0));
    let a = dev.create_queue(8, 8).unwrap();
    let b = dev.create_queue(8, 8).unwrap();
    let buf = dev.alloc(256).unwrap();
    dev.transport_mut()
        .write32(regs::ctx_cfg(a.context(), regs::CTX_CONTROL), 0)
        .unwrap();
    dev.transport_mut()
        .write32(regs::doorbell(a.context(), regs::DB_SQ_TAIL), 3)
        .unwrap();
    dev.submit(b, &[Descriptor::copy(buf.iova(), buf.iova() + 64, 64, 7)])
        .unwrap();
    assert_eq!(dev.wait(b, 1, WAIT).unwrap()[0].user_data, 7);
    let mut none = Vec::new();
    dev.transport_mut().sim_mut().run(2_000);
    assert_eq!(dev.poll(a, &mut none).unwrap(), 0);
    assert_eq!(
        dev.transport_mut()
            .read32(regs::ctx_cfg(a.context(), regs::CTX_SQ_HEAD))
            .unwrap(),
        0
    );
}

/// Doorbells rung while the engine is disabled are served once it is enabled.
#[test]
fn doorbells_wait_for_the_global_enable() {
    let mut dev = sim_device(MemTiming::latency(0));
    let q = dev.create_queue(8, 8).unwrap();
    let buf = dev.alloc(256).unwrap();
    dev.transport_mut().write32(regs::CONTROL, 0).unwrap();
    dev.submit(q, &[Descriptor::nop(1), Descriptor::nop(2)])
        .unwrap();
    dev.transport_mut().sim_mut().run(2_000);
    let mut got = Vec::new();
    assert_eq!(dev.poll(q, &mut got).unwrap(), 0);
    dev.transport_mut()
        .write32(regs::CONTROL, regs::CONTROL_ENABLE)
        .unwrap();
    assert_eq!(dev.wait(q, 2, WAIT).unwrap().len(), 2);
    let _ = buf;
}

/// The submission API refuses more than the ring can hold, all or nothing.
#[test]
fn submit_refuses_an_overfull_batch() {
    let mut dev = sim_device(MemTiming::latency(0));
    let q = dev.create_queue(4, 4).unwrap();
    let four = [
        Descriptor::nop(1),
        Descriptor::nop(2),
        Descriptor::nop(3),
        Descriptor::nop(4),
    ];
    assert!(matches!(
        dev.submit(q, &four),
        Err(alpc_host::Error::QueueFull { free: 3, wanted: 4 })
    ));
    dev.submit(q, &four[..3]).unwrap();
    assert_eq!(dev.wait(q, 3, WAIT).unwrap().len(), 3);
    assert!(matches!(
        dev.create_queue(3, 4),
        Err(alpc_host::Error::BadRingSize(3))
    ));
}

/// `SimConfig::vcd` writes a waveform with the core's ports in it.
#[test]
fn waveform_is_written() {
    let path = std::env::temp_dir().join(format!("alpc-test-{}.vcd", std::process::id()));
    let cfg = SimConfig {
        vcd: Some(path.clone()),
        ..Default::default()
    };
    let mut dev = Device::open(SimTransport::new(cfg).unwrap()).unwrap();
    let q = dev.create_queue(4, 4).unwrap();
    dev.submit(q, &[Descriptor::nop(1)]).unwrap();
    dev.wait(q, 1, WAIT).unwrap();
    drop(dev);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    assert!(text.contains("$enddefinitions"));
    assert!(text.contains("m_axi_arvalid") && text.contains("s_axil_awaddr"));
}

fn moderated(dev: &mut Device<SimTransport>, interrupts: Interrupts) -> alpc_host::QueueId {
    dev.create_queue_with(QueueConfig { sq_entries: 32, cq_entries: 32, interrupts }).unwrap()
}

/// A count threshold of 4: eight completions, two interrupts.
#[test]
fn interrupt_count_threshold() {
    let mut dev = sim_device(MemTiming::latency(0));
    let q = moderated(&mut dev, Interrupts::Msi { vector: 3, count: 4, delay: Duration::ZERO });
    let batch: Vec<_> = (0..8).map(Descriptor::nop).collect();
    dev.submit(q, &batch).unwrap();
    dev.transport_mut().sim_mut().run(3_000);
    let irqs: Vec<_> = dev.transport().sim().irq_log().to_vec();
    assert_eq!(irqs.len(), 2, "{irqs:?}");
    assert!(irqs.iter().all(|i| i.vector == 3));
    assert_eq!(dev.wait(q, 8, WAIT).unwrap().len(), 8);
    // Three more: under the threshold and no timer, so no interrupt...
    dev.submit(q, &batch[..3]).unwrap();
    dev.transport_mut().sim_mut().run(3_000);
    assert_eq!(dev.transport().sim().irq_log().len(), 2);
    // ...until the fourth.
    dev.submit(q, &batch[..1]).unwrap();
    dev.transport_mut().sim_mut().run(1_000);
    assert_eq!(dev.transport().sim().irq_log().len(), 3);
}

/// A time threshold fires for a lone completion that the count would hold.
#[test]
fn interrupt_time_threshold() {
    let mut dev = sim_device(MemTiming::latency(0));
    let delay = Duration::from_micros(8); // 1000 cycles at 125 MHz
    let q = moderated(&mut dev, Interrupts::Msi { vector: 4, count: 16, delay });
    // Let the engine finish clearing its port table after reset (one cycle
    // per entry) so that the doorbell is served at once.
    dev.transport_mut().sim_mut().run(geometry::PORTS as u64 + 100);
    dev.submit(q, &[Descriptor::nop(1)]).unwrap();
    let start = dev.transport().sim().last_write_accept_cycle();
    dev.transport_mut().sim_mut().run(5_000);
    let irqs = dev.transport().sim().irq_log().to_vec();
    assert_eq!(irqs.len(), 1, "{irqs:?}");
    let after = irqs[0].cycle - start;
    assert!((1_000..1_100).contains(&after), "interrupt {after} cycles after the doorbell");
    let mut got = Vec::new();
    assert_eq!(dev.poll(q, &mut got).unwrap(), 1);
}

/// A polled queue never interrupts, and `wait` still finds its completions.
#[test]
fn polled_queue_has_no_interrupts() {
    let mut dev = sim_device(MemTiming::latency(30));
    let q = moderated(&mut dev, Interrupts::Polled);
    let buf = dev.alloc(4096).unwrap();
    let batch: Vec<_> = (0..10).map(|u| Descriptor::copy(buf.iova(), buf.iova() + 2048, 512, u)).collect();
    dev.submit(q, &batch).unwrap();
    assert_eq!(dev.wait(q, 10, WAIT).unwrap().len(), 10);
    assert!(dev.transport().sim().irq_log().is_empty());
    let ctl = dev.transport_mut().read32(regs::ctx_cfg(q.context(), regs::CTX_CONTROL)).unwrap();
    assert_eq!(ctl & regs::CTX_CONTROL_POLL, regs::CTX_CONTROL_POLL);
}

/// A legal but awkward slave: AWREADY only after write data was offered,
/// write data taken before its address, random stalls. The engine must not
/// wait for AWREADY before offering data (AXI4 A3.3.1).
#[test]
fn awkward_slave_that_waits_for_write_data() {
    let timing = MemTiming { read_latency: 9, write_latency: 4, bandwidth: 16.0, stall_permille: 200, seed: 5, awkward: true };
    random_batches(timing, 11, 5, 12);
    let mut dev = sim_device(MemTiming { awkward: true, ..MemTiming::latency(0) });
    let q = dev.create_queue(4, 4).unwrap();
    dev.submit(q, &[Descriptor::nop(1)]).unwrap();
    assert_eq!(dev.wait(q, 1, WAIT).unwrap()[0].user_data, 1);
    let stats = dev.transport().sim().axi_stats();
    assert!(stats.early_write_beats > 0, "the slave took data before the address: {stats:?}");
    assert!(dev.transport().sim().axi_violations().is_empty());
}

/// Ring bases are aligned by the hardware: a misaligned base cannot make
/// the engine issue a burst across 4 KiB.
#[test]
fn ring_bases_are_aligned_by_hardware() {
    let mut dev = sim_device(MemTiming::latency(0));
    let q = dev.create_queue(4, 4).unwrap();
    let ctx = q.context();
    let t = dev.transport_mut();
    let sq = t.read32(regs::ctx_cfg(ctx, regs::CTX_SQ_BASE_LO)).unwrap();
    let cq = t.read32(regs::ctx_cfg(ctx, regs::CTX_CQ_BASE_LO)).unwrap();
    t.write32(regs::ctx_cfg(ctx, regs::CTX_SQ_BASE_LO), sq | 0x3F).unwrap();
    t.write32(regs::ctx_cfg(ctx, regs::CTX_CQ_BASE_LO), cq | 0xF).unwrap();
    assert_eq!(t.read32(regs::ctx_cfg(ctx, regs::CTX_SQ_BASE_LO)).unwrap(), sq);
    assert_eq!(t.read32(regs::ctx_cfg(ctx, regs::CTX_CQ_BASE_LO)).unwrap(), cq);
    dev.submit(q, &[Descriptor::nop(3)]).unwrap();
    assert_eq!(dev.wait(q, 1, WAIT).unwrap()[0].user_data, 3);
    assert!(dev.transport().sim().axi_violations().is_empty());
}

/// Reconfiguring a context reads back as reset at once, even while the
/// engine is busy elsewhere; destroying a queue waits until the engine has
/// let go of it, so no completion lands in freed memory.
#[test]
fn reset_and_destroy_while_the_engine_is_busy() {
    let mut dev = sim_device(MemTiming::latency(125));
    let a = dev.create_queue(8, 8).unwrap();
    let b = dev.create_queue(8, 8).unwrap();
    let big = dev.alloc(1 << 20).unwrap();
    let small = dev.alloc(256).unwrap();
    dev.submit(b, &[Descriptor::nop(1), Descriptor::nop(2), Descriptor::nop(3)]).unwrap();
    dev.wait(b, 3, WAIT).unwrap();
    // Keep the engine busy on `a` with a large copy, then reset `b`.
    dev.submit(a, &[Descriptor::copy(big.iova(), big.iova() + (1 << 19), 1 << 19, 9)]).unwrap();
    dev.transport_mut().sim_mut().run(2_000);
    let t = dev.transport_mut();
    assert_eq!(t.read32(regs::STATUS).unwrap() & regs::STATUS_BUSY, regs::STATUS_BUSY);
    t.write32(regs::ctx_cfg(b.context(), regs::CTX_CONTROL), regs::CTX_CONTROL_ENABLE).unwrap();
    assert_eq!(t.read32(regs::ctx_cfg(b.context(), regs::CTX_SQ_HEAD)).unwrap(), 0);
    assert_eq!(t.read32(regs::ctx_cfg(b.context(), regs::CTX_CQ_TAIL)).unwrap(), 1 << regs::CQ_TAIL_PHASE_BIT);
    let ctl = t.read32(regs::ctx_cfg(a.context(), regs::CTX_CONTROL)).unwrap();
    assert_ne!(ctl & regs::CTX_CONTROL_ACTIVE, 0, "the engine is working on context a");
    // Destroy `a` mid-copy: returns only once the engine is done with it.
    let cq_lo = t.read32(regs::ctx_cfg(a.context(), regs::CTX_CQ_BASE_LO)).unwrap() as u64;
    let cq_hi = t.read32(regs::ctx_cfg(a.context(), regs::CTX_CQ_BASE_HI)).unwrap() as u64;
    dev.destroy_queue(a).unwrap();
    let cq = cq_hi << 32 | cq_lo;
    let mut before = [0u8; 16];
    dev.transport().sim().mem().read(cq, &mut before).unwrap();
    dev.transport_mut().sim_mut().run(200_000);
    let mut after = [0u8; 16];
    dev.transport().sim().mem().read(cq, &mut after).unwrap();
    assert_eq!(before, after, "nothing may be written to a destroyed queue's ring");
    let _ = small;
}
