//! The simulated card in its own process, served over vfio-user by
//! `alpc sim serve`, driven through the driver's vfio-user backend: the
//! register, DMA (shared memfd) and interrupt (eventfd) paths a board uses.

use alpc_contract::{Descriptor, Status};
use alpc_host::{check, Device, Transport, VfioUserTransport};
use alpc_tests::{alpc_binary, copy_len, Rng};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    socket: PathBuf,
}

impl Server {
    fn start(tag: &str, latency: u64) -> Server {
        let socket = std::env::temp_dir().join(format!("alpc-{tag}-{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&socket);
        let mut child = Command::new(alpc_binary())
            .args(["sim", "serve", "--socket"])
            .arg(&socket)
            .args(["--latency", &latency.to_string()])
            .spawn()
            .expect("start alpc sim serve");
        let t = Instant::now();
        while !socket.exists() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("alpc sim serve exited before opening its socket: {status}");
            }
            assert!(t.elapsed() < Duration::from_secs(30), "the server never opened its socket");
            std::thread::sleep(Duration::from_millis(20));
        }
        Server { child, socket }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.socket);
    }
}

#[test]
fn copies_over_vfio_user_in_another_process() {
    let server = Server::start("copies", 40);
    let mut dev = Device::open(VfioUserTransport::connect(&server.socket).unwrap()).unwrap();
    let q = dev.create_queue(32, 32).unwrap();
    let mut rng = Rng::new(5);
    const SPAN: usize = 96 * 1024;
    let src = dev.alloc(SPAN).unwrap();
    let dst = dev.alloc(SPAN).unwrap();
    let data = rng.bytes(SPAN);
    dev.write(&src, 0, &data).unwrap();
    let mut image = vec![0u8; SPAN];
    for round in 0..4 {
        let batch: Vec<Descriptor> = (0..8)
            .map(|k| {
                let len = copy_len(&mut rng, 16 * 1024);
                let s = rng.range(0, SPAN as u64 - len);
                let d = rng.range(0, SPAN as u64 - len);
                Descriptor::copy(src.iova() + s, dst.iova() + d, len as u32, round * 100 + k)
            })
            .collect();
        dev.submit(q, &batch).unwrap();
        // Interrupts arrive on eventfds written by the server process.
        let vector = q.context() as u32 % dev.transport().vectors();
        let irqs = dev.transport_mut().wait_irq(vector, Duration::from_secs(30)).unwrap();
        assert!(irqs > 0, "round {round}: no MSI arrived on the eventfd");
        let done = dev.wait(q, batch.len(), Duration::from_secs(60)).unwrap();
        for (d, c) in batch.iter().zip(&done) {
            assert_eq!(c.user_data, d.user_data);
            assert_eq!(check(c).unwrap(), d.length);
            let (s, t, n) = ((d.src_addr - src.iova()) as usize, (d.dst_addr - dst.iova()) as usize, d.length as usize);
            image[t..t + n].copy_from_slice(&data[s..s + n]);
        }
        let mut got = vec![0u8; SPAN];
        dev.read(&dst, 0, &mut got).unwrap();
        assert!(got == image, "round {round}: destination differs");
    }
    // Bad input gets its error completion over this path too.
    dev.submit(q, &[Descriptor { opcode: 0x7F, user_data: 9, ..Default::default() }]).unwrap();
    let c = dev.wait(q, 1, Duration::from_secs(30)).unwrap()[0];
    assert_eq!(c.status(), Some(Status::BadOpcode));
}

/// ALPC over vfio-user: `alpc demo --socket` runs its server and clients
/// (connect with identities, reject, request and reply with payloads, a
/// datagram, a client's death) on the card served by another process.
#[test]
fn alpc_over_vfio_user_in_another_process() {
    let server = Server::start("alpc", 20);
    let out = std::process::Command::new(alpc_tests::alpc_binary())
        .args(["demo", "--socket"])
        .arg(&server.socket)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("verified: identities, payloads and notices"), "{text}");
    assert!(text.contains("\"pong: ping from alice\"") && text.contains("PEER_CLOSED"), "{text}");
}

/// ALPC's scenarios through the host library's public API, unchanged, on
/// the simulated card served by another process (issue 5's scenarios over
/// the board's code paths: registers, shared-memory DMA, eventfd MSIs).
#[test]
fn alpc_scenarios_over_vfio_user() {
    use alpc_host::SharedDevice;
    use alpc_tests::scenarios;
    let server = Server::start("scenarios", 40);
    let dev = || SharedDevice::open(VfioUserTransport::connect(&server.socket).unwrap()).unwrap();
    let dev = dev();
    scenarios::server_client(dev.clone());
    scenarios::rejection(dev.clone());
    scenarios::connect_timeout(dev.clone());
    scenarios::server_closes(dev.clone());
    scenarios::client_dies(dev.clone());
    scenarios::bad_replies_and_sizes(dev.clone());
    scenarios::many_clients(dev.clone(), 6, 5);
    scenarios::batches(dev.clone(), 4);
    scenarios::threads_share_a_port(dev.clone(), 3, 8);
    scenarios::restricted_port(dev.clone());
    scenarios::shared_views(dev.clone());
    scenarios::windowed_port(dev.clone());
    scenarios::large_messages(dev.clone());
    scenarios::one_thread_async(dev, 3, 5);
}

/// Tokio tasks over vfio-user: waiting tasks sleep on the eventfds the
/// server process signals MSIs on (the path a board uses).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_tasks_over_vfio_user() {
    let server = Server::start("tokio", 40);
    let dev = alpc_host::SharedDevice::open(VfioUserTransport::connect(&server.socket).unwrap()).unwrap();
    alpc_tests::scenarios::tokio_tasks(dev, 6, 20).await;
}
