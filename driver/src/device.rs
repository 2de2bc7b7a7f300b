//! The opened device: BAR0, DMA memory mapped through the IOMMU, MSI.

use crate::access::{check_bar32, check_range, wait_msi, DeviceAccess};
use alpc_iova::{IovaAllocator, PAGE};
use crate::pci::{self, PciAddress};
use memmap2::{MmapOptions, MmapRaw};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use vfio_bindings::bindings::vfio::{
    VFIO_PCI_BAR0_REGION_INDEX, VFIO_PCI_CONFIG_REGION_INDEX, VFIO_PCI_MSIX_IRQ_INDEX, VFIO_PCI_MSI_IRQ_INDEX,
    VFIO_REGION_INFO_FLAG_MMAP,
};
use vfio_ioctls::{VfioContainer, VfioDevice, VfioOps};
use vmm_sys_util::eventfd::{EventFd, EFD_NONBLOCK};
use volatile_register::RW;

/// PCI configuration space: the command register and its bits.
const PCI_COMMAND: u64 = 0x04;
const PCI_COMMAND_MEMORY: u16 = 1 << 1;
const PCI_COMMAND_MASTER: u16 = 1 << 2;

/// Everything that can go wrong opening or driving a board; each setup
/// failure says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// The address is malformed.
    #[error(transparent)]
    Address(#[from] pci::BadPciAddress),
    /// No such PCI device.
    #[error("no PCI device at {0}; `lspci -D` lists the devices")]
    NoDevice(PciAddress),
    /// The device is not behind an IOMMU.
    #[error("{0} has no IOMMU group: enable the IOMMU (firmware VT-d/AMD-Vi, and intel_iommu=on or amd_iommu=on on the kernel command line)")]
    NoIommu(PciAddress),
    /// The device is bound to another driver.
    #[error("{addr} is bound to {driver}, not vfio-pci: run `alpc bind {addr}` (or echo {addr} > /sys/bus/pci/devices/{addr}/driver/unbind; modprobe vfio-pci; echo {vendor:04x} {device:04x} > /sys/bus/pci/drivers/vfio-pci/new_id)")]
    NotVfio {
        /// The device.
        addr: PciAddress,
        /// Its current driver ("no driver" if none).
        driver: String,
        /// Vendor id.
        vendor: u16,
        /// Device id.
        device: u16,
    },
    /// VFIO is not loaded.
    #[error("/dev/vfio/vfio is missing: load the driver with `modprobe vfio-pci`")]
    NoVfio,
    /// Another device of the IOMMU group is in use by a host driver.
    #[error("IOMMU group {group} is not viable: every device in it must be bound to vfio-pci or to no driver; found {others}")]
    GroupNotViable {
        /// Group number.
        group: u32,
        /// The offending devices and their drivers.
        others: String,
    },
    /// The group device cannot be opened.
    #[error("cannot open /dev/vfio/{group}: {source}; run as root or give your user the device (chown or a udev rule)")]
    Permission {
        /// Group number.
        group: u32,
        /// The error.
        source: std::io::Error,
    },
    /// A VFIO operation failed.
    #[error("VFIO: {0}")]
    Vfio(#[from] vfio_ioctls::VfioError),
    /// BAR0 is missing or cannot be mapped.
    #[error("BAR0: {0}")]
    Bar(String),
    /// DMA memory could not be allocated or mapped.
    #[error("DMA memory: {0}")]
    Dma(String),
    /// An access outside a DMA region or BAR0.
    #[error("access {offset:#x}+{len:#x} is outside a region of {size:#x} bytes")]
    OutOfBounds {
        /// Offset.
        offset: u64,
        /// Length.
        len: u64,
        /// Region size.
        size: u64,
    },
    /// No such interrupt vector.
    #[error("MSI vector {0} is not enabled")]
    BadVector(u32),
    /// A sysfs write needed to bind the device failed.
    #[error("{what}: {source} (binding needs root)")]
    Sysfs {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
}

/// A DMA buffer: its IOVA and length. Reached through
/// [`VfioPci::dma_read`] / [`VfioPci::dma_write`]; never through Rust
/// references, since the device writes it behind the compiler's back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DmaRegion {
    /// Address the device uses.
    pub iova: u64,
    /// Length in bytes.
    pub len: usize,
}

enum Bar0 {
    Mapped(MmapRaw),
    /// The region cannot be mmapped: every access is a pread/pwrite.
    Trapped,
}

/// An opened board; see the module documentation.
pub struct VfioPci {
    // Field order is drop order: the BAR mapping goes before the device
    // (it holds the device file open), the device before the container.
    bar0: Bar0,
    bar0_size: u64,
    addr: PciAddress,
    device: VfioDevice,
    container: Arc<VfioContainer>,
    msi: Vec<EventFd>,
    uses_msix: bool,
    iova: IovaAllocator,
    /// DMA mappings by IOVA. Raw: no Rust reference to memory the device
    /// writes is ever made.
    dma: BTreeMap<u64, MmapRaw>,
    /// Mappings of memory the caller owns (`map_user`), by IOVA: lengths.
    user: BTreeMap<u64, usize>,
}

/// Vectors worth enabling: the accelerator has 32 MSI lines.
fn alpc_vectors() -> u32 {
    32
}

impl VfioPci {
    /// Opens the device at `addr` (e.g. `"0000:01:00.0"`) with DMA addresses
    /// below `iova_limit`, checking the setup first.
    pub fn open(addr: &str, iova_limit: u64) -> Result<VfioPci, DriverError> {
        Self::open_in(Path::new("/sys"), addr.parse()?, iova_limit)
    }

    /// Binds the device at `addr` to vfio-pci (what `alpc bind` does),
    /// loading the module if needed; returns the steps taken, for printing.
    /// Uses `driver_override`, so no other device with the same ids moves.
    pub fn bind(sysfs: &Path, addr: PciAddress) -> Result<Vec<String>, DriverError> {
        let write = |path: PathBuf, value: &str, what: String| {
            std::fs::write(&path, value).map_err(|source| DriverError::Sysfs { what, source })
        };
        let mut steps = Vec::new();
        let dev = pci::probe(sysfs, addr).ok_or(DriverError::NoDevice(addr))?;
        let group = dev.iommu_group.ok_or(DriverError::NoIommu(addr))?;
        steps.push(format!("{addr}: device {:04x}:{:04x}, IOMMU group {group}", dev.id.0, dev.id.1));
        if dev.driver.as_deref() == Some("vfio-pci") {
            steps.push(format!("{addr}: already bound to vfio-pci"));
        } else {
            if !sysfs.join("bus/pci/drivers/vfio-pci").exists() {
                let ok = std::process::Command::new("modprobe").arg("vfio-pci").status().is_ok_and(|s| s.success());
                steps.push(format!("modprobe vfio-pci: {}", if ok { "loaded" } else { "failed" }));
                if !sysfs.join("bus/pci/drivers/vfio-pci").exists() {
                    return Err(DriverError::NoVfio);
                }
            }
            if let Some(d) = &dev.driver {
                write(dev.path.join("driver/unbind"), &addr.to_string(), format!("unbinding {addr} from {d}"))?;
                steps.push(format!("{addr}: unbound from {d}"));
            }
            write(dev.path.join("driver_override"), "vfio-pci", format!("setting {addr} driver_override"))?;
            write(sysfs.join("bus/pci/drivers_probe"), &addr.to_string(), format!("probing {addr}"))?;
            let now = pci::probe(sysfs, addr).and_then(|d| d.driver);
            if now.as_deref() != Some("vfio-pci") {
                return Err(DriverError::NotVfio {
                    addr,
                    driver: now.unwrap_or_else(|| "no driver".into()),
                    vendor: dev.id.0,
                    device: dev.id.1,
                });
            }
            steps.push(format!("{addr}: bound to vfio-pci"));
        }
        Self::check_setup(sysfs, addr)?;
        steps.push(format!("IOMMU group {group} is viable; the device is /dev/vfio/{group}"));
        Ok(steps)
    }

    /// Checks the sysfs side of the setup (for tests, with a fake tree).
    pub fn check_setup(sysfs: &Path, addr: PciAddress) -> Result<(PathBuf, u32), DriverError> {
        let dev = pci::probe(sysfs, addr).ok_or(DriverError::NoDevice(addr))?;
        let group = dev.iommu_group.ok_or(DriverError::NoIommu(addr))?;
        if dev.driver.as_deref() != Some("vfio-pci") {
            return Err(DriverError::NotVfio {
                addr,
                driver: dev.driver.unwrap_or_else(|| "no driver".into()),
                vendor: dev.id.0,
                device: dev.id.1,
            });
        }
        let others: Vec<String> = pci::group_members(sysfs, group)
            .into_iter()
            .filter(|(_, d)| !matches!(d.as_deref(), None | Some("vfio-pci") | Some("pcieport")))
            .map(|(n, d)| format!("{n} ({})", d.unwrap_or_default()))
            .collect();
        if !others.is_empty() {
            return Err(DriverError::GroupNotViable { group, others: others.join(", ") });
        }
        Ok((dev.path, group))
    }

    fn open_in(sysfs: &Path, addr: PciAddress, iova_limit: u64) -> Result<VfioPci, DriverError> {
        let (path, group) = Self::check_setup(sysfs, addr)?;
        if !Path::new("/dev/vfio/vfio").exists() {
            return Err(DriverError::NoVfio);
        }
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(format!("/dev/vfio/{group}"))
            .map_err(|source| DriverError::Permission { group, source })?;
        let container = Arc::new(VfioContainer::new(None)?);
        let device = VfioDevice::new(&path, container.clone() as Arc<dyn VfioOps>, false)?;

        let index = VFIO_PCI_BAR0_REGION_INDEX;
        let bar0_size = device.get_region_size(index);
        if bar0_size == 0 {
            return Err(DriverError::Bar("the device has no BAR0".into()));
        }
        let bar0 = if device.get_region_flags(index) & VFIO_REGION_INFO_FLAG_MMAP != 0 {
            // A raw mapping: it is only touched with volatile accesses
            // inside its length (see read32/write32).
            let map = MmapOptions::new().offset(device.get_region_offset(index)).len(bar0_size as usize).map_raw(&device);
            Bar0::Mapped(map.map_err(|e| DriverError::Bar(format!("mmap: {e}")))?)
        } else {
            Bar0::Trapped
        };

        // The device may only master the bus (DMA, MSI writes) once the
        // command register says so; VFIO leaves that to the driver.
        let mut cmd = [0u8; 2];
        device.region_read(VFIO_PCI_CONFIG_REGION_INDEX, &mut cmd, PCI_COMMAND);
        let cmd = u16::from_le_bytes(cmd) | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
        device.region_write(VFIO_PCI_CONFIG_REGION_INDEX, &cmd.to_le_bytes(), PCI_COMMAND);

        // MSI-X if the device has it, else MSI: one eventfd per vector.
        let msix = device.get_irq_info(VFIO_PCI_MSIX_IRQ_INDEX).map(|i| i.count).unwrap_or(0);
        let vectors = if msix > 0 { msix } else { device.get_irq_info(VFIO_PCI_MSI_IRQ_INDEX).map(|i| i.count).unwrap_or(0) };
        let mut msi: Vec<EventFd> = Vec::new();
        for _ in 0..vectors.min(alpc_vectors()) {
            msi.push(EventFd::new(EFD_NONBLOCK).map_err(|e| DriverError::Dma(format!("eventfd: {e}")))?);
        }
        if !msi.is_empty() {
            let enabled = if msix > 0 {
                device.enable_msix(msi.iter().collect())
            } else {
                device.enable_msi(msi.iter().collect())
            };
            if enabled.is_err() && msi.len() > 1 {
                // Hosts without interrupt remapping may refuse multi-vector
                // MSI: fall back to one vector for everything.
                msi.truncate(1);
                if msix > 0 {
                    device.enable_msix(msi.iter().collect())?;
                } else {
                    device.enable_msi(msi.iter().collect())?;
                }
            } else {
                enabled?;
            }
        }
        let uses_msix = msix > 0;
        let mut iova = {
            // Above 4 GiB when the device reaches it: clear of the x86 MSI
            // window at 0xFEE00000 even where the kernel lists no reserved
            // regions.
            let limit = iova_limit.min(1 << 48) & !(PAGE - 1);
            let base = if limit > 2 << 32 { 1 << 32 } else { 16 * PAGE };
            IovaAllocator::pages(base, limit)
        };
        // Never map a buffer where the IOMMU keeps a range for itself (MSI
        // doorbells, firmware RMRRs): DMA there would not reach the buffer.
        for r in pci::reserved_regions(sysfs, group).map_err(DriverError::Dma)? {
            iova.reserve(r.start, r.end.saturating_add(1));
        }
        Ok(VfioPci {
            bar0,
            bar0_size,
            addr,
            device,
            container,
            msi,
            uses_msix,
            iova,
            dma: BTreeMap::new(),
            user: BTreeMap::new(),
        })
    }

    /// The PCI address.
    pub fn address(&self) -> PciAddress {
        self.addr
    }

    /// Size of BAR0.
    pub fn bar0_size(&self) -> u64 {
        self.bar0_size
    }

    fn dma_ptr(&self, region: &DmaRegion, offset: usize, n: usize) -> Result<*mut u8, DriverError> {
        // The mapping holding the region's start (a view of a section
        // starts inside one).
        let unknown = || DriverError::Dma("unknown DMA region".into());
        let (&base, map) = self.dma.range(..=region.iova).next_back().ok_or_else(unknown)?;
        let start = (region.iova - base) as usize;
        if start.checked_add(region.len).is_none_or(|end| end > map.len()) {
            return Err(unknown());
        }
        check_range(offset as u64, n as u64, region.len as u64)?;
        // SAFETY: the region lies inside the mapping and offset + n inside
        // the region (both checked just above).
        Ok(unsafe { map.as_mut_ptr().add(start + offset) })
    }

    /// Resets the function (FLR or whatever VFIO offers).
    pub fn reset(&self) {
        self.device.reset();
    }
}

impl DeviceAccess for VfioPci {
    fn read32(&mut self, offset: u64) -> Result<u32, DriverError> {
        check_bar32(offset, self.bar0_size)?;
        Ok(match &self.bar0 {
            // SAFETY: in bounds and aligned (checked); MMIO is read volatile.
            Bar0::Mapped(m) => unsafe { (*(m.as_ptr().add(offset as usize) as *const RW<u32>)).read() },
            Bar0::Trapped => {
                let mut b = [0u8; 4];
                self.device.region_read(VFIO_PCI_BAR0_REGION_INDEX, &mut b, offset);
                u32::from_le_bytes(b)
            }
        })
    }

    fn write32(&mut self, offset: u64, value: u32) -> Result<(), DriverError> {
        check_bar32(offset, self.bar0_size)?;
        match &self.bar0 {
            // SAFETY: in bounds and aligned (checked); MMIO is written volatile.
            Bar0::Mapped(m) => unsafe { (*(m.as_mut_ptr().add(offset as usize) as *const RW<u32>)).write(value) },
            Bar0::Trapped => self.device.region_write(VFIO_PCI_BAR0_REGION_INDEX, &value.to_le_bytes(), offset),
        }
        Ok(())
    }

    fn alloc_dma(&mut self, len: usize, align: usize) -> Result<DmaRegion, DriverError> {
        let size = (len.max(1) as u64).next_multiple_of(PAGE);
        let iova = self
            .iova
            .alloc(size, align as u64)
            .ok_or_else(|| DriverError::Dma(format!("no IOVA range of {size} bytes left")))?;
        // 2 MiB pages where the system has them (fewer IOMMU and TLB
        // entries), else ordinary anonymous memory.
        let huge = (size >= 2 << 20 && size % (2 << 20) == 0)
            .then(|| MmapOptions::new().len(size as usize).huge(Some(21)).map_anon().ok())
            .flatten();
        let map = match huge.map(Ok).unwrap_or_else(|| MmapOptions::new().len(size as usize).map_anon()) {
            Ok(m) => m,
            Err(e) => {
                self.iova.free(iova, size);
                return Err(DriverError::Dma(format!("mmap: {e}")));
            }
        };
        let map = MmapRaw::from(map);
        // SAFETY: `map` is a live anonymous mapping of `size` bytes that this
        // object keeps until the IOMMU mapping is removed in `free_dma`/drop.
        if let Err(e) = unsafe { self.container.vfio_dma_map(iova, size as usize, map.as_mut_ptr()) } {
            self.iova.free(iova, size);
            return Err(e.into());
        }
        self.dma.insert(iova, map);
        Ok(DmaRegion { iova, len })
    }

    unsafe fn map_user(&mut self, ptr: *mut u8, len: usize) -> Result<u64, DriverError> {
        let size = len as u64;
        if size == 0 || size % PAGE != 0 {
            return Err(DriverError::Dma(format!("{len} bytes is not a whole number of pages")));
        }
        // Aligned to its size (a power of two up to 4 GiB): the range never
        // crosses a 4 GiB boundary, as the broker needs.
        let align = size.next_power_of_two().clamp(PAGE, 1 << 32);
        let iova = self.iova.alloc(size, align).ok_or_else(|| DriverError::Dma(format!("no IOVA range of {size} bytes left")))?;
        // SAFETY: the caller keeps `ptr..ptr + len` mapped until unmap_user
        // or drop, both of which remove the IOMMU mapping first.
        if let Err(e) = unsafe { self.container.vfio_dma_map(iova, len, ptr) } {
            self.iova.free(iova, size);
            return Err(e.into());
        }
        self.user.insert(iova, len);
        Ok(iova)
    }

    fn unmap_user(&mut self, iova: u64) {
        if let Some(len) = self.user.remove(&iova) {
            let _ = self.container.vfio_dma_unmap(iova, len);
            self.iova.free(iova, len as u64);
        }
    }

    fn free_dma(&mut self, region: DmaRegion) {
        if let Some(map) = self.dma.remove(&region.iova) {
            let _ = self.container.vfio_dma_unmap(region.iova, map.len());
            self.iova.free(region.iova, map.len() as u64);
        }
    }

    fn dma_read(&self, region: &DmaRegion, offset: usize, out: &mut [u8]) -> Result<(), DriverError> {
        let p = self.dma_ptr(region, offset, out.len())?;
        // Volatile, byte by byte: the device may be writing the same memory.
        for (k, b) in out.iter_mut().enumerate() {
            // SAFETY: in bounds (checked by dma_ptr).
            *b = unsafe { p.add(k).read_volatile() };
        }
        Ok(())
    }

    fn dma_write(&self, region: &DmaRegion, offset: usize, data: &[u8]) -> Result<(), DriverError> {
        let p = self.dma_ptr(region, offset, data.len())?;
        for (k, b) in data.iter().enumerate() {
            // SAFETY: in bounds (checked by dma_ptr).
            unsafe { p.add(k).write_volatile(*b) };
        }
        // Order the copy before the doorbell write that follows it.
        std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    fn wait_irq(&self, vector: u32, timeout: Duration) -> Result<u64, DriverError> {
        wait_msi(&self.msi, vector, timeout)
    }

    fn msi_vectors(&self) -> usize {
        self.msi.len()
    }

    fn irq_fd(&self, vector: u32) -> Option<std::os::fd::BorrowedFd<'_>> {
        crate::access::msi_fd(&self.msi, vector)
    }

    fn describe(&self) -> String {
        format!("board at {} through VFIO", self.addr)
    }
}

impl Drop for VfioPci {
    fn drop(&mut self) {
        if !self.msi.is_empty() {
            let _ = if self.uses_msix { self.device.disable_msix() } else { self.device.disable_msi() };
        }
        for (iova, map) in std::mem::take(&mut self.dma) {
            let _ = self.container.vfio_dma_unmap(iova, map.len());
        }
        for (iova, len) in std::mem::take(&mut self.user) {
            let _ = self.container.vfio_dma_unmap(iova, len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn fake_sysfs(tag: &str, driver: Option<&str>, group_peer: Option<&str>) -> PathBuf {
        let root = std::env::temp_dir().join(format!("alpc-drv-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dev = root.join("bus/pci/devices/0000:01:00.0");
        std::fs::create_dir_all(&dev).unwrap();
        std::fs::create_dir_all(root.join("kernel/iommu_groups/3/devices")).unwrap();
        std::fs::write(dev.join("vendor"), "0x10ee\n").unwrap();
        std::fs::write(dev.join("device"), "0x7021\n").unwrap();
        symlink(root.join("kernel/iommu_groups/3"), dev.join("iommu_group")).unwrap();
        symlink(&dev, root.join("kernel/iommu_groups/3/devices/0000:01:00.0")).unwrap();
        if let Some(d) = driver {
            std::fs::create_dir_all(root.join("bus/pci/drivers").join(d)).unwrap();
            symlink(root.join("bus/pci/drivers").join(d), dev.join("driver")).unwrap();
        }
        if let Some(p) = group_peer {
            let peer = root.join("bus/pci/devices/0000:01:00.1");
            std::fs::create_dir_all(&peer).unwrap();
            std::fs::create_dir_all(root.join("bus/pci/drivers").join(p)).unwrap();
            symlink(root.join("bus/pci/drivers").join(p), peer.join("driver")).unwrap();
            symlink(&peer, root.join("kernel/iommu_groups/3/devices/0000:01:00.1")).unwrap();
        }
        root
    }

    #[test]
    fn setup_checks_say_what_to_do() {
        let a: PciAddress = "0000:01:00.0".parse().unwrap();
        let root = fake_sysfs("xhci", Some("xhci_hcd"), None);
        let e = VfioPci::check_setup(&root, a).unwrap_err();
        assert!(e.to_string().contains("alpc bind 0000:01:00.0") && e.to_string().contains("10ee 7021"), "{e}");
        let root = fake_sysfs("peer", Some("vfio-pci"), Some("snd_hda_intel"));
        let e = VfioPci::check_setup(&root, a).unwrap_err();
        assert!(matches!(e, DriverError::GroupNotViable { group: 3, .. }), "{e}");
        let root = fake_sysfs("ok", Some("vfio-pci"), Some("vfio-pci"));
        assert_eq!(VfioPci::check_setup(&root, a).unwrap().1, 3);
        let e = VfioPci::check_setup(&root, "0000:02:00.0".parse().unwrap()).unwrap_err();
        assert!(matches!(e, DriverError::NoDevice(_)));
        for tag in ["xhci", "peer", "ok"] {
            let _ = std::fs::remove_dir_all(std::env::temp_dir().join(format!("alpc-drv-{tag}-{}", std::process::id())));
        }
        assert!(matches!(VfioPci::open("nonsense", 1 << 32), Err(DriverError::Address(_))));
    }
}
