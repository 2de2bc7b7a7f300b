//! The driver's VFIO path against a real Linux `vfio-pci`: a QEMU guest
//! (TCG, an emulated Intel IOMMU, QEMU's `edu` device) boots the host's
//! Debian kernel with an initramfs holding busybox, the VFIO modules and
//! `vfio-edu-check`, which binds the device to vfio-pci with the driver's
//! bind helper (what `alpc bind` does), opens it through the driver and
//! checks BAR0 access, DMA through IOMMU mappings, and MSI through an
//! eventfd.
//!
//! Needs `qemu-system-x86_64`, a readable `/boot/vmlinuz-<version>` with its
//! modules, and a static `/bin/busybox` (Debian: qemu-system-x86,
//! linux-image-amd64, busybox-static; `cargo xtask deps` installs them).
//! Where any is missing the test says so and passes without running.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Modules to load, in order; `vfio_virqfd` was merged into `vfio` in 6.2.
const MODULES: &[&str] = &[
    "kernel/virt/lib/irqbypass.ko",
    "kernel/drivers/vfio/vfio.ko",
    "kernel/drivers/vfio/vfio_iommu_type1.ko",
    "kernel/drivers/vfio/vfio_virqfd.ko",
    "kernel/drivers/vfio/pci/vfio-pci-core.ko",
    "kernel/drivers/vfio/pci/vfio-pci.ko",
];
const OPTIONAL: &[&str] = &["kernel/drivers/vfio/vfio_virqfd.ko"];

struct Guest {
    kernel: PathBuf,
    modules: PathBuf,
}

fn find_guest() -> Result<Guest, String> {
    let qemu_ok = Command::new("qemu-system-x86_64").arg("--version").output().map(|o| o.status.success());
    if !qemu_ok.unwrap_or(false) {
        return Err("qemu-system-x86_64 not found".into());
    }
    if !Path::new("/bin/busybox").exists() {
        return Err("/bin/busybox not found (Debian: busybox-static)".into());
    }
    let mut versions: Vec<String> = std::fs::read_dir("/lib/modules")
        .map_err(|_| "no /lib/modules")?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    versions.sort();
    for v in versions.iter().rev() {
        let kernel = PathBuf::from(format!("/boot/vmlinuz-{v}"));
        let modules = PathBuf::from(format!("/lib/modules/{v}"));
        let have = |m: &&str| OPTIONAL.contains(m) || modules.join(m).exists();
        if std::fs::File::open(&kernel).is_ok() && MODULES.iter().all(have) {
            return Ok(Guest { kernel, modules });
        }
    }
    Err("no readable /boot/vmlinuz-<version> with VFIO modules (Debian: linux-image-amd64, and run as root)".into())
}

/// A newc ("070701") cpio archive, the format the kernel unpacks.
#[derive(Default)]
struct Cpio {
    out: Vec<u8>,
    ino: u32,
}

impl Cpio {
    fn entry(&mut self, name: &str, mode: u32, data: &[u8]) {
        self.ino += 1;
        let header = format!(
            "070701{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}",
            self.ino,
            mode,
            0,
            0,
            1,
            0,
            data.len(),
            0,
            0,
            0,
            0,
            name.len() + 1,
            0
        );
        self.out.extend_from_slice(header.as_bytes());
        self.out.extend_from_slice(name.as_bytes());
        self.out.push(0);
        while self.out.len() % 4 != 0 {
            self.out.push(0);
        }
        self.out.extend_from_slice(data);
        while self.out.len() % 4 != 0 {
            self.out.push(0);
        }
    }

    fn dir(&mut self, name: &str) {
        self.entry(name, 0o040755, &[]);
    }

    fn file(&mut self, name: &str, data: &[u8], exec: bool) {
        let mut path = String::new();
        for part in name.split('/').filter(|p| !p.is_empty()).collect::<Vec<_>>().split_last().unwrap().1 {
            path.push_str(part);
            self.dir(&path.clone());
            path.push('/');
        }
        self.entry(name.trim_start_matches('/'), if exec { 0o100755 } else { 0o100644 }, data);
    }

