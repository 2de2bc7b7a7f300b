//! `alpc-rtl OUT_DIR`: writes the core's Verilog, one module per file, and a
//! file list `alpc_core.f` for tools that take one.
use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "rtl/generated".into()));
    let files = alpc_rtl::emit_core();
    alpc_rtl::write_files(&files, alpc_rtl::TOP_MODULE, &out)?;
    println!("wrote {} modules to {}", files.len(), out.display());
    Ok(())
}
