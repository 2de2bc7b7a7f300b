//! The context count is a parameter of the RTL: the 64-context build runs
//! under the simulator like the default one (not only under lint).

use alpc_contract::{regs, Descriptor};
use alpc_host::{check, Device, Interrupts, QueueConfig, SimConfig, SimTransport, Transport};
use alpc_sim::{Core64, MemTiming};
use std::time::Duration;

#[test]
fn sixty_four_contexts_work_end_to_end() {
    let cfg = SimConfig { timing: MemTiming::latency(10), ..Default::default() };
    let mut dev = Device::open(SimTransport::<Core64>::with_core(cfg).unwrap()).unwrap();
    assert_eq!(dev.contexts(), 64);
    // The doorbell page of the last context is at the far end of BAR0.
    assert_eq!(regs::bar0_size(64), 0x80000);
    let buf = dev.alloc(64 * 256).unwrap();
    let data: Vec<u8> = (0..64 * 128).map(|i| (i % 251) as u8).collect();
    dev.write(&buf, 0, &data).unwrap();
    let mut queues = Vec::new();
    for ctx in [0usize, 1, 31, 32, 62, 63] {
        let interrupts = Interrupts::Msi { vector: (ctx % 32) as u32, count: 1, delay: Duration::ZERO };
        let q = dev.create_queue_on(ctx, QueueConfig { sq_entries: 8, cq_entries: 8, interrupts }).unwrap();
        queues.push(q);
    }
    // Every context copies its own 128-byte slice, all submitted before any
    // is waited for, so the arbiter sees all six at once.
    for q in &queues {
        let c = q.context() as u64;
        let d = Descriptor::copy(buf.iova() + c * 128, buf.iova() + 64 * 128 + c * 128, 128, c);
        dev.submit(*q, &[d]).unwrap();
    }
    for q in &queues {
        let done = dev.wait(*q, 1, Duration::from_millis(10)).unwrap();
        assert_eq!(done[0].user_data, q.context() as u64);
        assert_eq!(check(&done[0]).unwrap(), 128);
        let mut out = vec![0u8; 128];
        dev.read(&buf, 64 * 128 + q.context() * 128, &mut out).unwrap();
        assert_eq!(out[..], data[q.context() * 128..q.context() * 128 + 128]);
    }
    let t = dev.transport_mut();
    assert_eq!(t.read32(regs::COMPLETED).unwrap(), 6);
    assert_eq!(t.read32(regs::ctx_cfg(63, regs::CTX_SQ_HEAD)).unwrap(), 1);
    assert!(t.read32(regs::ctx_cfg(64, regs::CTX_SQ_HEAD)).is_err(), "context 64 does not exist");
    assert!(dev.transport().sim().axi_violations().is_empty());
}
