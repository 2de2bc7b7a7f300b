//! BAR0 register block of the Verilated core: every register of the map,
//! error responses, per-context readback.

use alpc_contract::{bus, geometry, regs};
use alpc_sim::{SimConfig, SimDevice, SimError};

fn dev() -> SimDevice {
    SimDevice::new(SimConfig::default()).unwrap()
}

#[test]
fn identity_version_and_caps() {
    let mut d = dev();
    assert_eq!(d.bar_read32(regs::ID).unwrap(), regs::ID_VALUE);
    assert_eq!(d.bar_read32(regs::VERSION).unwrap(), regs::VERSION_VALUE);
    let caps = d.bar_read32(regs::CAPS).unwrap();
    assert_eq!(caps & 0xFFFF, geometry::CONTEXTS as u32);
    assert_eq!((caps >> 16) & 0xFF, bus::AXI_DATA_BYTES as u32);
    assert_eq!(caps >> 24, bus::MAX_READS_IN_FLIGHT as u32);
    assert_eq!(
        d.bar_read32(regs::MAX_COPY_LEN).unwrap(),
        geometry::MAX_COPY_LEN
    );
    // Busy clearing its port table after reset, one entry per cycle.
    assert_eq!(d.bar_read32(regs::STATUS).unwrap(), regs::STATUS_BUSY);
    d.run(geometry::PORTS as u64);
    assert_eq!(d.bar_read32(regs::STATUS).unwrap(), 0);
    assert_eq!(d.bar_read32(regs::COMPLETED).unwrap(), 0);
}

#[test]
fn scratch_and_control_read_back() {
    let mut d = dev();
    for v in [0u32, 0xDEAD_BEEF, 0x1234_5678, u32::MAX] {
        d.bar_write32(regs::SCRATCH, v).unwrap();
        assert_eq!(d.bar_read32(regs::SCRATCH).unwrap(), v);
    }
    d.bar_write32(regs::CONTROL, 0xFFFF_FFFF).unwrap();
    assert_eq!(
        d.bar_read32(regs::CONTROL).unwrap(),
        regs::CONTROL_ENABLE,
        "reserved bits read as 0"
    );
    d.reset();
    assert_eq!(
        d.bar_read32(regs::CONTROL).unwrap(),
        0,
        "reset clears CONTROL"
    );
}

#[test]
fn bad_accesses_get_slverr_and_change_nothing() {
    let mut d = dev();
    d.bar_write32(regs::SCRATCH, 7).unwrap();
    // Partial write.
    let e = d.bar_write_strb(regs::SCRATCH, 0xFF, 0x1).unwrap_err();
    assert!(matches!(e, SimError::BarResponse { resp: 2, .. }), "{e}");
    assert_eq!(d.bar_read32(regs::SCRATCH).unwrap(), 7);
    // Read-only register.
    assert!(d.bar_write32(regs::ID, 1).is_err());
    assert_eq!(d.bar_read32(regs::ID).unwrap(), regs::ID_VALUE);
    // Unmapped: a hole in the global page, past the last context, beyond the doorbells.
    for off in [
        0x100,
        regs::ctx_cfg(geometry::CONTEXTS, 0),
        regs::doorbell(geometry::CONTEXTS, 0),
        regs::ctx_cfg(0, 0x3C),
        regs::doorbell(0, 8),
    ] {
        assert!(
            matches!(
                d.bar_read32(off),
                Err(SimError::BarResponse { resp: 2, .. })
            ),
            "read {off:#x}"
        );
        assert!(
            matches!(
                d.bar_write32(off, 1),
                Err(SimError::BarResponse { resp: 2, .. })
            ),
            "write {off:#x}"
        );
    }
    assert_eq!(d.bar_read32(regs::SCRATCH).unwrap(), 7);
    assert!(matches!(d.bar_read32(3), Err(SimError::BarOffset(3))));
}

#[test]
fn context_registers_are_per_context() {
    let mut d = dev();
    for ctx in 0..geometry::CONTEXTS {
        let c = ctx as u32;
        d.bar_write32(regs::ctx_cfg(ctx, regs::CTX_SQ_BASE_LO), 0x1000 * c + 0x40)
            .unwrap();
        d.bar_write32(regs::ctx_cfg(ctx, regs::CTX_SQ_BASE_HI), c)
            .unwrap();
        // Completion rings are 32-byte aligned: the low bits are dropped.
        d.bar_write32(regs::ctx_cfg(ctx, regs::CTX_CQ_BASE_LO), 0x2000 * c + 0x3F)
            .unwrap();
        d.bar_write32(regs::ctx_cfg(ctx, regs::CTX_CQ_BASE_HI), 0x100 + c)
            .unwrap();
        d.bar_write32(
            regs::ctx_cfg(ctx, regs::CTX_RING_CFG),
            0xFFFF_F000 | (c % 16) << 8 | (15 - c % 16),
        )
        .unwrap();
        d.bar_write32(
            regs::ctx_cfg(ctx, regs::CTX_CONTROL),
            (c % 32) << 8 | (c & 1),
        )
        .unwrap();
    }
    for ctx in 0..geometry::CONTEXTS {
        let c = ctx as u32;
        assert_eq!(
            d.bar_read32(regs::ctx_cfg(ctx, regs::CTX_SQ_BASE_LO))
                .unwrap(),
            0x1000 * c + 0x40
        );
        assert_eq!(
            d.bar_read32(regs::ctx_cfg(ctx, regs::CTX_SQ_BASE_HI))
                .unwrap(),
            c
        );
        assert_eq!(
            d.bar_read32(regs::ctx_cfg(ctx, regs::CTX_CQ_BASE_LO))
                .unwrap(),
            0x2000 * c + 0x20
        );
        assert_eq!(
            d.bar_read32(regs::ctx_cfg(ctx, regs::CTX_CQ_BASE_HI))
                .unwrap(),
            0x100 + c
        );
        assert_eq!(
            d.bar_read32(regs::ctx_cfg(ctx, regs::CTX_RING_CFG))
                .unwrap(),
            (c % 16) << 8 | (15 - c % 16)
        );
        assert_eq!(
            d.bar_read32(regs::ctx_cfg(ctx, regs::CTX_CONTROL)).unwrap(),
            (c % 32) << 8 | (c & 1)
        );
        // Configuring a context resets its queues.
        assert_eq!(
            d.bar_read32(regs::ctx_cfg(ctx, regs::CTX_SQ_HEAD)).unwrap(),
            0
        );
        assert_eq!(
            d.bar_read32(regs::ctx_cfg(ctx, regs::CTX_CQ_TAIL)).unwrap(),
            1 << regs::CQ_TAIL_PHASE_BIT
        );
        assert_eq!(
            d.bar_read32(regs::doorbell(ctx, regs::DB_SQ_TAIL)).unwrap(),
            0
        );
    }
    assert!(
        d.bar_write32(regs::ctx_cfg(0, regs::CTX_SQ_HEAD), 1)
            .is_err(),
        "SQ head is read-only"
    );
    d.bar_write32(regs::doorbell(3, regs::DB_CQ_HEAD), 0x1_0005)
        .unwrap();
    assert_eq!(
        d.bar_read32(regs::doorbell(3, regs::DB_CQ_HEAD)).unwrap(),
        5,
        "doorbells are 16 bits"
    );
    assert!(d.axi_violations().is_empty());
}