    fn finish(mut self) -> Vec<u8> {
        self.entry("TRAILER!!!", 0, &[]);
        self.out
    }
}

/// The shared libraries `ldd` says a binary needs.
fn libraries(binary: &Path) -> Vec<PathBuf> {
    let out = Command::new("ldd").arg(binary).output().expect("ldd");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().find(|w| w.starts_with('/')).map(PathBuf::from))
        .collect()
}

const INIT: &str = r#"#!/bin/busybox sh
B=/bin/busybox
$B mkdir -p /proc /sys /dev
$B mount -t proc proc /proc
$B mount -t sysfs sys /sys
$B mount -t devtmpfs dev /dev
for m in irqbypass vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci; do
    [ -e /modules/$m.ko ] && { $B insmod /modules/$m.ko || echo "insmod $m failed"; }
done
/vfio-edu-check --bind
rc=$?
[ $rc = 0 ] || $B dmesg | $B tail -20
echo "EXIT=$rc"
$B poweroff -f
"#;

#[test]
fn vfio_path_works_against_a_real_vfio_pci_in_qemu() {
    let guest = match find_guest() {
        Ok(g) => g,
        Err(why) => {
            eprintln!("skipped: the QEMU VFIO test needs what this machine lacks: {why}");
            return;
        }
    };
    let check = PathBuf::from(env!("CARGO_BIN_EXE_vfio-edu-check"));
    let mut cpio = Cpio::default();
    cpio.file("init", INIT.as_bytes(), true);
    cpio.file("bin/busybox", &std::fs::read("/bin/busybox").unwrap(), true);
    cpio.file("vfio-edu-check", &std::fs::read(&check).unwrap(), true);
    for lib in libraries(&check) {
        let name = lib.to_string_lossy().trim_start_matches('/').to_string();
        cpio.file(&name, &std::fs::read(&lib).unwrap(), true);
    }
    for m in MODULES.iter().filter(|m| guest.modules.join(m).exists()) {
        let name = Path::new(m).file_name().unwrap().to_string_lossy().into_owned();
        cpio.file(&format!("modules/{name}"), &std::fs::read(guest.modules.join(m)).unwrap(), false);
    }
    let dir = std::env::temp_dir().join(format!("alpc-qemu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let initrd = dir.join("initramfs.cpio");
    std::fs::write(&initrd, cpio.finish()).unwrap();

    let start = Instant::now();
    let mut child = Command::new("qemu-system-x86_64")
        .args(["-machine", "q35,kernel-irqchip=split", "-accel", "tcg,thread=multi", "-m", "512", "-smp", "2"])
        .args(["-nographic", "-no-reboot", "-nic", "none", "-device", "intel-iommu,intremap=on", "-device", "edu"])
        .arg("-kernel")
        .arg(&guest.kernel)
        .arg("-initrd")
        .arg(&initrd)
        .args(["-append", "console=ttyS0 intel_iommu=on iommu=on panic=-1 quiet"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start qemu");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    // Drain QEMU's stderr too, so it can never block on a full pipe.
    let errors = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let limit = Duration::from_secs(300);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.wait();
    let out = reader.join().unwrap();
    let qemu_errors = errors.join().unwrap();
    if !qemu_errors.trim().is_empty() {
        println!("qemu stderr: {}", qemu_errors.trim());
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("guest ran {:.1} s", start.elapsed().as_secs_f64());
    for line in out.lines().filter(|l| l.contains("ok:") || l.contains("EDU CHECK") || l.contains("opened") || l.contains("bind:") || l.contains("reserved:")) {
        println!("guest: {}", line.trim());
    }
    let tail: String = out.lines().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>().join("\n");
    assert!(out.contains("EDU CHECK OK") && out.contains("EXIT=0"), "guest output:\n{tail}");
    assert!(out.contains("bound to vfio-pci"), "the driver's bind helper did the binding:\n{tail}");
    // QEMU's intel-iommu reserves the MSI window; the driver must read it.
    assert!(out.contains("reserved: 0xfee00000-0xfeefffff msi"), "the group's reserved regions were read:\n{tail}");
}
