//! Datagram fan-out: a publisher sends every update to all its subscribers,
//! one batch (one doorbell write) per update. One subscriber is slow and
//! has a small completion ring: when it is full the device refuses the
//! datagram with `RECEIVER_BUSY` (nothing is dropped silently, nobody else
//! is held up) and the publisher sends it again later.
//!
//! `cargo run --release -p alpc-host --example datagram_fanout -- [BACKEND] [UPDATES]`

use alpc_host::{backend, ContextConfig, Event, PortAttributes, SharedDevice, StatusError};
use anyhow::{ensure, Result};
use std::collections::VecDeque;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(1);

fn main() -> Result<()> {
    let spec = std::env::args().nth(1).unwrap_or_else(|| "sim".into());
    let updates: u32 = std::env::args().nth(2).map(|a| a.parse()).transpose()?.unwrap_or(40);
    let dev = SharedDevice::open(backend::open(&spec)?)?;
    let publisher = dev.context(1)?;
    let port = publisher.create_port("news", PortAttributes { max_message: 64, backlog: 8, ..Default::default() })?;
    // Subscribers 0..3 read promptly; subscriber 3 has an 8-entry ring.
    let subs: Vec<_> = (0..4)
        .map(|i| dev.context_with(ContextConfig { identity: 100 + i, cq_entries: if i == 3 { 8 } else { 64 }, ..Default::default() }))
        .collect::<Result<_, _>>()?;
    let (conns, ports) = std::thread::scope(|s| -> Result<_> {
        let joins: Vec<_> = subs.iter().map(|c| s.spawn(|| c.connect("news", b"subscribe", WAIT))).collect();
        let conns = (0..subs.len()).map(|_| port.accept(&port.listen(WAIT)?, 0)).collect::<Result<Vec<_>, _>>()?;
        let ports = joins.into_iter().map(|j| j.join().unwrap()).collect::<Result<Vec<_>, _>>()?;
        Ok((conns, ports))
    })?;
    let mut retry: VecDeque<(usize, Vec<u8>)> = VecDeque::new();
    let (mut busy, mut got) = (0, vec![0u32; subs.len()]);
    for n in 0..updates {
        let update = format!("update {n}").into_bytes();
        let mut batch = publisher.batch();
        for c in &conns {
            batch.datagram(c, &update);
        }
        for (i, sent) in batch.submit()?.into_iter().enumerate() {
            if sent.status() == Some(StatusError::ReceiverBusy) {
                busy += 1;
                retry.push_back((i, update.clone()));
            } else {
                ensure!(sent.is_ok(), "subscriber {i}: {:?}", sent.status());
            }
        }
        // Prompt subscribers read everything; the slow one reads one
        // update in four.
        for (i, p) in ports.iter().enumerate() {
            let reads = if i == 3 { (n % 4 == 0) as usize } else { usize::MAX };
            for _ in 0..reads {
                match p.receive(Duration::ZERO) {
                    Ok(Event::Datagram(_)) => got[i] += 1,
                    _ => break,
                }
            }
        }
        // Retry what was refused, once per round, in order.
        for _ in 0..retry.len() {
            let (i, msg) = retry.pop_front().unwrap();
            match conns[i].send_datagram(&msg) {
                Err(e) if e.status() == Some(StatusError::ReceiverBusy) => retry.push_back((i, msg)),
                r => r?,
            }
        }
    }
    // Drain: the slow subscriber catches up, the publisher resends the rest.
    while !retry.is_empty() || got.iter().any(|&g| g < updates) {
        for (i, p) in ports.iter().enumerate() {
            while let Ok(Event::Datagram(_)) = p.receive(Duration::ZERO) {
                got[i] += 1;
            }
        }
        if let Some((i, msg)) = retry.pop_front() {
            match conns[i].send_datagram(&msg) {
                Err(e) if e.status() == Some(StatusError::ReceiverBusy) => retry.push_front((i, msg)),
                r => r?,
            }
        }
    }
    println!("{updates} updates to {} subscribers: {got:?} received; {busy} deliveries refused RECEIVER_BUSY at first and sent again", subs.len());
    ensure!(got.iter().all(|&g| g == updates), "an update was lost");
    Ok(())
}
