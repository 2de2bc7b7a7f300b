//! PCI addresses and sysfs: finding a device's IOMMU group and driver.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// A PCI address, `domain:bus:device.function` (`0000:01:00.0`; the domain
/// may be left out).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PciAddress {
    /// Domain (segment).
    pub domain: u16,
    /// Bus.
    pub bus: u8,
    /// Device.
    pub device: u8,
    /// Function.
    pub function: u8,
}

/// A malformed PCI address.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{0}` is not a PCI address (expected e.g. 0000:01:00.0)")]
pub struct BadPciAddress(pub String);

impl FromStr for PciAddress {
    type Err = BadPciAddress;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadPciAddress(s.to_string());
        let parts: Vec<&str> = s.split(':').collect();
        let (domain, bus, rest) = match parts.as_slice() {
            [d, b, r] => (u16::from_str_radix(d, 16).map_err(|_| bad())?, *b, *r),
            [b, r] => (0, *b, *r),
            _ => return Err(bad()),
        };
        let (dev, func) = rest.split_once('.').ok_or_else(bad)?;
        let a = PciAddress {
            domain,
            bus: u8::from_str_radix(bus, 16).map_err(|_| bad())?,
            device: u8::from_str_radix(dev, 16).map_err(|_| bad())?,
            function: u8::from_str_radix(func, 16).map_err(|_| bad())?,
        };
        if a.device > 0x1F || a.function > 7 || bus.len() > 2 || dev.len() > 2 || func.len() > 1 {
            return Err(bad());
        }
        Ok(a)
    }
}

impl fmt::Display for PciAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04x}:{:02x}:{:02x}.{:x}", self.domain, self.bus, self.device, self.function)
    }
}

/// What sysfs says about a device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SysfsDevice {
    /// `/sys/bus/pci/devices/<addr>`.
    pub path: PathBuf,
    /// Vendor and device id.
    pub id: (u16, u16),
    /// Name of the bound driver, if any.
    pub driver: Option<String>,
    /// IOMMU group number, if the device is behind an IOMMU.
    pub iommu_group: Option<u32>,
}

fn read_hex(path: &Path) -> Option<u16> {
    let s = std::fs::read_to_string(path).ok()?;
    u16::from_str_radix(s.trim().trim_start_matches("0x"), 16).ok()
}

fn link_name(path: &Path) -> Option<String> {
    let target = std::fs::read_link(path).ok()?;
    Some(target.file_name()?.to_string_lossy().into_owned())
}

/// Reads a device's sysfs entry under `sysfs` (normally `/sys`).
pub fn probe(sysfs: &Path, addr: PciAddress) -> Option<SysfsDevice> {
    let path = sysfs.join("bus/pci/devices").join(addr.to_string());
    if !path.exists() {
        return None;
    }
    Some(SysfsDevice {
        id: (read_hex(&path.join("vendor")).unwrap_or(0), read_hex(&path.join("device")).unwrap_or(0)),
        driver: link_name(&path.join("driver")),
        iommu_group: link_name(&path.join("iommu_group")).and_then(|g| g.parse().ok()),
        path,
    })
}

/// The devices that share an IOMMU group, with their drivers.
pub fn group_members(sysfs: &Path, group: u32) -> Vec<(String, Option<String>)> {
    let dir = sysfs.join("kernel/iommu_groups").join(group.to_string()).join("devices");
    let mut v: Vec<(String, Option<String>)> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let driver = link_name(&sysfs.join("bus/pci/devices").join(&name).join("driver"));
                    (name, driver)
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// An IOVA range the IOMMU keeps for itself in a group (the MSI window,
/// firmware-reserved RMRR memory): no DMA buffer may be mapped there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservedRegion {
    /// First IOVA.
    pub start: u64,
    /// Last IOVA (inclusive, as sysfs writes it).
    pub end: u64,
    /// `msi`, `direct`, `reserved`, ...
    pub kind: String,
}

