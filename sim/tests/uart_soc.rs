//! The board top level without PCIe (`alpc_rtl::uart_soc::UartSoc`: the
//! core, the UARTBone bridge, on-chip host memory), Verilated and driven
//! only through its two UART pins, as a PC drives the ECP5 board: register
//! reads and writes (incrementing and fixed-address), host-memory words, an
//! address outside both targets and one past the memory, and a COPY the
//! core's DMA runs inside the on-chip memory, with unaligned ends (byte
//! strobes) and the bytes around the destination untouched. (The COPY's
//! write burst is issued before its read data arrives: the memory must
//! serve reads and writes independently, which this test caught.)

use alpc_contract::desc::{Completion, Descriptor, CQE_SIZE};
use alpc_contract::{regs, Status};
use alpc_sim::blocks::{tb_uart_soc, TB_UART_DIV as DIV};

/// Byte address of the host memory as the bridge sees it (IOVA 0).
const MEM: u32 = 0x8000_0000;

struct Board {
    m: tb_uart_soc::Model,
    cycles: u64,
}

impl Board {
    fn new() -> Self {
        let mut m = tb_uart_soc::Model::new();
        m.set_uart_rx(1);
        m.set_rst(1);
        let mut b = Board { m, cycles: 0 };
        b.tick();
        b.m.set_rst(0);
        // Let the core sweep its tables.
        for _ in 0..2000 {
            b.tick();
        }
        b
    }

    fn tick(&mut self) {
        self.m.set_clock(0);
        self.m.eval();
        self.m.set_clock(1);
        self.m.eval();
        self.cycles += 1;
    }

    /// Sends one byte, 8N1, LSB first.
    fn send(&mut self, byte: u8) {
        let bits = std::iter::once(0).chain((0..8).map(|i| byte >> i & 1)).chain(std::iter::once(1));
        for bit in bits {
            self.m.set_uart_rx(bit as u64);
            for _ in 0..DIV {
                self.tick();
            }
        }
    }

    /// Receives one byte (sampling each bit at its middle); panics after
    /// `limit` cycles of an idle line.
    fn recv(&mut self, limit: u64) -> u8 {
        let start = self.cycles;
        while self.m.get_uart_tx() == 1 {
            self.tick();
            assert!(self.cycles - start < limit, "no answer on the UART");
        }
        for _ in 0..DIV / 2 {
            self.tick();
        }
        assert_eq!(self.m.get_uart_tx(), 0, "a start bit");
        let mut byte = 0u8;
        for i in 0..8 {
            for _ in 0..DIV {
                self.tick();
            }
            byte |= (self.m.get_uart_tx() as u8) << i;
        }
        for _ in 0..DIV {
            self.tick();
        }
        assert_eq!(self.m.get_uart_tx(), 1, "a stop bit");
        byte
    }

    /// UARTBone write of consecutive words from byte address `addr`.
    fn write(&mut self, addr: u32, words: &[u32]) {
        self.write_cmd(0x01, addr, words)
    }

    /// UARTBone write with command byte `cmd` (0x01 incrementing, 0x03
    /// fixed address).
    fn write_cmd(&mut self, cmd: u8, addr: u32, words: &[u32]) {
        self.send(cmd);
        self.send(words.len() as u8);
        for b in (addr / 4).to_be_bytes() {
            self.send(b);
        }
        for w in words {
            for b in w.to_be_bytes() {
                self.send(b);
            }
        }
        // The last word's access, well within a byte time.
        for _ in 0..(10 * DIV) {
            self.tick();
        }
    }

    /// UARTBone read of `n` words from byte address `addr`.
    fn read(&mut self, addr: u32, n: usize) -> Vec<u32> {
        self.read_cmd(0x02, addr, n)
    }

    /// UARTBone read with command byte `cmd` (0x02 incrementing, 0x04
    /// fixed address).
    fn read_cmd(&mut self, cmd: u8, addr: u32, n: usize) -> Vec<u32> {
        self.send(cmd);
        self.send(n as u8);
        for b in (addr / 4).to_be_bytes() {
            self.send(b);
        }
        (0..n)
            .map(|_| {
                let b: Vec<u8> = (0..4).map(|_| self.recv(1000 * DIV as u64)).collect();
                u32::from_be_bytes(b.try_into().unwrap())
            })
            .collect()
    }

