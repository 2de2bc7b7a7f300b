//! `alpc`: the accelerator's command line.
//!
//! `alpc demo [--latency CYCLES] [--bandwidth BYTES_PER_CYCLE] [--vcd FILE]`
//! runs copy batches on two contexts of the simulated device and prints what
//! happened: descriptors, bytes, statuses, cycles. `--device PCI-ADDRESS`
//! runs the same on a board through VFIO; `alpc bind PCI-ADDRESS` prepares
//! the board for it.

use alpc_contract::{regs, Completion, Descriptor, EventKind, Opcode, Status};
use alpc_host::{
    check, Device, MemTiming, QueueId, SimConfig, SimTransport, Transport, VfioTransport, VfioUserTransport,
};
use anyhow::{bail, Context, Result};
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: alpc demo [--latency CYCLES] [--bandwidth BYTES_PER_CYCLE] [--vcd FILE]
       alpc demo --device PCI-ADDRESS | --socket PATH
       alpc bind PCI-ADDRESS
       alpc info [--device PCI-ADDRESS | --socket PATH]
       alpc sim serve --socket PATH [--latency CYCLES] [--bandwidth BYTES_PER_CYCLE]

  demo   copy batches on two contexts of the Verilator-simulated device, with
         a malformed and an oversize descriptor, and print the transcript
  --latency    host memory latency in clock cycles (default 125, ~1 us at 125 MHz)
  --bandwidth  host memory bandwidth in bytes per cycle (default 16 = bus rate)
  --vcd        write a waveform of the run to FILE
  --device     run on the board at PCI-ADDRESS (e.g. 0000:01:00.0) through VFIO
  --socket     run on a simulated card served by `alpc sim serve` at PATH
  bind   bind the board at PCI-ADDRESS to vfio-pci and check its IOMMU group
  info   the device's identity, capabilities, counters and configured contexts
  sim serve    serve the simulated card over vfio-user on PATH, in this process,
               with its clock running freely, until the client disconnects";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("demo") => demo(&args[1..]),
        Some("sim") if args.get(1).map(String::as_str) == Some("serve") => {
            let (cfg, _, socket) = parse_flags(&args[2..])?;
            let socket = socket.context("sim serve needs --socket PATH")?;
            eprintln!("alpc: serving the simulated card on {socket}");
            alpc_sim::vfio_user_server::serve(std::path::Path::new(&socket), cfg).map_err(|e| anyhow::anyhow!(e))
        }
        Some("info") => {
            let (cfg, device, socket) = parse_flags(&args[1..])?;
            if let Some(path) = socket {
                info(&mut VfioUserTransport::connect(std::path::Path::new(&path))?)
            } else if let Some(addr) = device {
                info(&mut VfioTransport::open(&addr)?)
            } else {
                info(&mut SimTransport::new(cfg)?)
            }
        }
        Some("bind") => {
            let addr = args.get(1).context("bind needs a PCI address, e.g. 0000:01:00.0")?;
            let addr = addr.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
            for step in alpc_driver::VfioPci::bind(std::path::Path::new("/sys"), addr)? {
                println!("{step}");
            }
            Ok(())
        }
        Some("-h") | Some("--help") | Some("help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown command `{other}`\n\n{USAGE}"),
        None => bail!("no command given\n\n{USAGE}"),
    }
}

fn parse_flags(args: &[String]) -> Result<(SimConfig, Option<String>, Option<String>)> {
    let mut device = None;
    let mut socket = None;
    let mut cfg = SimConfig {
        timing: MemTiming::latency(125),
        ..Default::default()
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--latency" => {
                let v = value()?;
                let n: u64 = v
                    .parse()
                    .with_context(|| format!("--latency: `{v}` is not a cycle count"))?;
                cfg.timing.read_latency = n;
                cfg.timing.write_latency = n;
            }
            "--bandwidth" => {
                let v = value()?;
                let b: f64 = v
                    .parse()
                    .with_context(|| format!("--bandwidth: `{v}` is not a number"))?;
                if !(b > 0.0 && b <= 16.0) {
                    bail!("--bandwidth must be in (0, 16] bytes per cycle, got {b}");
                }
                cfg.timing.bandwidth = b;
            }
            "--vcd" => cfg.vcd = Some(value()?.into()),
            "--device" => device = Some(value()?.clone()),
            "--socket" => socket = Some(value()?.clone()),
            other => bail!("unknown option `{other}`\n\n{USAGE}"),
        }
    }
    Ok((cfg, device, socket))
}

