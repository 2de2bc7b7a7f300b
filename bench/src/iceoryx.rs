//! The iceoryx2 channel: zero-copy publish-subscribe over shared memory
//! (the `iceoryx2` crate), one service per direction, the receiver polling
//! (as iceoryx2's own benchmarks do) and the sender retrying while the
//! receiver's buffer is full, so no message is dropped.

use crate::ipc::{IpcError, PEER_TIMEOUT};
use iceoryx2::port::publisher::Publisher;
use iceoryx2::port::subscriber::Subscriber;
use iceoryx2::prelude::*;
use iceoryx2::service::port_factory::publish_subscribe;
use std::time::Instant;

/// Samples a subscriber can hold before the publisher waits.
const BUFFER: usize = 256;

fn ice(what: &'static str) -> impl FnOnce(String) -> IpcError {
    move |e| IpcError::Protocol(format!("iceoryx2, {what}: {e}"))
}

/// One side: publishes on `{service}/{side}`, subscribes to the other.
pub(crate) struct IceEnd {
    tx_service: publish_subscribe::PortFactory<ipc::Service, [u8], ()>,
    publisher: Publisher<ipc::Service, [u8], ()>,
    subscriber: Subscriber<ipc::Service, [u8], ()>,
    connected: bool,
    // Dropped last: the ports and services belong to the node.
    _rx_service: publish_subscribe::PortFactory<ipc::Service, [u8], ()>,
    _node: Node<ipc::Service>,
}

impl IceEnd {
    /// Opens (or creates) both services and this side's ports.
    pub(crate) fn open(service: &str, side: usize, max_payload: usize) -> Result<IceEnd, IpcError> {
        set_log_level(LogLevel::Error);
        let node = NodeBuilder::new().create::<ipc::Service>().map_err(|e| ice("node")(e.to_string()))?;
        let open = |dir: usize| -> Result<publish_subscribe::PortFactory<ipc::Service, [u8], ()>, IpcError> {
            let name = ServiceName::new(&format!("{service}/{dir}")).map_err(|e| ice("name")(format!("{e:?}")))?;
            node.service_builder(&name)
                .publish_subscribe::<[u8]>()
                .enable_safe_overflow(false)
                .subscriber_max_buffer_size(BUFFER)
                .history_size(0)
                .max_publishers(1)
                .max_subscribers(1)
                .open_or_create()
                .map_err(|e| ice("service")(e.to_string()))
        };
        let tx_service = open(side)?;
        let rx_service = open(1 - side)?;
        let publisher = tx_service
            .publisher_builder()
            .initial_max_slice_len(max_payload)
            .backpressure_strategy(BackpressureStrategy::RetryUntilDelivered)
            .create()
            .map_err(|e| ice("publisher")(e.to_string()))?;
        let subscriber = rx_service
            .subscriber_builder()
            .buffer_size(BUFFER)
            .create()
            .map_err(|e| ice("subscriber")(e.to_string()))?;
        Ok(IceEnd { tx_service, publisher, subscriber, connected: false, _rx_service: rx_service, _node: node })
    }

    pub(crate) fn send(&mut self, msg: &[u8]) -> Result<(), IpcError> {
        // A sample sent before the peer subscribed would reach nobody.
        let deadline = Instant::now() + PEER_TIMEOUT;
        while !self.connected {
            self.connected = self.tx_service.dynamic_config().number_of_subscribers() > 0;
            if Instant::now() > deadline {
                return Err(IpcError::TimedOut);
            }
            std::thread::yield_now();
        }
        let sample = self.publisher.loan_slice_uninit(msg.len()).map_err(|e| ice("loan")(e.to_string()))?;
        let delivered = sample.write_from_slice(msg).send().map_err(|e| ice("send")(e.to_string()))?;
        if delivered != 1 {
            return Err(IpcError::Protocol(format!("iceoryx2 delivered to {delivered} subscribers, not 1")));
        }
        Ok(())
    }

    pub(crate) fn recv(&mut self, buf: &mut [u8]) -> Result<(), IpcError> {
        let deadline = Instant::now() + PEER_TIMEOUT;
        let mut polls = 0u32;
        loop {
            if let Some(sample) = self.subscriber.receive().map_err(|e| ice("receive")(e.to_string()))? {
                let p = sample.payload();
                if p.len() != buf.len() {
                    return Err(IpcError::Protocol(format!("a sample of {} bytes, {} expected", p.len(), buf.len())));
                }
                buf.copy_from_slice(p);
                return Ok(());
            }
            std::hint::spin_loop();
            polls = polls.wrapping_add(1);
            if polls % 4096 == 0 && Instant::now() > deadline {
                return Err(IpcError::TimedOut);
            }
        }
    }
}
