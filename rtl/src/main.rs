//! `alpc-rtl OUT_DIR`: writes the core's Verilog, one module per file, and a
//! file list `alpc_core.f` for tools that take one.
use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "rtl/generated".into()),
    );
    std::fs::create_dir_all(&out)?;
    let files = alpc_rtl::emit_core();
    let mut list = String::new();
    for f in &files {
        std::fs::write(out.join(&f.name), &f.text)?;
        list.push_str(&f.name);
        list.push('\n');
    }
    std::fs::write(out.join(format!("{}.f", alpc_rtl::TOP_MODULE)), list)?;
    println!("wrote {} modules to {}", files.len(), out.display());
    Ok(())
}