    fn write_bytes(&mut self, iova: u32, bytes: &[u8]) {
        assert!(iova % 4 == 0 && bytes.len() % 4 == 0);
        let words: Vec<u32> = bytes.chunks(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect();
        for (i, chunk) in words.chunks(64).enumerate() {
            self.write(MEM + iova + 256 * i as u32, chunk);
        }
    }

    fn read_bytes(&mut self, iova: u32, len: usize) -> Vec<u8> {
        assert!(iova % 4 == 0 && len % 4 == 0);
        self.read(MEM + iova, len / 4).iter().flat_map(|w| w.to_le_bytes()).collect()
    }
}

#[test]
fn registers_and_host_memory_over_the_uart() {
    let mut b = Board::new();
    assert_eq!(b.read(regs::ID as u32, 2), [regs::ID_VALUE, regs::VERSION_VALUE]);
    b.write(regs::SCRATCH as u32, &[0xDEAD_BEEF]);
    assert_eq!(b.read(regs::SCRATCH as u32, 1), [0xDEAD_BEEF]);
    // Fixed-address bursts: every word to, or from, the one register.
    b.write_cmd(0x03, regs::SCRATCH as u32, &[1, 2, 0x600D_F00D]);
    assert_eq!(b.read_cmd(0x04, regs::SCRATCH as u32, 2), [0x600D_F00D; 2]);
    assert_eq!(b.read(regs::ID as u32, 2), [regs::ID_VALUE, regs::VERSION_VALUE], "no word went elsewhere");
    // 37 words with a guard word on each side (every lane of a 16-byte beat).
    let words: Vec<u32> = (0..37u32).map(|i| i.wrapping_mul(0x9E37_79B9) ^ i).collect();
    let end = 0x10C + 4 * words.len() as u32;
    b.write(MEM + 0x108, &[0xA5A5_5A5A]);
    b.write(MEM + end, &[0x5A5A_A5A5]);
    b.write(MEM + 0x10C, &words);
    assert_eq!(b.read(MEM + 0x10C, words.len()), words);
    assert_eq!(b.read(MEM + 0x108, 1), [0xA5A5_5A5A], "the word before is untouched");
    assert_eq!(b.read(MEM + end, 1), [0x5A5A_A5A5], "the word after is untouched");
    assert_eq!(b.m.get_bus_error(), 0);
    // Above the core's 1 MiB of registers and below the memory: all ones,
    // and the sticky error flag.
    assert_eq!(b.read(0x0010_0000, 1), [regs::UNMAPPED_READ]);
    assert_eq!(b.m.get_bus_error(), 1);
    // The bridge goes on serving.
    assert_eq!(b.read(regs::SCRATCH as u32, 1), [0x600D_F00D]);
}

#[test]
fn host_memory_past_its_end_is_refused() {
    let mut b = Board::new();
    let size = 16u32 << alpc_rtl::uart_soc::HOST_RAM_BEAT_BITS;
    b.write(MEM, &[0x1234_5678]);
    // A word past the end: not written (the address would alias word 0),
    // reads as all ones, raises the error.
    b.write(MEM + size, &[0xFFFF_0000]);
    assert_eq!(b.m.get_bus_error(), 1);
    assert_eq!(b.read(MEM + size, 1), [regs::UNMAPPED_READ]);
    assert_eq!(b.read(MEM, 1), [0x1234_5678]);
}

#[test]
fn a_copy_runs_inside_the_board_memory() {
    let mut b = Board::new();
    let (sq, cq, src, dst) = (0x0000u32, 0x1000u32, 0x2000u32, 0x3000u32);
    let pattern: Vec<u8> = (0..256u32).map(|i| (i * 7 + 3) as u8).collect();
    b.write_bytes(src, &pattern);
    b.write_bytes(dst, &[0xEE; 256]);
    // Context 0: 4-entry SQ, 4-entry CQ (with their receive buffers after
    // the ring), enabled and polled.
    let r = |reg| regs::ctx_cfg(0, reg) as u32;
    b.write(r(regs::CTX_SQ_BASE_LO), &[sq, 0, cq, 0]);
    b.write(r(regs::CTX_RING_CFG), &[2 << regs::RING_CFG_SQ_SHIFT | 2 << regs::RING_CFG_CQ_SHIFT]);
    b.write(r(regs::CTX_CONTROL), &[regs::CTX_CONTROL_ENABLE | regs::CTX_CONTROL_POLL]);
    b.write(regs::CONTROL as u32, &[regs::CONTROL_ENABLE]);
    // 100 bytes from src + 3 to dst + 5: both ends unaligned.
    let d = Descriptor::copy(src as u64 + 3, dst as u64 + 5, 100, 0x1234_5678_9ABC_DEF0).to_bytes();
    b.write_bytes(sq, &d);
    b.write(regs::doorbell(0, regs::DB_SQ_TAIL) as u32, &[1]);
    // Poll the completion's phase bit, as a driver does.
    let c = (0..50)
        .map(|_| Completion::from_bytes(&b.read_bytes(cq, CQE_SIZE).try_into().unwrap()))
        .find(|c| c.phase)
        .expect("a completion within 50 polls");
    assert_eq!(c.status(), Some(Status::Ok));
    assert_eq!((c.user_data, c.result), (0x1234_5678_9ABC_DEF0, 100));
    let out = b.read_bytes(dst, 256);
    assert_eq!(&out[5..105], &pattern[3..103]);
    assert!(out[..5].iter().chain(&out[105..]).all(|&x| x == 0xEE), "bytes around the copy untouched");
    assert_eq!(b.m.get_bus_error(), 0);
}
