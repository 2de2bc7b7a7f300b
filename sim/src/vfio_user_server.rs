//! The simulated device served over vfio-user, in its own process.
//!
//! `alpc sim serve --socket PATH` runs this: the Verilated core with its
//! clock running freely, behind the vfio-user protocol (the `vfio_user`
//! crate's server), so a host program in another process drives it the way
//! it drives a board through VFIO: BAR0 accesses become protocol messages,
//! DMA memory is the client's memfd mapped here, and MSI pulses are written
//! to the client's eventfds.
//!
//! The subset served: one region (BAR0, trapped accesses of 4 bytes), MSI
//! (index 1) with [`bus::MSI_VECTORS`] eventfds, one DMA mapping (the
//! client's whole DMA pool), reset. Every request gets an answer: a BAR
//! access the core refuses reads as all ones, because the client library
//! does not look at error replies.

use crate::device::{SimConfig, SimDevice};
use alpc_contract::{bus, geometry, regs};
use alpc_model::HostMemory;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use vfio_bindings::bindings::vfio::{
    vfio_region_info, VFIO_IRQ_INFO_EVENTFD, VFIO_PCI_MSI_IRQ_INDEX, VFIO_REGION_INFO_FLAG_READ,
    VFIO_REGION_INFO_FLAG_WRITE,
};
use vfio_user::{DmaMapFlags, DmaUnmapFlags, IrqInfo, Server, ServerBackend, ServerRegion};

/// Cycles the free-running clock advances between looks at the socket: a
/// BAR access waits for at most one slice (16 cycles: ~49 µs per trapped read,
/// against ~300 µs with 512), and throughput does not depend on it.
const CYCLES_PER_SLICE: u64 = 16;

struct Shared {
    dev: Mutex<SimDevice>,
    irq_fds: Mutex<Vec<Option<File>>>,
    stop: AtomicBool,
    /// Socket requests waiting for the device: the clock thread steps
    /// aside for them (`std::sync::Mutex` is not fair, and the clock thread
    /// would otherwise take the lock back before the socket thread wakes).
    waiting: AtomicUsize,
}

impl Shared {
    /// Runs `f` on the device ahead of the free-running clock.
    fn with_dev<R>(&self, f: impl FnOnce(&mut SimDevice) -> R) -> R {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let mut dev = self.dev.lock().unwrap();
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        f(&mut dev)
    }
}

struct Backend {
    shared: Arc<Shared>,
}

fn invalid(msg: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, msg.to_string())
}

impl ServerBackend for Backend {
    fn region_read(&mut self, region: u32, offset: u64, data: &mut [u8]) -> Result<(), std::io::Error> {
        if region != 0 || data.len() != 4 {
            data.fill(0xFF);
            return Ok(());
        }
        let v = self.shared.with_dev(|d| d.bar_read32(offset).unwrap_or(regs::UNMAPPED_READ));
        data.copy_from_slice(&v.to_le_bytes());
        Ok(())
    }

    fn region_write(&mut self, region: u32, offset: u64, data: &[u8]) -> Result<(), std::io::Error> {
        if region == 0 && data.len() == 4 {
            let v = u32::from_le_bytes(data.try_into().unwrap());
            // A refused write is dropped, as on the bus (posted writes).
            let _ = self.shared.with_dev(|d| d.bar_write32(offset, v));
        }
        Ok(())
    }

    fn dma_map(
        &mut self,
        _flags: DmaMapFlags,
        offset: u64,
        address: u64,
        size: u64,
        fd: Option<File>,
    ) -> Result<(), std::io::Error> {
        let fd = fd.ok_or_else(|| invalid("DMA map without a file descriptor"))?;
        let map = memmap2::MmapOptions::new().offset(offset).len(size as usize).map_raw(&fd)?;
        let ptr = map.as_mut_ptr();
        // SAFETY: `map` is a live shared read-write mapping of `size` bytes,
        // moved into the HostMemory that uses it and dropped with it.
        let mem = unsafe { HostMemory::shared(address, ptr, size as usize, Box::new((map, fd))) };
        self.shared.with_dev(|d| d.replace_memory(mem));
        Ok(())
    }