struct Job {
    ctx: usize,
    desc: Descriptor,
    expect: Status,
}

fn demo(args: &[String]) -> Result<()> {
    let (cfg, device, socket) = parse_flags(args)?;
    if let Some(path) = socket {
        let mut dev = Device::open(VfioUserTransport::connect(std::path::Path::new(&path))?)?;
        demo_on(&mut dev)?;
        alpc_on(&mut dev)?;
        return Ok(());
    }
    if let Some(addr) = device {
        let mut dev = Device::open(VfioTransport::open(&addr)?)?;
        demo_on(&mut dev)?;
        alpc_on(&mut dev)?;
        return Ok(());
    }
    let timing = cfg.timing;
    let vcd = cfg.vcd.clone();
    let mut dev = Device::open(SimTransport::new(cfg)?)?;
    println!(
        "host memory model: {} cycles latency, {} bytes/cycle",
        timing.read_latency, timing.bandwidth
    );
    let (jobs, ok, bytes, cycles) = demo_on(&mut dev)?;
    alpc_on(&mut dev)?;
    let sim = dev.transport().sim();
    let stats = sim.axi_stats();
    println!(
        "copy summary: {jobs} descriptors, {ok} ok, {} rejected with an error completion; {bytes} bytes copied in {cycles} cycles ({:.2} bytes/cycle)",
        jobs - ok,
        bytes as f64 / cycles as f64
    );
    println!(
        "bus: {} read bursts / {} beats (up to {} in flight), {} write bursts / {} beats; {} interrupts; AXI rule breaches: {}",
        stats.read_bursts,
        stats.read_beats,
        stats.max_reads_in_flight,
        stats.write_bursts,
        stats.write_beats,
        sim.irq_log().len(),
        sim.axi_violations().len()
    );
    if !sim.axi_violations().is_empty() {
        bail!("AXI protocol breaches: {:?}", sim.axi_violations());
    }
    if let Some(path) = vcd {
        dev.transport_mut().sim_mut().close_trace();
        println!("waveform written to {}", path.display());
    }
    Ok(())
}

/// The demo proper, on any backend: returns (descriptors, ok, bytes, cycles).
/// Waits for `n` entries on `q`, with their payloads.
fn take<T: Transport>(dev: &mut Device<T>, q: QueueId, n: usize) -> Result<Vec<(Completion, Vec<u8>)>> {
    let start = Instant::now();
    let mut got = Vec::new();
    while got.len() < n {
        dev.poll_messages(q, &mut got)?;
        if start.elapsed() > Duration::from_secs(10) {
            bail!("{} of {n} completions on context {} within 10 s", got.len(), q.context());
        }
        dev.transport_mut().relax();
    }
    if got.len() > n {
        bail!("context {}: {} completions, expected {n}: {got:?}", q.context(), got.len());
    }
    Ok(got)
}

/// Waits for exactly one entry on `q`, with its payload.
fn take_one<T: Transport>(dev: &mut Device<T>, q: QueueId) -> Result<(Completion, Vec<u8>)> {
    Ok(take(dev, q, 1)?.remove(0))
}

