//! ALPC's scenarios through the host library's public API
//! (`alpc_tests::scenarios`), each on the Verilator-simulated device and on
//! the reference model: the same code on both.

use alpc_host::{MemTiming, ModelTransport, SharedDevice, SimConfig, SimTransport};
use alpc_tests::scenarios::*;

fn sim() -> SharedDevice<SimTransport> {
    let cfg = SimConfig { timing: MemTiming::latency(20), mem_size: 64 << 20, ..Default::default() };
    SharedDevice::open(SimTransport::new(cfg).unwrap()).unwrap()
}

fn model() -> SharedDevice<ModelTransport> {
    SharedDevice::open(ModelTransport::new(64 << 20)).unwrap()
}

#[test]
fn server_client_sequence() {
    server_client(sim());
    server_client(model());
}

#[test]
fn connection_rejected() {
    rejection(sim());
    rejection(model());
}

#[test]
fn connect_answered_after_the_timeout() {
    connect_timeout(sim());
    connect_timeout(model());
}

#[test]
fn server_closes_while_client_waits() {
    server_closes(sim());
    server_closes(model());
}

#[test]
fn client_dies_with_requests_outstanding() {
    client_dies(sim());
    client_dies(model());
}

#[test]
fn wrong_replies_oversize_and_timeouts() {
    bad_replies_and_sizes(sim());
    bad_replies_and_sizes(model());
}

#[test]
fn many_clients_interleaved() {
    many_clients(sim(), 6, 8);
    many_clients(model(), 14, 50);
}

#[test]
fn batches_with_one_doorbell() {
    batches(sim(), 5);
    batches(model(), 12);
}

#[test]
fn one_thread_serves_many_ports_with_async() {
    one_thread_async(sim(), 4, 10);
    one_thread_async(model(), 10, 30);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_tasks_on_rtl_and_model() {
    tokio_tasks(sim(), 4, 10).await;
    tokio_tasks(model(), 10, 30).await;
}

#[test]
fn threads_of_one_process_share_a_port() {
    threads_share_a_port(sim(), 4, 10);
    threads_share_a_port(model(), 6, 40);
}

#[test]
fn restricted_ports_refuse_unlisted_identities() {
    restricted_port(sim());
    restricted_port(model());
}

#[test]
fn views_share_memory_without_copies() {
    shared_views(sim());
    shared_views(model());
}

#[test]
fn windows_hold_back_a_flooding_client() {
    windowed_port(sim());
    windowed_port(model());
}

#[test]
fn large_messages_into_posted_buffers() {
    large_messages(sim());
    large_messages(model());
}
