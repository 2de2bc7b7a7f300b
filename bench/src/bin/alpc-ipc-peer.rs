//! The peer process of [`alpc_bench::ipc::measure`] (`alpc bench-peer` does
//! the same inside the command line); used by this crate's tests.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = alpc_bench::ipc::peer_main(&args) {
        eprintln!("alpc-ipc-peer: {e}");
        std::process::exit(1);
    }
}
