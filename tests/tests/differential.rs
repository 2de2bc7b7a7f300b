//! Constrained-random differential tests: the same random programs run on
//! the Verilated RTL and on the transaction-level reference model, through
//! the same host-library code; every completion entry, every register the
//! engine owns and every byte of the buffers the device writes must agree.
//!
//! `ALPC_DIFF_PROGRAMS` (default 150) sets how many programs run; each prints
//! its seed on failure. `ALPC_DIFF_SEED` picks the first seed.

use alpc_contract::{geometry, regs, Completion, Descriptor};
use alpc_host::{Device, DmaBuffer, MemTiming, ModelTransport, SimConfig, SimTransport, Transport};
use alpc_tests::{copy_len, read_all, Rng};
use std::time::Duration;

const MEM: u64 = 64 << 20;
const SPAN: usize = 96 * 1024;
const BIG: usize = 1 << 20;
/// The top of host memory, which straddling writes reach.
const TAIL: usize = 64 * 1024;

#[derive(Debug, PartialEq)]
struct Outcome {
    completions: Vec<(usize, Completion)>,
    registers: Vec<(u64, u32)>,
    memory: Vec<Vec<u8>>,
    descriptors: usize,
}

/// One random descriptor for a queue whose buffers are `src`/`dst`.
/// Buffers only the first queue of a program uses, so what it does to them
/// does not depend on the order the engine interleaves queues.
struct FirstQueueOnly {
    big_src: DmaBuffer,
    big_dst: DmaBuffer,
}

fn random_descriptor(
    rng: &mut Rng,
    src: &DmaBuffer,
    dst: &DmaBuffer,
    mem_end: u64,
    user: u64,
    first: Option<&FirstQueueOnly>,
) -> Descriptor {
    if let Some(f) = first {
        match rng.range(0, 99) {
            // Large copies, up to the 1 MiB limit.
            0..=4 => {
                let len = rng.range(64 * 1024, BIG as u64 - 64);
                let s = f.big_src.iova() + rng.range(0, BIG as u64 - len);
                let d = f.big_dst.iova() + rng.range(0, BIG as u64 - len);
                return Descriptor::copy(s, d, len as u32, user);
            }
            // Writes straddling the end of host memory: the part inside lands.
            5..=7 => {
                let len = rng.range(2, 4096);
                return Descriptor::copy(src.iova(), mem_end - rng.range(1, len - 1), len as u32, user);
            }
            _ => {}
        }
    }
    let len = copy_len(rng, SPAN as u64 / 2);
    let s = src.iova() + rng.range(0, SPAN as u64 - len);
    let d = dst.iova() + rng.range(0, SPAN as u64 - len);
    let ok = Descriptor::copy(s, d, len as u32, user);
    match rng.range(0, 99) {
        0..=69 => ok,
        70..=74 => Descriptor::nop(user),
        75..=77 => Descriptor { length: 0, ..ok },
        // Unknown opcodes (port operations have their own differential test
        // in ports.rs: a message opcode here would take the next slots as
        // its payload).
        78..=80 => Descriptor {
            opcode: loop {
                let op = rng.range(2, 255) as u8;
                if alpc_contract::Opcode::from_u8(op).is_none() {
                    break op;
                }
            },
            ..ok
        },
        81..=83 => Descriptor {
            flags: rng.range(1, 255) as u8,
            ..ok
        },
        84..=85 => Descriptor {
            reserved: rng.range(1, 0xFFFF) as u16,
            ..ok
        },
        86..=87 => Descriptor {
            length: rng.range(geometry::MAX_COPY_LEN as u64 + 1, u32::MAX as u64) as u32,
            ..ok
        },
        88 => Descriptor {
            length: geometry::MAX_COPY_LEN + 1,
            ..ok
        },
        89..=90 => Descriptor {
            src_addr: u64::MAX - rng.range(0, len.saturating_sub(1)),
            ..ok
        },
        // Reads that straddle the end of host memory (partly valid). Only the
        // first queue touches the top of memory (it also writes there), so
        // the outcome does not depend on how the engine interleaves queues.
        91..=94 if first.is_some() => Descriptor {
            src_addr: mem_end - rng.range(1, len),
            ..ok
        },
        91..=94 => ok,
        // Writes wholly outside host memory (never into another queue's data).
        _ => Descriptor {
            dst_addr: mem_end + rng.range(0, 1 << 20),
            ..ok
        },
    }
}

