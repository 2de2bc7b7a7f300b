//! Waiting the `tokio` way (feature `tokio`): inside a tokio runtime, a
//! pending future of a context sleeps on the eventfd its interrupt is
//! signalled on (VFIO, vfio-user) instead of polling, so a runtime thread
//! serving many ports is woken by the device. A simulated device, whose
//! clock moves only when the host lets it, is stepped and the task yields;
//! a backend without an interrupt descriptor (the model) yields.

use crate::context::Context;
use crate::error::Result;
use crate::transport::{Transport, TransportError};
use std::time::Duration;
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

/// The longest a task sleeps on the interrupt before it looks at its ring
/// again (another waiter of the same vector may have taken the wake-up).
pub const MAX_SLEEP: Duration = Duration::from_millis(1);

/// Waits for a reason to look at the ring again, at most `left`. Returns
/// `false` outside a tokio runtime (the caller then waits its own way).
pub(crate) async fn pause<T: Transport>(ctx: &Context<T>, left: Duration) -> Result<bool> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Ok(false);
    }
    let vector = ctx.vector();
    let fd = {
        let mut dev = ctx.device().lock();
        if dev.transport().cycles().is_some() {
            dev.transport_mut().relax();
            None
        } else {
            dev.transport().irq_fd(vector).map(|fd| fd.try_clone_to_owned())
        }
    };
    let Some(fd) = fd else {
        tokio::task::yield_now().await;
        return Ok(true);
    };
    let irq_err = |e: std::io::Error| TransportError::Register(format!("waiting on the interrupt's eventfd: {e}"));
    // SAFETY: the AsyncFd owns the duplicated descriptor, which stays open
    // and the same for the AsyncFd's whole life (tokio's requirement).
    let fd = unsafe { AsyncFd::register_with_interest(fd.map_err(irq_err)?, Interest::READABLE) }
        .map_err(|e| irq_err(e.into_parts().1))?;
    if let Ok(ready) = tokio::time::timeout(left.min(MAX_SLEEP), fd.readable()).await {
        ready.map_err(irq_err)?.clear_ready();
    }
    // Take the count: the ring is looked at next, so these interrupts are
    // served; a later one makes the descriptor readable again.
    ctx.device().lock().transport_mut().wait_irq(vector, Duration::ZERO)?;
    Ok(true)
}