/// The group's reserved IOVA regions (`reserved_regions` in sysfs; empty
/// when the kernel does not publish it). A line that does not parse is an
/// error: silently mapping over a reserved range would corrupt DMA.
pub fn reserved_regions(sysfs: &Path, group: u32) -> Result<Vec<ReservedRegion>, String> {
    let path = sysfs.join("kernel/iommu_groups").join(group.to_string()).join("reserved_regions");
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(Vec::new()) };
    let hex = |w: Option<&str>| w.and_then(|w| u64::from_str_radix(w.trim_start_matches("0x"), 16).ok());
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut w = line.split_whitespace();
            match (hex(w.next()), hex(w.next()), w.next()) {
                (Some(start), Some(end), Some(kind)) if start <= end => {
                    Ok(ReservedRegion { start, end, kind: kind.to_string() })
                }
                _ => Err(format!("{}: cannot parse {line:?}", path.display())),
            }
        })
        .collect()
}

/// Finds PCI devices with a given vendor and device id.
pub fn find(sysfs: &Path, vendor: u16, device: u16) -> Vec<PciAddress> {
    let mut v: Vec<PciAddress> = std::fs::read_dir(sysfs.join("bus/pci/devices"))
        .map(|rd| rd.flatten().filter_map(|e| e.file_name().to_string_lossy().parse().ok()).collect())
        .unwrap_or_default();
    v.retain(|a: &PciAddress| probe(sysfs, *a).is_some_and(|d| d.id == (vendor, device)));
    v.sort_by_key(|a| a.to_string());
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn addresses_parse_and_print() {
        let a: PciAddress = "0000:01:00.0".parse().unwrap();
        assert_eq!(a, PciAddress { domain: 0, bus: 1, device: 0, function: 0 });
        assert_eq!(a.to_string(), "0000:01:00.0");
        assert_eq!("3:1f.7".parse::<PciAddress>().unwrap().to_string(), "0000:03:1f.7");
        for bad in ["", "01:00", "0000:01:20.0", "0000:01:00.8", "zz:00.0", "0000:001:00.0", "1:2:3:4.0"] {
            assert!(bad.parse::<PciAddress>().is_err(), "{bad}");
        }
    }

    #[test]
    fn sysfs_probe_reads_driver_and_group() {
        let root = std::env::temp_dir().join(format!("alpc-sysfs-{}", std::process::id()));
        let dev = root.join("bus/pci/devices/0000:01:00.0");
        std::fs::create_dir_all(&dev).unwrap();
        std::fs::create_dir_all(root.join("bus/pci/drivers/vfio-pci")).unwrap();
        std::fs::create_dir_all(root.join("kernel/iommu_groups/7/devices")).unwrap();
        std::fs::write(dev.join("vendor"), "0x1234\n").unwrap();
        std::fs::write(dev.join("device"), "0x11e8\n").unwrap();
        symlink(root.join("bus/pci/drivers/vfio-pci"), dev.join("driver")).unwrap();
        symlink(root.join("kernel/iommu_groups/7"), dev.join("iommu_group")).unwrap();
        symlink(&dev, root.join("kernel/iommu_groups/7/devices/0000:01:00.0")).unwrap();
        let a = "01:00.0".parse().unwrap();
        let d = probe(&root, a).unwrap();
        assert_eq!((d.id, d.driver.as_deref(), d.iommu_group), ((0x1234, 0x11e8), Some("vfio-pci"), Some(7)));
        assert_eq!(group_members(&root, 7), vec![("0000:01:00.0".to_string(), Some("vfio-pci".to_string()))]);
        assert_eq!(find(&root, 0x1234, 0x11e8), vec![a]);
        assert!(probe(&root, "02:00.0".parse().unwrap()).is_none());
        assert_eq!(reserved_regions(&root, 7), Ok(vec![]));
        let regions = root.join("kernel/iommu_groups/7/reserved_regions");
        std::fs::write(&regions, "0x00000000fee00000 0x00000000feefffff msi\n0x000000007d000000 0x000000007d7fffff direct\n")
            .unwrap();
        let r = reserved_regions(&root, 7).unwrap();
        assert_eq!(r[0], ReservedRegion { start: 0xfee0_0000, end: 0xfeef_ffff, kind: "msi".into() });
        assert_eq!((r[1].start, r[1].end, r.len()), (0x7d00_0000, 0x7d7f_ffff, 2));
        std::fs::write(&regions, "0xfee00000 msi\n").unwrap();
        assert!(reserved_regions(&root, 7).is_err());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