/// One line of the ALPC transcript.
fn show<T: Transport>(dev: &Device<T>, t0: Option<u64>, who: &str, c: &Completion, payload: &[u8]) {
    let kind = c.kind().map_or("?", |k| k.name());
    let status = c.status().map_or("?", |s| s.name());
    let at = match (t0, dev.transport().cycles()) {
        (Some(a), Some(b)) => format!("{:>6} cycles", b - a),
        _ => String::new(),
    };
    let mut line = format!("  {at}  {who:<9} {kind:<18} {status:<12} port {:#07x}", c.port);
    if c.identity != 0 {
        line += &format!("  from identity {}", c.identity);
    }
    if c.msg_id != 0 {
        line += &format!("  id {:#07x}", c.msg_id);
    }
    if !payload.is_empty() {
        line += &format!("  \"{}\"", String::from_utf8_lossy(payload));
    }
    println!("{line}");
}

/// ALPC on the device: a server and two clients, each a hardware context
/// whose identity the privileged side set; everything below is done by the
/// accelerator (ports, handles, identities, payload delivery, notices).
fn alpc_on<T: Transport>(dev: &mut Device<T>) -> Result<()> {
    const NAME: u32 = 0x4543_484F; // "ECHO"
    println!("\nALPC: a server and two clients (identities set by the privileged owner of the device)");
    let ctx = |dev: &mut Device<T>, identity: u32| -> Result<QueueId> {
        let q = dev.create_queue(16, 16)?;
        dev.transport_mut().write32(regs::ctx_cfg(q.context(), regs::CTX_IDENTITY), identity)?;
        Ok(q)
    };
    let server = ctx(dev, 1000)?;
    let alice = ctx(dev, 2001)?;
    let bob = ctx(dev, 2002)?;
    let t0 = dev.transport().cycles();
    dev.submit(server, &[Descriptor::create_port(NAME, 128, 4, 1)])?;
    let (c, _) = take_one(dev, server)?;
    check(&c)?;
    show(dev, t0, "server", &c, b"");
    let conn = c.port;
    dev.submit_messages(alice, &[(Descriptor::connect(NAME, 10, 2), &b"hi, alice!"[..])])?;
    dev.submit_messages(bob, &[(Descriptor::connect(NAME, 8, 3), &b"hi, bob!"[..])])?;
    for (req, msg) in take(dev, server, 2)? {
        show(dev, t0, "server", &req, &msg);
        // Bob is not welcome: the server decides on the verified identity.
        let d = if req.identity == 2001 {
            Descriptor::accept(conn, req.msg_id, 0xA11CE, 4)
        } else {
            Descriptor::reject(conn, req.msg_id, 5)
        };
        dev.submit(server, &[d])?;
        let (c, _) = take_one(dev, server)?;
        check(&c)?;
        show(dev, t0, "server", &c, b"");
    }
    let (reply, _) = take_one(dev, alice)?;
    show(dev, t0, "alice", &reply, b"");
    let (refused, _) = take_one(dev, bob)?;
    show(dev, t0, "bob", &refused, b"");
    let alice_port = reply.port;
    dev.submit_messages(alice, &[(Descriptor::request(alice_port, 4, 6), &b"ping"[..])])?;
    let (req, msg) = take_one(dev, server)?;
    show(dev, t0, "server", &req, &msg);
    let answer = [&b"pong: "[..], &msg[..]].concat();
    dev.submit_messages(server, &[(Descriptor::reply(req.port, req.msg_id, answer.len() as u32, 7), &answer[..])])?;
    let (c, _) = take_one(dev, server)?;
    check(&c)?;
    show(dev, t0, "server", &c, b"");
    let (rep, msg) = take_one(dev, alice)?;
    show(dev, t0, "alice", &rep, &msg);
    dev.submit_messages(alice, &[(Descriptor::datagram(alice_port, 3, 8), &b"bye"[..])])?;
    let (d, msg) = take_one(dev, server)?;
    show(dev, t0, "server", &d, &msg);
    let (c, _) = take_one(dev, alice)?;
    show(dev, t0, "alice", &c, b"");
    // Alice's process dies: the device closes what it owned.
    dev.teardown_queue(alice)?;
    println!("  (alice's process dies: her context is torn down)");
    let (n, _) = take_one(dev, server)?;
    show(dev, t0, "server", &n, b"");
    if n.kind() != Some(EventKind::PortClosed) || n.status() != Some(Status::PeerClosed) {
        bail!("the server was not told that alice died: {n:?}");
    }
    println!("verified: identities, payloads and notices as ALPC defines them");
    Ok(())
}

