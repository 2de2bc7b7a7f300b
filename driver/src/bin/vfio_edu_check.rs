//! `vfio-edu-check [PCI-ADDRESS]`: drives QEMU's `edu` device through the
//! driver's VFIO path (container, group, device, BAR0 mapping, IOMMU DMA
//! mappings, MSI through an eventfd, reset). Used by `tests/qemu_vfio.rs`
//! inside a QEMU guest with a real vfio-pci; prints `EDU CHECK OK` on
//! success and exits non-zero with the reason otherwise.

use alpc_driver::{pci, DeviceAccess, VfioPci};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const EDU: (u16, u16) = (0x1234, 0x11e8);
const ID: u64 = 0x00;
const LIVENESS: u64 = 0x04;
const FACTORIAL: u64 = 0x08;
const STATUS: u64 = 0x20;
const IRQ_RAISE: u64 = 0x60;
const IRQ_ACK: u64 = 0x64;
const DMA_SRC: u64 = 0x80;
const DMA_DST: u64 = 0x88;
const DMA_COUNT: u64 = 0x90;
const DMA_CMD: u64 = 0x98;
/// edu's on-device DMA buffer.
const EDU_BUF: u64 = 0x40000;

fn wait_clear(dev: &mut VfioPci, reg: u64, bit: u32) -> Result<(), String> {
    let t = Instant::now();
    while dev.read32(reg).map_err(|e| e.to_string())? & bit != 0 {
        if t.elapsed() > Duration::from_secs(5) {
            return Err(format!("register {reg:#x} bit {bit:#x} never cleared"));
        }
    }
    Ok(())
}

fn dma(dev: &mut VfioPci, src: u64, dst: u64, len: u32, to_ram: bool) -> Result<(), String> {
    let mut w = |r, v: u64| -> Result<(), String> {
        dev.write32(r, v as u32).map_err(|e| e.to_string())?;
        dev.write32(r + 4, (v >> 32) as u32).map_err(|e| e.to_string())
    };
    w(DMA_SRC, src)?;
    w(DMA_DST, dst)?;
    w(DMA_COUNT, len as u64)?;
    dev.write32(DMA_CMD, 1 | if to_ram { 2 } else { 0 }).map_err(|e| e.to_string())?;
    wait_clear(dev, DMA_CMD, 1)
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sys = std::path::Path::new("/sys");
    let addr = match args.iter().find(|a| !a.starts_with("--")) {
        Some(a) => a.clone(),
        None => pci::find(sys, EDU.0, EDU.1).first().map(|a| a.to_string()).ok_or("no edu device (1234:11e8) found")?,
    };
    if args.iter().any(|a| a == "--bind") {
        for step in VfioPci::bind(sys, addr.parse().map_err(|e: pci::BadPciAddress| e.to_string())?).map_err(|e| e.to_string())? {
            println!("bind: {step}");
        }
    }
    // edu masks DMA addresses to 28 bits.
    let mut dev = VfioPci::open(&addr, 1 << 28).map_err(|e| e.to_string())?;
    println!("opened {} (BAR0 {} bytes, {} MSI vectors)", dev.address(), dev.bar0_size(), dev.msi_vectors());
    if let Some(group) = pci::probe(sys, dev.address()).and_then(|d| d.iommu_group) {
        for r in pci::reserved_regions(sys, group)? {
            println!("reserved: {:#x}-{:#x} {} (kept out of the IOVA allocator)", r.start, r.end, r.kind);
        }
    }
    let id = dev.read32(ID).map_err(|e| e.to_string())?;
    if id & 0xFFFF != 0x00ed {
        return Err(format!("unexpected edu id {id:#010x}"));
    }
    dev.write32(LIVENESS, 0x1234_5678).map_err(|e| e.to_string())?;
    let live = dev.read32(LIVENESS).map_err(|e| e.to_string())?;
    if live != !0x1234_5678u32 {
        return Err(format!("liveness register gave {live:#x}"));
    }
    dev.write32(FACTORIAL, 6).map_err(|e| e.to_string())?;
    wait_clear(&mut dev, STATUS, 1)?;
    let f = dev.read32(FACTORIAL).map_err(|e| e.to_string())?;
    if f != 720 {
        return Err(format!("6! = {f}"));
    }
    println!("BAR0 ok: id {id:#010x}, liveness, factorial");

    let out = dev.alloc_dma(4096, 4096).map_err(|e| e.to_string())?;
    let back = dev.alloc_dma(4096, 4096).map_err(|e| e.to_string())?;
    let pattern: Vec<u8> = (0..256u32).map(|i| (i * 37 + 11) as u8).collect();
    dev.dma_write(&out, 0, &pattern).map_err(|e| e.to_string())?;
    dma(&mut dev, out.iova, EDU_BUF, 256, false)?;
    dma(&mut dev, EDU_BUF, back.iova, 256, true)?;
    let mut got = vec![0u8; 256];
    dev.dma_read(&back, 0, &mut got).map_err(|e| e.to_string())?;
    if got != pattern {
        return Err(format!("DMA round trip corrupted the data: sent {:02x?}, got back {:02x?}", &pattern[..8], &got[..8]));
    }
    println!("DMA ok: 256 bytes to the device and back through IOVAs {:#x} / {:#x}", out.iova, back.iova);

    if dev.msi_vectors() == 0 {
        return Err("no MSI vector".into());
    }
    dev.write32(IRQ_RAISE, 0x5).map_err(|e| e.to_string())?;
    let n = dev.wait_irq(0, Duration::from_secs(5)).map_err(|e| e.to_string())?;
    dev.write32(IRQ_ACK, 0x5).map_err(|e| e.to_string())?;
    if n == 0 {
        return Err("MSI never arrived on the eventfd".into());
    }
    println!("MSI ok: {n} interrupt(s) on vector 0");
    dev.free_dma(out);
    dev.free_dma(back);
    dev.reset();
    println!("EDU CHECK OK");
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            println!("EDU CHECK FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}
