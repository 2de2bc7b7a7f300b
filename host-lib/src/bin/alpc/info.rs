//! `alpc info`: what the registers say.

use alpc_contract::regs;
use alpc_host::Transport;
use anyhow::{bail, Result};

/// Reads (never writes) the registers and prints what they say.
pub fn info<T: Transport>(t: &mut T) -> Result<()> {
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
            "context {ctx}: identity {}, {} CQ slots reserved (a notice slot per live connection, one per outstanding request or connect), SQ {} entries at {sq:#x} (head {}), CQ {} entries at {cq:#x} (tail {}, phase {}), {}",
            t.read32(r(regs::CTX_IDENTITY))?,
            t.read32(r(regs::CTX_CQ_RESERVED))?,
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
