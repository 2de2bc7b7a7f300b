//! `cargo bench -p alpc-host`: the host library's cost per message on the
//! reference-model backend (no simulation): a client sends DATAGRAMs, the
//! server takes them with their payloads, the client takes its
//! completions. The figures include the model's own work (it runs inside
//! the doorbell write); `alpc bench` separates the two and counts the
//! register accesses.

use alpc_contract::{geometry, Descriptor};
use alpc_host::{Device, ModelTransport, QueueId};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::time::Duration;

fn connected(dev: &mut Device<ModelTransport>) -> (QueueId, QueueId, u32) {
    let wait = Duration::from_secs(1);
    let server = dev.create_queue(256, 256).unwrap();
    let client = dev.create_queue(256, 256).unwrap();
    dev.submit(server, &[Descriptor::create_port(7, geometry::MAX_INLINE as u16, 8, 1)]).unwrap();
    let conn = dev.wait(server, 1, wait).unwrap()[0].port;
    dev.submit(client, &[Descriptor::connect(7, 0, 2)]).unwrap();
    let id = dev.wait(server, 1, wait).unwrap()[0].msg_id;
    dev.submit(server, &[Descriptor::accept(conn, id, 0, 3)]).unwrap();
    dev.wait(server, 1, wait).unwrap();
    let cp = dev.wait(client, 1, wait).unwrap()[0].port;
    (server, client, cp)
}

fn datagrams(c: &mut Criterion) {
    let mut group = c.benchmark_group("datagram_round");
    for payload in [8usize, 128] {
        for batch in [1usize, 64] {
            let mut dev = Device::open(ModelTransport::new(64 << 20)).unwrap();
            let (server, client, cp) = connected(&mut dev);
            let data = vec![0x5A; payload];
            let msgs: Vec<_> =
                (0..batch).map(|u| (Descriptor::datagram(cp, payload as u32, u as u64), &data[..])).collect();
            let (mut got, mut done) = (Vec::new(), Vec::new());
            group.throughput(Throughput::Elements(batch as u64));
            group.bench_function(BenchmarkId::new(format!("{payload}B"), format!("batch{batch}")), |b| {
                b.iter(|| {
                    dev.submit_messages(client, &msgs).unwrap();
                    got.clear();
                    while got.len() < batch {
                        dev.poll_messages(server, &mut got).unwrap();
                    }
                    done.clear();
                    while done.len() < batch {
                        dev.poll(client, &mut done).unwrap();
                    }
                })
            });
        }
    }
    group.finish();
}

fn descriptors(c: &mut Criterion) {
    c.bench_function("descriptor_encode", |b| {
        b.iter(|| std::hint::black_box(Descriptor::datagram(std::hint::black_box(3), 64, 9)).to_bytes())
    });
}

criterion_group!(benches, datagrams, descriptors);
criterion_main!(benches);