fn run_program<T: Transport>(mut dev: Device<T>, seed: u64) -> Outcome {
    let mut rng = Rng::new(seed);
    let mem_end = alpc_model::host_memory::DEFAULT_BASE + MEM;
    let nq = rng.range(1, 4) as usize;
    let mut queues = Vec::new();
    for _ in 0..nq {
        let sq = 1usize << rng.range(1, 6);
        let cq = 1usize << rng.range(1, 6);
        let q = dev.create_queue(sq, cq).unwrap();
        let src = dev.alloc(SPAN).unwrap();
        let dst = dev.alloc(SPAN).unwrap();
        let data = rng.bytes(SPAN);
        dev.write(&src, 0, &data).unwrap();
        dev.write(&dst, 0, &vec![0xEE; SPAN]).unwrap();
        queues.push((q, src, dst));
    }
    let first = FirstQueueOnly { big_src: dev.alloc(BIG).unwrap(), big_dst: dev.alloc(BIG).unwrap() };
    let big = rng.bytes(BIG);
    dev.write(&first.big_src, 0, &big).unwrap();
    let mut completions = Vec::new();
    let mut user = 0u64;
    let mut descriptors = 0;
    for _round in 0..rng.range(2, 6) {
        // Sometimes the engine is off while batches are submitted: doorbells
        // must wait for it.
        let paused = rng.chance(20);
        if paused {
            dev.transport_mut().write32(regs::CONTROL, 0).unwrap();
        }
        // Submit to every queue first so the RTL has several contexts busy.
        let mut outstanding = Vec::new();
        for (k, (q, src, dst)) in queues.iter().enumerate() {
            let n = rng.range(0, dev.sq_free(*q) as u64) as usize;
            let batch: Vec<_> = (0..n)
                .map(|_| {
                    user += 1;
                    random_descriptor(&mut rng, src, dst, mem_end, user, (k == 0).then_some(&first))
                })
                .collect();
            dev.submit(*q, &batch).unwrap();
            descriptors += n;
            outstanding.push((*q, n));
        }
        if paused {
            dev.transport_mut().write32(regs::CONTROL, regs::CONTROL_ENABLE).unwrap();
        }
        for (q, n) in outstanding {
            let done = dev
                .wait(q, n, Duration::from_millis(100))
                .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            completions.extend(done.into_iter().map(|c| (q.context(), c)));
        }
    }
    let mut registers = Vec::new();
    for reg in [regs::COMPLETED, regs::ERRORS, regs::CONTROL, regs::STATUS] {
        registers.push((reg, dev.transport_mut().read32(reg).unwrap()));
    }
    for (q, _, _) in &queues {
        for reg in [
            regs::CTX_SQ_HEAD,
            regs::CTX_CQ_TAIL,
            regs::CTX_CONTROL,
            regs::CTX_RING_CFG,
        ] {
            let off = regs::ctx_cfg(q.context(), reg);
            registers.push((off, dev.transport_mut().read32(off).unwrap()));
        }
    }
    let mut memory: Vec<Vec<u8>> = queues.iter().map(|(_, _, dst)| read_all(&mut dev, dst)).collect();
    memory.push(read_all(&mut dev, &first.big_dst));
    let tail = DmaBuffer::new(mem_end - TAIL as u64, TAIL);
    memory.push(read_all(&mut dev, &tail));
    Outcome {
        completions,
        registers,
        memory,
        descriptors,
    }
}

fn compare(seed: u64, timing: MemTiming) -> usize {
    let sim = Device::open(
        SimTransport::new(SimConfig {
            timing,
            mem_size: MEM,
            ..Default::default()
        })
        .unwrap(),
    )
    .unwrap();
    let model = Device::open(ModelTransport::new(MEM)).unwrap();
    let a = run_program(sim, seed);
    let b = run_program(model, seed);
    assert_eq!(
        a.completions.len(),
        b.completions.len(),
        "seed {seed}: completion counts differ"
    );
    for (k, (x, y)) in a.completions.iter().zip(&b.completions).enumerate() {
        assert_eq!(
            x, y,
            "seed {seed}: completion {k} differs (RTL left, model right)"
        );
    }
    assert_eq!(
        a.registers, b.registers,
        "seed {seed}: registers differ (RTL left, model right)"
    );
    for (k, (x, y)) in a.memory.iter().zip(&b.memory).enumerate() {
        if x != y {
            let at = x.iter().zip(y).position(|(p, q)| p != q).unwrap();
            panic!(
                "seed {seed}: buffer {k} of {} (queue destinations, the big buffer, the memory tail) differs at byte {at} \
                 of {}: RTL {:#x} model {:#x}",
                a.memory.len(),
                x.len(),
                x[at],
                y[at]
            );
        }
    }
    a.descriptors
}

fn programs() -> u64 {
    std::env::var("ALPC_DIFF_PROGRAMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150)
}

fn first_seed() -> u64 {
    std::env::var("ALPC_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

#[test]
fn rtl_matches_model_zero_latency() {
    let mut n = 0;
    for seed in first_seed()..first_seed() + programs() {
        n += compare(seed, MemTiming::latency(0));
    }
    println!("{n} descriptors compared");
    assert!(n > 0);
}

#[test]
fn rtl_matches_model_with_latency_and_stalls() {
    let mut n = 0;
    for seed in first_seed() + 50_000..first_seed() + 50_000 + programs() {
        let timing = MemTiming {
            read_latency: 125,
            write_latency: 60,
            bandwidth: 8.0,
            stall_permille: 150,
            seed,
            // Every other program against a slave that waits for write data.
            awkward: seed % 2 == 0,
        };
        n += compare(seed, timing);
    }
    println!("{n} descriptors compared");
    assert!(n > 0);
}
