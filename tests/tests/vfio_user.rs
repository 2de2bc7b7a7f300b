//! The simulated card in its own process, served over vfio-user by
//! `alpc sim serve`, driven through the driver's vfio-user backend: the
//! register, DMA (shared memfd) and interrupt (eventfd) paths a board uses.

use alpc_contract::{Descriptor, Status};
use alpc_host::{Device, Transport, VfioUserTransport};
use alpc_tests::{alpc_binary, random_copy_rounds, spawn_listening, Rng};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::Duration;

struct Server {
    child: Child,
    socket: PathBuf,
}

impl Server {
    fn start(tag: &str, latency: u64) -> Server {
        let socket = std::env::temp_dir().join(format!("alpc-{tag}-{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&socket);
        let mut cmd = Command::new(alpc_binary());
        cmd.args(["sim", "serve", "--socket"]).arg(&socket).args(["--latency", &latency.to_string()]);
        Server { child: spawn_listening(cmd, &socket, Duration::from_secs(30)), socket }
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
    random_copy_rounds(&mut dev, q, &mut Rng::new(5), 96 * 1024, 4, 16 * 1024, |dev, round| {
        // Interrupts arrive on eventfds written by the server process.
        let vector = q.context() as u32 % dev.transport().vectors();
        let irqs = dev.transport_mut().wait_irq(vector, Duration::from_secs(30)).unwrap();
        assert!(irqs > 0, "round {round}: no MSI arrived on the eventfd");
    });
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
