//! The copy part of the demo: DMA copies with awkward sizes and alignments
//! on two contexts, a malformed and an oversize descriptor, every byte of
//! host memory checked afterwards.

use alpc_contract::{regs, Descriptor, Opcode, Status};
use alpc_host::{check, Device, Transport};
use anyhow::{bail, Context, Result};
use std::time::Duration;

struct Job {
    ctx: usize,
    desc: Descriptor,
    expect: Status,
}

/// Runs on any backend; returns (descriptors, ok, bytes, cycles).
pub fn run<T: Transport>(dev: &mut Device<T>) -> Result<(usize, usize, u64, u64)> {
    let t = dev.transport_mut();
    println!("ALPC accelerator demo on {}", t.describe());
    let version = t.read32(regs::VERSION)?;
    println!(
        "device: ID {:#010x} (\"ALPC\"), contract {}.{}, {} contexts, max copy {} bytes",
        t.read32(regs::ID)?,
        version >> 16,
        version & 0xFFFF,
        dev.contexts(),
        dev.transport_mut().read32(regs::MAX_COPY_LEN)?
    );

    let queues = [dev.create_queue(32, 32)?, dev.create_queue(16, 16)?];
    for q in queues {
        println!(
            "context {}: queue pair created (SQ + CQ in DMA memory, MSI vector {})",
            q.context(),
            q.context()
        );
    }

    // Payloads with awkward sizes and alignments, plus two bad descriptors.
    let sizes_ctx0 = [64usize, 1, 4096, 4097, 333, 16 * 1024, 15, 1000];
    let sizes_ctx1 = [256usize, 70_000, 17, 4095];
    let total: usize = sizes_ctx0.iter().chain(&sizes_ctx1).map(|s| s + 64).sum();
    let src = dev.alloc(total)?;
    let dst = dev.alloc(total)?;
    let pattern: Vec<u8> = (0..total)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).rotate_left(7) as u8)
        .collect();
    dev.write(&src, 0, &pattern)?;
    dev.write(&dst, 0, &vec![0xEE; total])?;

    let mut jobs = Vec::new();
    let mut off = 0usize;
    for (i, (ctx, size)) in sizes_ctx0
        .iter()
        .map(|s| (0, *s))
        .chain(sizes_ctx1.iter().map(|s| (1, *s)))
        .enumerate()
    {
        let (s_off, d_off) = (off + i % 13, off + 32 + (i * 7) % 16);
        jobs.push(Job {
            ctx,
            desc: Descriptor::copy(
                src.iova() + s_off as u64,
                dst.iova() + d_off as u64,
                size as u32,
                0x100 + i as u64,
            ),
            expect: Status::Ok,
        });
        off += size + 64;
    }
    jobs.push(Job {
        ctx: 0,
        desc: Descriptor {
            opcode: 0x7F,
            user_data: 0xBAD0,
            ..Default::default()
        },
        expect: Status::BadOpcode,
    });
    jobs.push(Job {
        ctx: 0,
        desc: Descriptor::copy(
            src.iova(),
            dst.iova(),
            alpc_contract::geometry::MAX_COPY_LEN + 1,
            0xBAD1,
        ),
        expect: Status::BadLength,
    });
    jobs.push(Job {
        ctx: 1,
        desc: Descriptor::nop(0x200),
        expect: Status::Ok,
    });

    let start = dev.transport().cycles().unwrap_or(0);
    for (k, q) in queues.iter().enumerate() {
        let batch: Vec<Descriptor> = jobs.iter().filter(|j| j.ctx == k).map(|j| j.desc).collect();
        dev.submit(*q, &batch)?;
        let when = dev.transport().cycles().map(|c| format!(" (cycle {c})")).unwrap_or_default();
        println!("context {k}: submitted {} descriptors with one doorbell write{when}", batch.len());
    }

    println!("\ncompletions (in the order each context's CQ received them):");
    let mut ok = 0;
    let mut bytes = 0u64;
    for (k, q) in queues.iter().enumerate() {
        let want = jobs.iter().filter(|j| j.ctx == k).count();
        let done = dev.wait(*q, want, Duration::from_secs(5))?;
        let now = dev.transport().cycles();
        for c in &done {
            let job = jobs
                .iter()
                .find(|j| j.desc.user_data == c.user_data)
                .context("completion for an unknown descriptor")?;
            let status = c.status().context("unknown status byte")?;
            let what = match Opcode::from_u8(job.desc.opcode) {
                Some(Opcode::Copy) => format!(
                    "COPY {:>7} B  {:#x} -> {:#x}",
                    job.desc.length, job.desc.src_addr, job.desc.dst_addr
                ),
                Some(op) => op.name().to_string(),
                None => format!("opcode {:#04x}", job.desc.opcode),
            };
            let verdict = match check(c) {
                Ok(n) => {
                    ok += 1;
                    bytes += n as u64;
                    format!("OK, {n} bytes")
                }
                Err(e) => format!("{e}"),
            };
            println!("  ctx {k} user {:#06x}  {what:<52} {verdict}", c.user_data);
            if status != job.expect {
                bail!(
                    "descriptor {:#x}: expected {}, device said {}",
                    c.user_data,
                    job.expect.name(),
                    status.name()
                );
            }
        }
        match now {
            Some(c) => println!("  ctx {k}: all {want} completions taken by cycle {c}"),
            None => println!("  ctx {k}: all {want} completions taken"),
        }
    }
    let cycles = dev.transport().cycles().unwrap_or(0) - start;

    // Check every byte: copies landed, nothing around them was touched.
    let mut got = vec![0u8; total];
    dev.read(&dst, 0, &mut got)?;
    let mut expect = vec![0xEEu8; total];
    for j in jobs
        .iter()
        .filter(|j| j.expect == Status::Ok && j.desc.opcode == Opcode::Copy as u8)
    {
        let s = (j.desc.src_addr - src.iova()) as usize;
        let d = (j.desc.dst_addr - dst.iova()) as usize;
        expect[d..d + j.desc.length as usize]
            .copy_from_slice(&pattern[s..s + j.desc.length as usize]);
    }
    if got != expect {
        let first = got.iter().zip(&expect).position(|(a, b)| a != b).unwrap();
        bail!("destination memory differs from the expected result at byte {first}");
    }
    println!("\nverified: every copied byte matches its source; no byte outside the destinations changed");
    for q in queues {
        dev.destroy_queue(q)?;
    }
    dev.free(src);
    dev.free(dst);

    Ok((jobs.len(), ok, bytes, cycles))
}