    fn dma_unmap(&mut self, _flags: DmaUnmapFlags, address: u64, size: u64) -> Result<(), std::io::Error> {
        self.shared.with_dev(|dev| {
            if dev.mem().base() == address && dev.mem().size() == size {
                dev.replace_memory(HostMemory::new(address, 0));
            }
        });
        Ok(())
    }

    fn reset(&mut self) -> Result<(), std::io::Error> {
        self.shared.with_dev(|d| d.reset());
        Ok(())
    }

    fn set_irqs(&mut self, index: u32, _flags: u32, start: u32, count: u32, fds: Vec<File>) -> Result<(), std::io::Error> {
        if index != VFIO_PCI_MSI_IRQ_INDEX {
            return Ok(());
        }
        let mut slots = self.shared.irq_fds.lock().unwrap();
        if fds.is_empty() {
            // Disable the vectors.
            for v in start..start + count {
                if let Some(s) = slots.get_mut(v as usize) {
                    *s = None;
                }
            }
            return Ok(());
        }
        for (k, fd) in fds.into_iter().enumerate() {
            if let Some(s) = slots.get_mut(start as usize + k) {
                *s = Some(fd);
            }
        }
        Ok(())
    }
}

/// Serves one client on `socket` until it disconnects.
pub fn serve(socket: &Path, config: SimConfig) -> Result<(), String> {
    let dev = SimDevice::new(config).map_err(|e| e.to_string())?;
    let shared = Arc::new(Shared {
        dev: Mutex::new(dev),
        irq_fds: Mutex::new((0..bus::MSI_VECTORS).map(|_| None).collect()),
        stop: AtomicBool::new(false),
        waiting: AtomicUsize::new(0),
    });
    let bar = vfio_region_info {
        argsz: std::mem::size_of::<vfio_region_info>() as u32,
        flags: VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
        index: 0,
        cap_offset: 0,
        size: regs::bar0_size(geometry::CONTEXTS),
        offset: 0,
    };
    let regions = vec![ServerRegion { region_info: bar, sparse_areas: Vec::new(), mmap_fd: None }];
    let irqs = vec![
        IrqInfo { index: 0, flags: 0, count: 0 },
        IrqInfo { index: VFIO_PCI_MSI_IRQ_INDEX, flags: VFIO_IRQ_INFO_EVENTFD, count: bus::MSI_VECTORS as u32 },
    ];
    // Bind first: a socket that cannot be bound must not leave a clock running.
    let server = Server::new(socket, true, irqs, regions).map_err(|e| format!("{socket:?}: {e}"))?;
    let clock = {
        let shared = shared.clone();
        std::thread::spawn(move || {
            while !shared.stop.load(Ordering::Relaxed) {
                if shared.waiting.load(Ordering::SeqCst) > 0 {
                    std::thread::yield_now();
                    continue;
                }
                let mut fired = [0u64; bus::MSI_VECTORS];
                {
                    let mut dev = shared.dev.lock().unwrap();
                    dev.run(CYCLES_PER_SLICE);
                    for (v, n) in fired.iter_mut().enumerate() {
                        *n = dev.take_irqs(v as u32);
                    }
                }
                let mut fds = shared.irq_fds.lock().unwrap();
                for (v, n) in fired.iter().enumerate() {
                    if *n > 0 {
                        if let Some(fd) = fds[v].as_mut() {
                            let _ = fd.write_all(&n.to_le_bytes());
                        }
                    }
                }
            }
        })
    };
    let result = server.run(&mut Backend { shared: shared.clone() }).map_err(|e| e.to_string());
    shared.stop.store(true, Ordering::Relaxed);
    let _ = clock.join();
    result
}