fn demo_on<T: Transport>(dev: &mut Device<T>) -> Result<(usize, usize, u64, u64)> {
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

    Ok((jobs.len(), ok, bytes, cycles))
}

/// Reads (never writes) the registers and prints what they say.
fn info<T: Transport>(t: &mut T) -> Result<()> {
    println!("backend: {}", t.describe());
    let id = t.read32(regs::ID)?;
    if id != regs::ID_VALUE {
        bail!("not an ALPC accelerator: ID register reads {id:#010x}");
    }
    let version = t.read32(regs::VERSION)?;
    let caps = t.read32(regs::CAPS)?;
    let contexts = (caps & 0xFFFF) as usize;
    println!("device: ALPC accelerator, contract {}.{}", version >> 16, version & 0xFFFF);
    println!(
        "capabilities: {contexts} contexts, {}-byte DMA beats, {} read bursts in flight, copies up to {} bytes, {} MSI vectors here",
        (caps >> 16) & 0xFF,
        caps >> 24,
        t.read32(regs::MAX_COPY_LEN)?,
        t.vectors()
    );
    let control = t.read32(regs::CONTROL)?;
    let status = t.read32(regs::STATUS)?;
    println!(
        "engine: {}, {}; {} descriptors completed, {} with errors",
        if control & regs::CONTROL_ENABLE != 0 { "enabled" } else { "disabled" },
        if status & regs::STATUS_BUSY != 0 { "busy" } else { "idle" },
        t.read32(regs::COMPLETED)?,
        t.read32(regs::ERRORS)?
    );
    let mut shown = 0;
    for ctx in 0..contexts {
        let r = |reg| regs::ctx_cfg(ctx, reg);
        let ctl = t.read32(r(regs::CTX_CONTROL))?;
        if ctl & regs::CTX_CONTROL_ENABLE == 0 {
            continue;
        }
        shown += 1;
        let sq = (t.read32(r(regs::CTX_SQ_BASE_HI))? as u64) << 32 | t.read32(r(regs::CTX_SQ_BASE_LO))? as u64;
        let cq = (t.read32(r(regs::CTX_CQ_BASE_HI))? as u64) << 32 | t.read32(r(regs::CTX_CQ_BASE_LO))? as u64;
        let ring = t.read32(r(regs::CTX_RING_CFG))?;
        let tail = t.read32(r(regs::CTX_CQ_TAIL))?;
        println!(
            "context {ctx}: identity {}, SQ {} entries at {sq:#x} (head {}), CQ {} entries at {cq:#x} (tail {}, phase {}), {}",
            t.read32(r(regs::CTX_IDENTITY))?,
            1u32 << (ring >> regs::RING_CFG_SQ_SHIFT & regs::RING_CFG_LOG2_MASK),
            t.read32(r(regs::CTX_SQ_HEAD))?,
            1u32 << (ring >> regs::RING_CFG_CQ_SHIFT & regs::RING_CFG_LOG2_MASK),
            tail & 0xFFFF,
            tail >> regs::CQ_TAIL_PHASE_BIT & 1,
            if ctl & regs::CTX_CONTROL_POLL != 0 {
                "polled".to_string()
            } else {
                format!("MSI vector {}", ctl >> regs::CTX_CONTROL_VECTOR_SHIFT & regs::CTX_CONTROL_VECTOR_MASK)
            }
        );
    }
    if shown == 0 {
        println!("no context is enabled");
    }
    Ok(())
}
